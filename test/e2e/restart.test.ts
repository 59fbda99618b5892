// Decisions survive a browser restart with the same profile, and are enforced at once after it.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './helpers/browsers';
import { uiRequest } from './helpers/extension';
import { describeEachBrowser } from './helpers/suite';

describeEachBrowser('browser restart', { tmpDir: (name) => `mediagate-restart-${name}-`, launch: false }, (suite) => {
  it('a Block decided before the restart is still in the store and still refuses the site without a prompt', async () => {
    suite.tb = await launch(suite.name, { userDataDir: suite.tmp });
    let ui = await suite.tb.openExtensionPage('popup/popup.html');
    await uiRequest(ui, 'sites/set', { origin: suite.server.origin, kind: 'camera', state: 'block' });
    await suite.tb.close();
    suite.tb = await launch(suite.name, { userDataDir: suite.tmp });
    ui = await suite.tb.openExtensionPage('popup/popup.html');
    const table = await uiRequest(ui, 'sites/list', {});
    assert.equal(table[suite.server.origin]?.camera?.state, 'block');
    let opened = 0;
    suite.tb.browser.on('targetcreated', () => {
      opened++;
    });
    const page = await suite.tb.newPage();
    await page.goto(suite.server.url('/blank.html'));
    const r = await page.evaluate(() =>
      navigator.mediaDevices.getUserMedia({ video: true, semantics: 'user-chooses' } as MediaStreamConstraints).then(
        () => 'granted',
        (e) => e.name,
      ),
    );
    assert.equal(r, 'NotAllowedError');
    assert.equal(opened, 1, "only the test's own tab opened: no picker window");
  });
});
