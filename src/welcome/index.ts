// First-run page. Firefox lets people withhold MV3 host access; without it MediaGate cannot run on
// sites, so this page says so and asks (permissions.request needs this click).
import browser from 'webextension-polyfill';
import { localize } from '../shared/i18n';

const ALL_SITES = { origins: ['http://*/*', 'https://*/*'] };

async function renderAccess(): Promise<void> {
  const granted = await browser.permissions.contains(ALL_SITES);
  const section = document.getElementById('access')!;
  section.hidden = false;
  document.getElementById('grant')!.hidden = granted;
  document.getElementById('granted')!.hidden = !granted;
}

document.getElementById('grant')!.addEventListener('click', () => {
  void browser.permissions.request(ALL_SITES).then(renderAccess);
});
localize(document);
void renderAccess();
