// Screenshots of MediaGate's UI in headless Chromium, for checking by eye: `npx tsx scripts/screenshots.ts`.
// Writes dist/screenshots/*.png.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { launch, waitFor } from '../test/e2e/helpers/browsers';
import { startServer } from '../test/e2e/helpers/server';

const root = path.resolve(import.meta.dirname, '..');
process.env.MEDIAGATE_ROOT = root;
spawnSync(process.execPath, [path.join(root, 'build.mjs')], { stdio: 'inherit' });
const out = path.join(root, 'dist/screenshots');
await mkdir(out, { recursive: true });
const server = await startServer(path.join(root, 'test/fixtures'));
const tb = await launch('chromium', { chromiumArgs: ['--use-fake-device-for-media-stream=device-count=3'] });
try {
  const page = await tb.newPage();
  await page.goto(server.url('/demo/'));
  await page.evaluate(() => { void navigator.mediaDevices.getUserMedia({ video: true, audio: true, semantics: 'user-chooses' } as MediaStreamConstraints); });
  const picker = await waitFor(async () => {
    for (const p of await tb.browser.pages()) if (p.url().includes('/picker/')) return p;
    return null;
  }, 'picker');
  await picker.setViewport({ width: 480, height: 640 });
  await new Promise((r) => setTimeout(r, 1500));
  await picker.screenshot({ path: path.join(out, 'picker.png') });
  await picker.keyboard.press('Tab');
  await picker.keyboard.press('ArrowDown');
  await picker.screenshot({ path: path.join(out, 'picker-keyboard.png') });
  await picker.close();
  await page.bringToFront();
  await page.click('#start');
  await new Promise((r) => setTimeout(r, 1000));
  const popup = await tb.openExtensionPage('popup/popup.html');
  await popup.setViewport({ width: 360, height: 240 });
  await new Promise((r) => setTimeout(r, 500));
  await popup.screenshot({ path: path.join(out, 'popup.png') });
  console.log(`screenshots in ${out}`);
} finally {
  await tb.close();
  await server.close();
}
