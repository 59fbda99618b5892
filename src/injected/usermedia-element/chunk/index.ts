// Lazily loaded chunk: the <usermedia> element (see ../index.ts for how it gets here).
import { announceChunk, type ChunkApi } from '../../chunk-api';
import type { UsermediaCore } from '../index';
import { Controller, type Env, type Mode } from './controller';
import { defineUserMediaInterface, upgrade } from './interface';
import { SafeWeakMap, apply, getOwnPropertyDescriptor, push } from '../../chunk-natives';

function start(api: ChunkApi): void {
  if (!api.enabled()) return;
  const nativeProto = (window as unknown as { HTMLUserMediaElement?: { prototype: object } }).HTMLUserMediaElement
    ?.prototype;
  const mode: Mode = nativeProto ? 'native' : 'polyfill';
  const nativeStreamGet = nativeProto ? getOwnPropertyDescriptor(nativeProto, 'stream')?.get : undefined;
  const nativeSet = nativeProto ? (nativeProto as { setConstraints?: (c: object) => void }).setConstraints : undefined;
  const nativeStream = nativeStreamGet ? (el: Element) => apply(nativeStreamGet, el, []) as MediaStream | null : null;
  const controllers = new SafeWeakMap<object, Controller>();
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  const env: Env = {
    mode,
    api,
    getUserMedia: (c) => apply(getUserMedia, navigator.mediaDevices, [c]) as Promise<MediaStream>,
    nativeStream: nativeStream ?? undefined,
    nativeSetConstraints: nativeSet
      ? (el, c) => {
          apply(nativeSet, el, [c]);
        }
      : undefined,
    all: [],
  };
  const proto = defineUserMediaInterface(
    mode,
    api,
    (el) => (el !== null && typeof el === 'object' ? controllers.get(el) : undefined),
    nativeStream,
  );

  (api.feature as UsermediaCore).drain((el) => {
    if (!api.enabled() || !(el instanceof HTMLElement) || el.ownerDocument !== document) return;
    let c = controllers.get(el);
    if (!c) {
      c = new Controller(el, env);
      controllers.set(el, c);
      push(env.all, c);
      upgrade(el, proto, mode, c);
    }
    c.attached();
  });
}

announceChunk('usermedia-element', start);
