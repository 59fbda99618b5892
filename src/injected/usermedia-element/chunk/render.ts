// What a <usermedia> element looks like where the browser has no native one (Firefox): a
// browser-styled button (icon + text per state and type), a dropdown arrow to choose another device,
// and a badge that explains what is wrong. It lives in a closed shadow root on one <span> child, so
// page styles cannot reach inside while the element's own colour, font and background still apply.
import type { ElementType } from './constraints';
import type { ChunkStrings } from '../../../shared/chunks';
import { adoptStyles } from '../../styles';
import { SafeWeakSet, addListener } from '../../chunk-natives';

export type ViewState = 'idle' | 'on' | 'off';
export type Problem = 'not-allowed' | 'not-readable' | 'not-found' | 'other' | 'muted' | 'ended' | null;

export interface ViewModel {
  type: ElementType | null;
  state: ViewState;
  problem: Problem;
  iconOnly: boolean;
  /** The element's own background is transparent: draw the browser's default button face. */
  defaultFace: boolean;
}

const LABELS: Record<ViewState, Record<ElementType, string>> = {
  idle: { video: 'umUseCamera', audio: 'umUseMicrophone', 'audio-video': 'umUseBoth' },
  on: { video: 'umMuteCamera', audio: 'umMuteMicrophone', 'audio-video': 'umMuteBoth' },
  off: { video: 'umUnmuteCamera', audio: 'umUnmuteMicrophone', 'audio-video': 'umUnmuteBoth' },
};
const PROBLEM_TEXT: Record<NonNullable<Problem>, string> = {
  'not-allowed': 'umErrorNotAllowed',
  'not-readable': 'umErrorNotReadable',
  'not-found': 'umErrorNotFound',
  other: 'umErrorOther',
  muted: 'umErrorMuted',
  ended: 'umErrorEnded',
};

const SVG_NS = 'http://www.w3.org/2000/svg';
const CAMERA = 'M3 7h11a1 1 0 0 1 1 1v2.5l4-2.5v8l-4-2.5V16a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1z';
const MIC = 'M12 3a3 3 0 0 1 3 3v5a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zM6 11a6 6 0 0 0 12 0M12 17v4M9 21h6';

const CSS = `
:host { display: inline-flex; position: relative; vertical-align: middle; font: inherit; color: inherit; }
.face { display: inline-flex; align-items: stretch; border: 1px solid currentColor; border-radius: 6px; overflow: hidden; }
.face.default { background: #efefef; color: #111; border-color: #767676; }
button { font: inherit; color: inherit; background: transparent; border: 0; margin: 0; cursor: pointer;
  display: inline-flex; align-items: center; gap: .45em; padding: .4em .8em; line-height: 1.2; }
button:focus-visible { outline: 2px solid currentColor; outline-offset: -4px; }
.more { border-left: 1px solid currentColor; padding: .4em .45em; }
.more svg { width: .8em; height: .8em; }
svg { width: 1.2em; height: 1.2em; flex: none; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.badge { position: absolute; top: -.45em; right: -.45em; width: 1.25em; height: 1.25em; padding: 0; justify-content: center;
  border-radius: 50%; background: #c5221f; color: #fff; font-weight: bold; font-size: .8em; border: 2px solid #fff; }
.explain { position: absolute; top: calc(100% + 6px); left: 0; z-index: 2147483647; width: max-content; max-width: 22em;
  background: #fff; color: #202124; border: 1px solid #dadce0; border-radius: 8px; padding: .75em 1em;
  box-shadow: 0 4px 16px rgba(0,0,0,.2); font: 14px/1.4 system-ui, sans-serif; }
.explain p { margin: 0 0 .6em; }
.explain button { border: 1px solid #dadce0; border-radius: 4px; padding: .3em .8em; background: #f8f9fa; color: #202124; }
[hidden] { display: none !important; }
`;

function icon(doc: Document, type: ElementType, struck: boolean): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = doc.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', type === 'audio' ? MIC : CAMERA);
  svg.append(path);
  if (struck) {
    const line = doc.createElementNS(SVG_NS, 'path');
    line.setAttribute('d', 'M3 3l18 18');
    svg.append(line);
  }
  return svg;
}

export interface ViewActions {
  choose(): void;
}

export class View {
  readonly host: HTMLSpanElement;
  /** Clicks MediaGate handled inside the view (arrow, badge); the element's own click ignores them. */
  readonly handled = new SafeWeakSet();
  private readonly face: HTMLDivElement;
  private readonly main: HTMLButtonElement;
  private readonly more: HTMLButtonElement;
  private readonly badge: HTMLButtonElement;
  private readonly explain: HTMLDivElement;
  private readonly explainText: HTMLParagraphElement;
  private last = '';

  constructor(
    private readonly el: Element,
    private readonly strings: ChunkStrings,
    actions: ViewActions,
  ) {
    const doc = el.ownerDocument;
    this.host = doc.createElement('span');
    const root = this.host.attachShadow({ mode: 'closed' });
    adoptStyles(root, CSS);
    this.face = doc.createElement('div');
    this.face.className = 'face';
    this.main = doc.createElement('button');
    this.main.type = 'button';
    this.main.className = 'main';
    this.more = doc.createElement('button');
    this.more.type = 'button';
    this.more.className = 'more';
    this.more.setAttribute('aria-label', this.s('umChooseDevice'));
    this.more.title = this.s('umChooseDevice');
    const arrow = doc.createElementNS(SVG_NS, 'svg');
    arrow.setAttribute('viewBox', '0 0 24 24');
    arrow.setAttribute('aria-hidden', 'true');
    const chevron = doc.createElementNS(SVG_NS, 'path');
    chevron.setAttribute('d', 'M5 9l7 7 7-7');
    arrow.append(chevron);
    this.more.append(arrow);
    this.face.append(this.main, this.more);
    this.badge = doc.createElement('button');
    this.badge.type = 'button';
    this.badge.className = 'badge';
    this.badge.textContent = '!';
    this.badge.setAttribute('aria-label', this.s('umProblem'));
    this.badge.title = this.s('umProblem');
    this.badge.setAttribute('aria-expanded', 'false');
    this.explain = doc.createElement('div');
    this.explain.className = 'explain';
    this.explain.setAttribute('role', 'status');
    this.explainText = doc.createElement('p');
    const close = doc.createElement('button');
    close.type = 'button';
    close.textContent = this.s('umClose');
    this.explain.append(this.explainText, close);
    this.explain.hidden = true;
    root.append(this.face, this.badge, this.explain);

    addListener(this.more, 'click', (e) => {
      this.handled.add(e);
      if (e.isTrusted) actions.choose();
    });
    addListener(this.badge, 'click', (e) => {
      this.handled.add(e);
      this.toggleExplain();
    });
    addListener(close, 'click', (e) => {
      this.handled.add(e);
      this.toggleExplain(false);
    });
    addListener(this.explain, 'click', (e) => {
      this.handled.add(e);
    });
  }

  private s(key: string): string {
    return this.strings[key] ?? key;
  }

  private toggleExplain(show = this.explain.hidden): void {
    this.explain.hidden = !show;
    this.badge.setAttribute('aria-expanded', String(show));
  }

  /** Keeps the view the element's last child and draws the model (nothing when unchanged). */
  update(m: ViewModel): void {
    if (this.host.parentNode !== this.el || this.el.lastChild !== this.host) this.el.append(this.host);
    const key = `${m.type}|${m.state}|${m.problem}|${m.iconOnly}|${m.defaultFace}`;
    if (key === this.last) return;
    this.last = key;
    const type = m.type ?? 'audio-video';
    const text = this.s(LABELS[m.state][type]);
    this.face.classList.toggle('default', m.defaultFace);
    this.main.replaceChildren(icon(this.el.ownerDocument, type, m.state === 'off'));
    if (!m.iconOnly) this.main.append(text);
    this.main.setAttribute('aria-label', text);
    this.main.title = m.iconOnly ? text : '';
    if (m.state === 'idle') this.main.removeAttribute('aria-pressed');
    else this.main.setAttribute('aria-pressed', String(m.state === 'off'));
    this.badge.hidden = !m.problem;
    if (m.problem) this.explainText.textContent = this.s(PROBLEM_TEXT[m.problem]);
    else this.toggleExplain(false);
  }
}
