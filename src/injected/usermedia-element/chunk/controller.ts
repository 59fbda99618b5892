// One <usermedia> element: its constraints, its stream, its validity and what a click does.
// "polyfill" mode (no native element, Firefox): MediaGate does everything and draws the button.
// "native" mode (Chromium's own HTMLUserMediaElement): the browser draws the button, checks the
// first click and makes the stream; MediaGate adds what the native element lacks (constraints script,
// enabled/mute on later clicks, streamready/userchangedenabled, autostart, validity reporting).
import type { ChunkApi } from '../../chunk-api';
import {
  fromObject,
  gumConstraints,
  nativeConstraints,
  parseConstraintsText,
  typeOf,
  type ElementConstraints,
  type ElementType,
} from './constraints';
import { View, type Problem, type ViewState } from './render';
import { styleValid } from './style-rules';
import { compileInlineHandler, type Handler } from './inline-handlers';
import {
  SafeMap,
  SafeWeakSet,
  NativeDOMException,
  NativeTypeError,
  addListener,
  apply,
  every,
  filter,
  indexOf,
  nativeClearTimeout,
  nativeSetTimeout,
  now,
  push,
  sealed,
  some,
  streamTracks,
  strLower,
  then,
  promiseReject,
  promiseResolve,
} from '../../chunk-natives';

export type Mode = 'native' | 'polyfill';
export type InvalidReason =
  'type_invalid' | 'too_many_elements' | 'recently_attached' | 'style_invalid' | 'intersection_changed' | 'occluded';

/** Clicks this soon after insertion or a move are ignored (the permission element's rule). */
export const RECENT_MS = 500;
/** At most this many elements of one type may be active in a document. */
export const MAX_PER_TYPE = 3;
/** How often an element waiting for its first click re-checks what no event reports (occlusion). */
const RECHECK_MS = 1000;

export interface Env {
  mode: Mode;
  api: ChunkApi;
  getUserMedia(c: MediaStreamConstraints): Promise<MediaStream>;
  /** Chromium's own getter and setConstraints, in native mode. */
  nativeStream?: (el: Element) => MediaStream | null;
  nativeSetConstraints?: (el: Element, c: object) => void;
  /** Every controller of this document, in upgrade order (for the per-type limit). */
  all: Controller[];
}

const live = (t: MediaStreamTrack): boolean => t.readyState === 'live';

export class Controller {
  constraints: ElementConstraints | null = null;
  associated: MediaStream | null = null;
  error: DOMException | null = null;
  isValid = false;
  invalidReason: InvalidReason | '' = 'recently_attached';
  readonly handlers = new SafeMap<string, Handler | null>();
  /** on<type> attribute text not compiled yet: the browser compiles inline handlers on first use. */
  readonly inline = new SafeMap<string, string>();
  /** Brings `inline` up to date with attribute changes not yet delivered (set in interface.ts's upgrade). */
  syncAttributes: () => void = () => undefined;
  private attachedAt = 0;
  private visibleRatio = 0;
  private visibleV2: boolean | null = null;
  private starting = false;
  private recheck = 0;
  private readonly view: View | null;
  private readonly trackWatch = new SafeWeakSet();
  private readonly io: IntersectionObserver | null = null;

  constructor(
    readonly el: HTMLElement,
    private readonly env: Env,
  ) {
    this.view =
      env.mode === 'polyfill'
        ? new View(el, env.api.strings, {
            choose: () => {
              void this.start(true);
            },
          })
        : null;
    // Bubble phase: the arrow and badge inside the view see their clicks first and mark them handled.
    // (The browser's own activation of the native element still comes after, so preventDefault works.)
    addListener(el, 'click', (e) => this.onClick(e));
    if (env.mode === 'native') {
      // The browser made a stream after its own prompt: the page gets streamready as well.
      addListener(el, 'stream', () => {
        const s = this.stream();
        if (s) this.adopt(s, false, true);
      });
    }
    try {
      // trackVisibility (IntersectionObserver v2, Chromium) also reports occlusion and transforms.
      const options = { threshold: [0, 1], trackVisibility: true, delay: 100 } as IntersectionObserverInit;
      this.io = new IntersectionObserver((entries) => {
        const last = entries[entries.length - 1]!;
        this.visibleRatio = last.intersectionRatio;
        const v2 = (last as IntersectionObserverEntry & { isVisible?: boolean }).isVisible;
        this.visibleV2 = typeof v2 === 'boolean' ? v2 : null;
        this.validate();
      }, options);
      this.io.observe(el);
    } catch {
      /* no IntersectionObserver: the click-time checks remain */
    }
    new MutationObserver(() => this.readConstraints()).observe(el, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['type'],
    });
    this.readConstraints();
  }

  get type(): ElementType | null {
    return typeOf(this.constraints);
  }

  /** Inserted into a document, or moved: the element must settle before a click counts. */
  attached(): void {
    this.attachedAt = now();
    this.validate();
    nativeSetTimeout(() => this.validate(), RECENT_MS + 20);
    // A chain of the core's timeouts rather than the page's setInterval, which would receive the callback.
    if (!this.recheck) {
      const tick = () => {
        if (!this.el.isConnected) {
          this.stopRecheck();
          return;
        }
        if (!this.active()) this.validate();
        if (this.recheck) this.recheck = nativeSetTimeout(tick, RECHECK_MS);
      };
      this.recheck = nativeSetTimeout(tick, RECHECK_MS);
    }
    if (this.el.hasAttribute('autostart')) void this.autostart();
    this.render();
  }

  private stopRecheck(): void {
    nativeClearTimeout(this.recheck);
    this.recheck = 0;
  }

  readConstraints(): void {
    const children = this.el.children;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.localName === 'script' && strLower(child.getAttribute('type') ?? '') === 'permissionconstraints') {
        this.applyConstraints(parseConstraintsText(child.textContent ?? ''));
        return;
      }
    }
    if (!this.setByScript) this.applyConstraints(this.constraints);
  }

  private setByScript = false;

  setConstraints(value: unknown): void {
    if (value !== undefined && value !== null && typeof value !== 'object')
      throw new NativeTypeError(
        "Failed to execute 'setConstraints' on 'HTMLUserMediaElement': parameter 1 is not an object.",
      );
    this.setByScript = true;
    this.applyConstraints(fromObject(value ?? {}));
  }

  private applyConstraints(c: ElementConstraints | null): void {
    this.constraints = c;
    if (this.env.mode === 'native' && c && this.env.nativeSetConstraints) {
      try {
        this.env.nativeSetConstraints(this.el, nativeConstraints(c));
      } catch {
        /* the native element keeps its own */
      }
    }
    this.validate();
    this.render();
  }

  /** The associated stream: set by the page or by MediaGate, else (native mode) the browser's. */
  stream(): MediaStream | null {
    return this.associated ?? this.env.nativeStream?.(this.el) ?? null;
  }

  /** The associated tracks: the stream's tracks of the element's type (a microphone element's are its audio tracks). */
  private tracks(): MediaStreamTrack[] {
    const s = this.stream();
    const type = this.type;
    if (!s || !type) return [];
    const all = streamTracks(s);
    return type === 'audio-video' ? all : filter(all, (t) => t.kind === type);
  }

  active(): boolean {
    return some(this.tracks(), live);
  }

  /** True if any associated track is enabled. */
  get enabled(): boolean {
    return some(this.tracks(), (x) => x.enabled);
  }

  set enabled(on: boolean) {
    const tracks = this.tracks();
    for (let i = 0; i < tracks.length; i++) tracks[i]!.enabled = on;
    this.env.api.calls.changed();
    this.render();
  }

  /** The page associates a stream it got elsewhere (or null to let go of it). */
  setStream(value: unknown): void {
    if (value !== null && !(value instanceof MediaStream))
      throw new NativeTypeError(
        "Failed to set the 'stream' property on 'HTMLUserMediaElement': The provided value is not of type 'MediaStream'.",
      );
    if (value === null) {
      this.associated = null;
      this.validate();
      this.render();
      return;
    }
    // Not a person's request: no stream or streamready event.
    this.adopt(value, false, false);
  }

  /** `fire`: the element's own capture gave it (stream event); `ready`: a capture the person asked for ended (streamready). */
  private adopt(stream: MediaStream, fire: boolean, ready: boolean): void {
    this.associated = stream;
    this.error = null;
    const tracks = streamTracks(stream);
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      if (this.env.mode === 'native') this.env.api.calls.addTrack(t);
      if (this.trackWatch.has(t)) continue;
      this.trackWatch.add(t);
      const render = () => this.render();
      addListener(t, 'mute', render);
      addListener(t, 'unmute', render);
      addListener(t, 'ended', render);
    }
    this.validate();
    this.render();
    if (fire) this.fire('stream');
    if (ready) this.fire('streamready');
  }

  private onClick(e: Event): void {
    if (this.view?.handled.has(e)) return;
    // Only a person's click acts; script clicks and clicks on a button that just appeared do nothing.
    if (!e.isTrusted) return;
    if (this.active()) {
      this.enabled = !this.enabled;
      this.fire('userchangedenabled');
      return;
    }
    this.validate();
    if (!this.isValid) {
      e.preventDefault();
      return;
    }
    if (this.env.mode === 'polyfill') {
      void this.start(false);
      return;
    }
    // Native: the browser checks the click and makes the stream itself, but a site blocked in MediaGate
    // stays blocked (the browser's own prompt would not know about MediaGate's decision).
    if (this.blockedByMediaGate()) {
      e.preventDefault();
      this.error = new NativeDOMException('Permission denied', 'NotAllowedError');
      this.render();
      this.fire('error');
      this.fire('streamready');
    }
  }

  private kinds(): Array<'camera' | 'microphone'> {
    const kinds: Array<'camera' | 'microphone'> = [];
    if (this.type && this.type !== 'audio') push(kinds, 'camera');
    if (this.type && this.type !== 'video') push(kinds, 'microphone');
    return kinds;
  }

  private blockedByMediaGate(): boolean {
    const site = this.env.api.bridge.currentConfig?.site;
    return some(this.kinds(), (k) => site?.[k] === 'block');
  }

  /** Starts the stream; `choose` opens MediaGate's picker to pick another device. */
  start(choose: boolean): Promise<void> {
    const c = this.constraints;
    if (!c || !this.type || this.starting) return sealed(promiseResolve(undefined));
    this.starting = true;
    // then() rather than async/await, which would go through the page's Promise.prototype.then.
    let started: Promise<MediaStream>;
    try {
      started = this.env.getUserMedia(gumConstraints(c, choose ? 'user-chooses' : undefined));
    } catch (e) {
      started = sealed(promiseReject(e));
    }
    const failed = (e: unknown) => {
      this.error =
        e instanceof NativeDOMException ? e : new NativeDOMException(String((e as Error)?.message ?? e), 'AbortError');
      this.render();
      this.fire('error');
      // The capture the person asked for is over: streamready, with `error` telling why there is no stream.
      this.fire('streamready');
    };
    return sealed(
      then(
        started,
        (stream) => {
          try {
            const previous = this.associated;
            // Another device replaces the one MediaGate started for this element.
            if (choose && previous && previous !== stream) {
              const old = streamTracks(previous);
              for (let i = 0; i < old.length; i++) if (this.trackWatch.has(old[i]!)) old[i]!.stop();
            }
            this.adopt(stream, true, true);
          } catch (e) {
            failed(e);
          } finally {
            this.starting = false;
          }
        },
        (e: unknown) => {
          try {
            failed(e);
          } finally {
            this.starting = false;
          }
        },
      ),
    );
  }

  private autostart(): Promise<void> {
    if (this.active() || !this.type) return sealed(promiseResolve(undefined));
    const site = this.env.api.bridge.currentConfig?.site;
    const kinds = this.kinds();
    // One permission query after the other; any kind not granted (or a failed query) stops it.
    const next = (i: number): Promise<void> => {
      if (i === kinds.length) return this.start(false);
      const kind = kinds[i]!;
      if (site?.[kind] === 'block') return sealed(promiseResolve(undefined));
      if (site?.[kind] === 'allow') return next(i + 1);
      let query: Promise<PermissionStatus>;
      try {
        query = navigator.permissions.query({ name: kind as PermissionName });
      } catch {
        return sealed(promiseResolve(undefined));
      }
      return sealed(
        then(
          query,
          (status) => {
            let granted = false;
            try {
              granted = status.state === 'granted';
            } catch {
              return undefined;
            }
            return granted ? next(i + 1) : undefined;
          },
          () => undefined,
        ),
      );
    };
    return next(0);
  }

  private problem(): Problem {
    const tracks = this.tracks();
    if (tracks.length) {
      if (every(tracks, (t) => t.readyState === 'ended')) return 'ended';
      if (some(tracks, (t) => live(t) && t.muted)) return 'muted';
      return null;
    }
    const name = this.error?.name;
    if (!name) return null;
    return name === 'NotAllowedError' || name === 'SecurityError'
      ? 'not-allowed'
      : name === 'NotReadableError' || name === 'AbortError'
        ? 'not-readable'
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? 'not-found'
          : 'other';
  }

  private viewState(): ViewState {
    if (!this.active()) return 'idle';
    return this.enabled ? 'on' : 'off';
  }

  render(): void {
    const state = this.viewState();
    // A styling hook pages can select on: usermedia[data-usermedia-state="off"].
    if (this.el.getAttribute('data-usermedia-state') !== state) this.el.setAttribute('data-usermedia-state', state);
    if (!this.view) return;
    const bg = getComputedStyle(this.el).backgroundColor;
    this.view.update({
      type: this.type,
      state,
      problem: this.problem(),
      iconOnly: this.el.hasAttribute('icon-only'),
      defaultFace: bg === 'transparent' || /^rgba\(.*,\s*0\)$/.test(bg),
    });
  }

  /** The permission element's rules, skipped while the element holds an active stream. */
  private reason(): InvalidReason | '' {
    // Valid while it holds an active associated stream, before any other check (so icon-only or
    // restyled elements keep muting their stream).
    if (this.active()) return '';
    const type = this.type;
    if (!type) return 'type_invalid';
    const same = filter(this.env.all, (c) => c.el.isConnected && c.type === type);
    if (indexOf(same, this) >= MAX_PER_TYPE) return 'too_many_elements';
    if (!this.attachedAt || now() - this.attachedAt < RECENT_MS) return 'recently_attached';
    const cs = getComputedStyle(this.el);
    const rect = this.el.getBoundingClientRect();
    const backgrounds: string[] = [];
    for (let n: Element | null = this.el; n; n = n.parentElement ?? (n.getRootNode() as ShadowRoot).host ?? null)
      push(backgrounds, getComputedStyle(n).backgroundColor);
    let opacity = 1;
    for (let n: Element | null = this.el; n; n = n.parentElement)
      opacity *= parseFloat(getComputedStyle(n).opacity) || 0;
    if (
      !styleValid({
        color: cs.color,
        backgrounds,
        fontSizePx: parseFloat(cs.fontSize),
        opacity,
        visibility: cs.visibility,
        width: rect.width,
        height: rect.height,
      })
    )
      return 'style_invalid';
    if (
      rect.width < 1 ||
      rect.height < 1 ||
      rect.left < 0 ||
      rect.top < 0 ||
      rect.right > innerWidth ||
      rect.bottom > innerHeight
    )
      return 'intersection_changed';
    if (this.io && this.visibleRatio < 0.99) return 'intersection_changed';
    if (this.visibleV2 === false || this.occluded(rect)) return 'occluded';
    return '';
  }

  /** Something else is drawn over the element (an overlay meant to catch the click). */
  private occluded(r: DOMRect): boolean {
    const root = this.el.getRootNode() as Document | ShadowRoot;
    const inset = Math.min(3, r.width / 4, r.height / 4);
    const points: Array<[number, number]> = [
      [r.left + r.width / 2, r.top + r.height / 2],
      [r.left + inset, r.top + inset],
      [r.right - inset, r.top + inset],
      [r.left + inset, r.bottom - inset],
      [r.right - inset, r.bottom - inset],
    ];
    for (let i = 0; i < points.length; i++) {
      const hit = root.elementFromPoint(points[i]![0], points[i]![1]);
      if (!hit || !(hit === this.el || this.el.contains(hit))) return true;
    }
    return false;
  }

  validate(): void {
    let reason: InvalidReason | '';
    try {
      reason = this.reason();
    } catch {
      reason = 'style_invalid';
    }
    const valid = reason === '';
    if (valid === this.isValid && reason === this.invalidReason) return;
    this.isValid = valid;
    this.invalidReason = reason;
    this.fire('validationstatuschange');
  }

  fire(type: string): void {
    this.el.dispatchEvent(new Event(type));
  }

  /** The page's on<type> handler: set as a property, or from the attribute (compiled now, once). */
  handler(type: string): Handler | null {
    this.syncAttributes();
    const text = this.inline.get(type);
    if (text !== undefined) {
      this.inline.delete(type);
      this.handlers.set(type, compileInlineHandler(this.el, text));
    }
    return this.handlers.get(type) ?? null;
  }

  /** Runs the page's on<type> handler; `false` returned cancels the event, as for the browser's handlers. */
  runHandler(type: string, e: Event): void {
    const h = this.handler(type);
    if (typeof h === 'function' && apply(h, this.el, [e]) === false) e.preventDefault();
  }
}
