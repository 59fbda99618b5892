// `npm start`: builds MediaGate, serves the demo call page on localhost and opens a browser with the
// extension loaded on it. With a display the window is yours to use; without one (a server, CI) the
// browser runs headless, joins the demo call once and saves a screenshot, so you can see it worked.
//   BROWSER=firefox npm start      Firefox ESR instead of Chromium
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { launch, type BrowserName } from '../test/e2e/helpers/browsers';
import { startServer } from '../test/e2e/helpers/server';

const root = path.resolve(import.meta.dirname, '..');
process.env.MEDIAGATE_ROOT = root;
if (spawnSync(process.execPath, [path.join(root, 'build.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);

const name: BrowserName = process.env.BROWSER === 'firefox' ? 'firefox' : 'chromium';
const hasDisplay = !!(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const hasCamera = existsSync('/dev') && readdirSync('/dev').some((d) => d.startsWith('video'));

const server = await startServer(path.join(root, 'test/fixtures'));
const demo = server.url('/demo/');
const tb = await launch(name, {
  headless: !hasDisplay,
  fakeDevices: !hasCamera,
  // A person at a real window answers the browser's own permission prompt.
  fakeUi: !hasDisplay,
});
// The first-run page opens on installation; the demo goes in front of it.
const page = await tb.newPage();
await page.goto(demo);
await page.bringToFront();
console.log(
  `MediaGate ${name} is running on ${demo}${hasCamera ? '' : ' (fake camera and microphone: no camera found)'}`,
);

if (hasDisplay) {
  console.log('Close the browser window (or press Ctrl+C) to stop.');
  tb.browser.on('disconnected', () => {
    void server.close().then(() => process.exit(0));
  });
} else {
  await page.setViewport({ width: 1000, height: 760 });
  await page.bringToFront();
  await page.click('#start');
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('In a call'), {
    timeout: 15000,
    polling: 100,
  });
  await new Promise((r) => setTimeout(r, 1500));
  const shot = path.join(root, 'dist/demo-screenshot.png');
  await page.screenshot({ path: shot });
  console.log(`No display: the browser runs headless. It joined the demo call; screenshot: ${shot}`);
  console.log('Press Ctrl+C to stop (or set CI=true to stop right away).');
  if (process.env.CI) {
    await tb.close();
    await server.close();
    process.exit(0);
  }
}
const stop = async () => {
  await tb.close();
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => {
  void stop();
});
process.on('SIGTERM', () => {
  void stop();
});
