// Main-world end of the private channel to the content script. The port is handed over with one
// window message during document_start, before any page script exists; the content script takes it
// in a capture listener registered earlier and stops the event, so the page never sees the port.
// Everything here assumes it may be talking to nobody (extension reloaded, content script missing):
// every request has a timeout and callers fall back to the browser's own behaviour.

import {
  NativeMessageChannel,
  SafeMap,
  addListener,
  apply,
  own,
  postToPort,
  postToWindow,
  startPort,
  newPromise,
  nativeSetTimeout,
  nativeClearTimeout,
  NativeError,
  then,
  detachData,
} from './native';
import { BRIDGE_HANDSHAKE } from '../shared/page-constants';
import { keepTicket } from './handoff';
import type { PageRequests, PageRequestType, BackgroundToPage, BackgroundToPageType } from '../shared/protocol';
import type { PageConfig } from '../shared/settings';

/** Thrown when MediaGate cannot answer; callers turn it into native behaviour, never into a page error. */
export class BridgeUnavailable extends NativeError {
  override name = 'MediaGateUnavailable';
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: number;
}
type PushHandler<K extends BackgroundToPageType> = (payload: BackgroundToPage[K]) => void;

/** How long the main world waits for the config it asked for before going native. */
const CONFIG_WAIT_MS = 3000;
const DEFAULT_TIMEOUT_MS = 5000;

export class Bridge {
  private readonly port: MessagePort;
  private readonly pending = new SafeMap<number, Pending>();
  private readonly handlers = new SafeMap<string, (payload: unknown) => void>();
  private nextId = 1;
  private dead = false;
  private configValue: PageConfig | null = null;
  private configWaiters: Array<(c: PageConfig | null) => void> = [];
  private configTimer = 0;
  /** The content script reads the config only when asked: the first use asks for it (askConfig). */
  private configAsked = false;
  private configGaveUp = false;

  constructor(win: Window) {
    const channel = new NativeMessageChannel();
    this.port = channel.port1;
    addListener(this.port, 'message', (e) => this.onMessage((e as MessageEvent).data));
    startPort(this.port);
    postToWindow(win, { [BRIDGE_HANDSHAKE]: true }, [channel.port2]);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /**
   * The config snapshot, synchronously; null until the content script delivered it. The first read asks
   * for it, so it is there for what follows.
   */
  get currentConfig(): PageConfig | null {
    if (!this.configValue) this.askConfig();
    return this.configValue;
  }

  /** Resolves with the config, or null when the content script did not answer in time (go native). */
  config(): Promise<PageConfig | null> {
    if (this.configValue || this.dead || this.configGaveUp) return newPromise((r) => r(this.configValue));
    this.askConfig();
    return newPromise((resolve) => {
      this.configWaiters[this.configWaiters.length] = resolve;
    });
  }

  private askConfig(): void {
    if (this.configAsked || this.dead) return;
    this.configAsked = true;
    this.configTimer = nativeSetTimeout(() => this.settleConfig(null), CONFIG_WAIT_MS);
    this.notify('config/now', {});
  }

  request<K extends PageRequestType>(
    type: K,
    payload: PageRequests[K]['req'],
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<PageRequests[K]['res']> {
    return newPromise((resolve, reject) => {
      if (this.dead) {
        reject(new BridgeUnavailable('MediaGate is not running in this page'));
        return;
      }
      const id = this.nextId++;
      const timer = nativeSetTimeout(() => {
        this.pending.delete(id);
        reject(new BridgeUnavailable(`MediaGate did not answer "${type}" in time`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      postToPort(this.port, { id, type, payload });
    });
  }

  /** Fire and forget: for reports whose loss costs nothing but a stale display. */
  notify<K extends PageRequestType>(type: K, payload: PageRequests[K]['req']): void {
    then(
      this.request(type, payload),
      () => undefined,
      () => undefined,
    );
  }

  onPush<K extends BackgroundToPageType>(type: K, handler: PushHandler<K>): void {
    this.handlers.set(type, handler as (payload: unknown) => void);
  }

  private settleConfig(config: PageConfig | null): void {
    if (config) this.configValue = config;
    else this.configGaveUp = true;
    if (this.configTimer) {
      nativeClearTimeout(this.configTimer);
      this.configTimer = 0;
    }
    const waiters = this.configWaiters;
    this.configWaiters = [];
    for (let i = 0; i < waiters.length; i++) apply(waiters[i]!, undefined, [this.configValue]);
  }

  /** Stops using the channel: pending and later requests fail at once (callers go native). */
  close(): void {
    this.dead = true;
    for (const p of this.pending.values()) {
      nativeClearTimeout(p.timer);
      p.reject(new BridgeUnavailable('MediaGate was reloaded or removed'));
    }
    this.settleConfig(null);
  }

  private onMessage(message: unknown): void {
    // Config, answers and pushes are resolved and read by MediaGate's code: no page prototype may see or feed them.
    const data = detachData(message);
    const push = own(data, 'push');
    if (typeof push === 'string') {
      const payload = own(data, 'payload');
      if (push === 'bridge/dead') {
        this.close();
        return;
      }
      if (push === 'handoff/ticket') {
        keepTicket(payload);
        return;
      }
      if (push === 'config') {
        this.settleConfig(payload as PageConfig);
        return;
      }
      const handler = this.handlers.get(push);
      if (handler) {
        try {
          handler(payload);
        } catch {
          /* a failing feature must not stop the channel */
        }
      }
      return;
    }
    const id = own(data, 'id');
    const response = own(data, 'response');
    if (typeof id !== 'number') return;
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    nativeClearTimeout(pending.timer);
    if (own(response, 'ok') === true) pending.resolve(own(response, 'result'));
    else pending.reject(toError(own(response, 'error')));
  }
}

function toError(e: unknown): Error {
  const name = own(e, 'name');
  const message = own(e, 'message');
  const err = new BridgeUnavailable(typeof message === 'string' ? message : 'MediaGate failed');
  if (typeof name === 'string') err.name = name;
  return err;
}
