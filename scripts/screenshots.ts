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
  await page.evaluate(() => {
    void navigator.mediaDevices.getUserMedia({
      video: true,
      audio: true,
      semantics: 'user-chooses',
    } as MediaStreamConstraints);
  });
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
  // The call window: the MediaGate button on the call page opens Document Picture-in-Picture.
  await page.bringToFront();
  const before = new Set(await tb.browser.pages());
  const button = await waitFor(
    () =>
      page.evaluate(() => {
        const r = document.querySelector('[data-mediagate=call]')?.getBoundingClientRect();
        return r ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
      }),
    'the call button',
  );
  await page.mouse.click(button.x, button.y);
  const pipWindow = await waitFor(
    async () => (await tb.browser.pages()).find((p) => !before.has(p)) ?? null,
    'the call window',
    5000,
  ).catch(() => null);
  if (pipWindow) {
    await new Promise((r) => setTimeout(r, 800));
    await pipWindow.screenshot({ path: path.join(out, 'call-window.png') });
  } else {
    console.log('no Document PiP window appeared (headless); the in-page window instead');
    await page.screenshot({ path: path.join(out, 'call-window.png') });
  }
  // The effect switches: a call whose microphone and camera MediaGate processes.
  const fx = await tb.newPage();
  await fx.setViewport({ width: 800, height: 600 });
  await fx.goto(server.url('/blank.html'));
  await fx.evaluate(async () => {
    const s = await navigator.mediaDevices.getUserMedia({
      audio: { voiceIsolation: true },
      video: { backgroundBlur: true },
    } as MediaStreamConstraints);
    const v = document.createElement('video');
    v.srcObject = s;
    v.muted = true;
    v.autoplay = true;
    document.body.append(v);
    for (const a of ['togglemicrophone', 'togglecamera', 'hangup'])
      navigator.mediaSession.setActionHandler(a as MediaSessionAction, () => undefined);
  });
  await new Promise((r) => setTimeout(r, 1000));
  const fxPopup = await tb.openExtensionPage('popup/popup.html');
  await fxPopup.setViewport({ width: 360, height: 220 });
  await new Promise((r) => setTimeout(r, 500));
  await fxPopup.screenshot({ path: path.join(out, 'popup-effects.png') });
  await fx.bringToFront();
  const fxBefore = new Set(await tb.browser.pages());
  const fxButton = await waitFor(
    () =>
      fx.evaluate(() => {
        const r = document.querySelector('[data-mediagate=call]')?.getBoundingClientRect();
        return r ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
      }),
    'the call button',
  );
  await fx.mouse.click(fxButton.x, fxButton.y);
  const fxWindow = await waitFor(
    async () => (await tb.browser.pages()).find((p) => !fxBefore.has(p)) ?? null,
    'the call window',
    5000,
  ).catch(() => null);
  if (fxWindow) {
    await new Promise((r) => setTimeout(r, 800));
    await fxWindow.screenshot({ path: path.join(out, 'call-window-effects.png') });
  }
} finally {
  await tb.close();
}

// The <usermedia> element as MediaGate draws it (Firefox: no native element), one row per state.
const ff = await launch('firefox');
try {
  const script = (c: string) => `<script type="permissionconstraints">${c}</script>`;
  server.route('/usermedia-states.html', {
    body: `<!doctype html><body style="font:16px sans-serif;margin:24px;display:grid;gap:18px;justify-items:start">
    <usermedia id="video">${script('{"video":true}')}</usermedia>
    <usermedia id="audio">${script('{"audio":true}')}</usermedia>
    <usermedia id="both">${script('{"audio":true,"video":true}')}</usermedia>
    <usermedia id="on">${script('{"audio":true}')}</usermedia>
    <usermedia id="off">${script('{"video":true}')}</usermedia>
    <usermedia id="icon" icon-only>${script('{"video":true}')}</usermedia>
    <usermedia id="styled" style="background:#1a73e8;color:#fff;border-radius:20px;font-size:18px">${script('{"video":true}')}</usermedia>
    <usermedia id="ended">${script('{"video":true}')}</usermedia>
    <div style="height:160px"></div></body>`,
  });
  const page = await ff.newPage();
  await page.setViewport({ width: 480, height: 560 });
  await page.goto(server.url('/usermedia-states.html'));
  await waitFor(() => page.evaluate(() => 'isValid' in (document.getElementById('video') as any)), 'upgraded');
  await page.evaluate(async () => {
    // (no named functions in here: tsx would wrap them in a helper the page does not have)
    const byId = document.getElementById.bind(document) as (id: string) => any;
    byId('on').stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    byId('off').stream = await navigator.mediaDevices.getUserMedia({ video: true });
    byId('off').enabled = false;
    const ended = await navigator.mediaDevices.getUserMedia({ video: true });
    byId('ended').stream = ended;
    ended.getTracks().forEach((t) => t.stop());
    byId('ended').stream = ended; // a re-render after the stop
  });
  await new Promise((r) => setTimeout(r, 300));
  // Opens the explanation of the problem badge (top right corner of the last button).
  const badge = await page.evaluate(() => {
    const r = document.getElementById('ended')!.getBoundingClientRect();
    return { x: r.right - 2, y: r.top + 2 };
  });
  await page.mouse.click(badge.x, badge.y);
  await new Promise((r) => setTimeout(r, 300));
  await page.screenshot({ path: path.join(out, 'usermedia-firefox.png') });
} finally {
  await ff.close();
  await server.close();
}
console.log(`screenshots in ${out}`);
