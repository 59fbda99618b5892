// Injects a lazily loaded main-world chunk into the one frame that asked for it. The frame comes from
// the runtime sender, the file from MediaGate's own list: a page can only make MediaGate run its own
// code, in its own frame, which it could have had anyway by using the feature.
import browser from 'webextension-polyfill';
import { CHUNKS, type ChunkName, type ChunkStrings } from '../../shared/chunks';

export async function loadChunk(tabId: number, frameId: number, name: ChunkName): Promise<ChunkStrings> {
  const chunk = CHUNKS[name];
  await browser.scripting.executeScript({
    target: { tabId, frameIds: [frameId] },
    files: [chunk.file],
    world: 'MAIN',
    injectImmediately: true,
  });
  const strings: ChunkStrings = {};
  for (const key of chunk.strings) strings[key] = browser.i18n.getMessage(key) || key;
  return strings;
}
