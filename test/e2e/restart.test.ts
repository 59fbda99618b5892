// Decisions survive a browser restart with the same profile, and are enforced at once after it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BROWSERS, launch, type TestBrowser } from './helpers/browsers';
import { startServer, type FixtureServer } from './helpers/server';
import { uiRequest } from './helpers/extension';

for (const name of BROWSERS) {
  describe(`browser restart (${name})`, () => {
    let server: FixtureServer;
    let profile: string;
    let tb: TestBrowser | undefined;
    before(async () => {
      server = await startServer();
      profile = await mkdtemp(path.join(os.tmpdir(), `mediagate-restart-${name}-`));
    });
    after(async () => { await tb?.close(); await server?.close(); await rm(profile, { recursive: true, force: true }); });

    it('a Block decided before the restart is still in the store and still refuses the site without a prompt', async () => {
      tb = await launch(name, { userDataDir: profile });
      let ui = await tb.openExtensionPage('popup/popup.html');
      await uiRequest(ui, 'sites/set', { origin: server.origin, kind: 'camera', state: 'block' });
      await tb.close();
      tb = await launch(name, { userDataDir: profile });
      ui = await tb.openExtensionPage('popup/popup.html');
      const table = await uiRequest(ui, 'sites/list', {});
      assert.equal(table[server.origin]?.camera?.state, 'block');
      let opened = 0;
      tb.browser.on('targetcreated', () => { opened++; });
      const page = await tb.newPage();
      await page.goto(server.url('/blank.html'));
      const r = await page.evaluate(() => navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints).then(() => 'granted', (e) => e.name));
      assert.equal(r, 'NotAllowedError');
      assert.equal(opened, 1, 'only the test\'s own tab opened: no picker window');
    });
  });
}
