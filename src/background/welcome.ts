import browser from 'webextension-polyfill';

/** Opens the first-run page once, on installation (not on updates or reloads). */
export function watchInstall(): void {
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('welcome/welcome.html') });
  });
}
