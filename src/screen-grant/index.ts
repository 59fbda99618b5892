// The screen-capture grant window: the "application permission" a site needs before it may capture
// other tabs or the screen. It explains the risk once; the answer is remembered per site and level.
import { uiRequest } from '../shared/ui-client';
import { localize, t } from '../shared/i18n';
import { guardInput } from '../shared/input-guard';

const grantId = new URLSearchParams(location.search).get('id') ?? '';
const $ = (id: string) => document.getElementById(id)!;

function gone(): void {
  $('gone').hidden = false;
  for (const id of ['allow', 'block']) ($(id) as HTMLButtonElement).disabled = true;
}

async function render(): Promise<void> {
  const state = await uiRequest('screen-grant/get', { grantId }).catch(() => null);
  if (!state) {
    gone();
    return;
  }
  $('origin').textContent = state.origin;
  $('wants').textContent = t(state.source === 'browser' ? 'grantWantsBrowser' : 'grantWantsScreen');
  $('what').textContent = t(state.source === 'browser' ? 'grantRiskBrowser' : 'grantRiskScreen');
  document.title = t('grantWindowTitle');
  // The safe answer has the focus: Enter on a window that popped up unasked must not grant.
  $('block').focus();
}

async function decide(decision: 'allow' | 'block'): Promise<void> {
  const done = await uiRequest('screen-grant/decide', { grantId, decision }).catch(() => false);
  if (!done) gone();
  else window.close();
}

$('allow').addEventListener('click', () => {
  void decide('allow');
});
$('block').addEventListener('click', () => {
  void decide('block');
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') window.close();
});
// The request waits in the background's memory: asking now and then keeps a service worker awake.
setInterval(() => {
  void uiRequest('screen-grant/get', { grantId }).catch(() => null);
}, 20000);
localize(document);
guardInput();
void render();
