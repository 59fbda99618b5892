// Injects a lazily loaded main-world chunk into the one frame that asked for it. The frame comes from
// the runtime sender, the file from MediaGate's own list: a page can only make MediaGate run its own
// code, in its own frame, which it could have had anyway by using the feature.
import browser from 'webextension-polyfill';
import { ASSETS, chunkInfo, type AssetName, type ChunkName, type ChunkStrings } from '../../shared/chunks';

export async function loadChunk(tabId: number, frameId: number, name: ChunkName): Promise<ChunkStrings> {
  const chunk = chunkInfo(name);
  const results = await browser.scripting.executeScript({
    target: { tabId, frameIds: [frameId] },
    files: [chunk.file],
    world: 'MAIN',
    injectImmediately: true,
  });
  // The chunk's last statement is __CHUNK_DONE__: anything else means it threw before it announced
  // itself (a page can break a built-in the chunk reads), and the core must not take an announcement.
  if (results.length !== 1 || results[0]!.result !== __CHUNK_DONE__) throw new Error(`chunk ${name} did not load`);
  const strings: ChunkStrings = {};
  for (const key of chunk.strings) strings[key] = browser.i18n.getMessage(key) || key;
  return strings;
}

const assetCache = new Map<AssetName, string>();

/** A bundled binary as base64 (runtime messages carry JSON in Chromium). */
export async function loadAsset(name: AssetName): Promise<string> {
  const cached = assetCache.get(name);
  if (cached) return cached;
  const bytes = new Uint8Array(await (await fetch(browser.runtime.getURL(ASSETS[name]))).arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const b64 = btoa(binary);
  assetCache.set(name, b64);
  return b64;
}
