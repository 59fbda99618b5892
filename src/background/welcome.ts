import browser from 'webextension-polyfill';

const WELCOME = 'welcome/welcome.html';
/** Chromium hands policy to a freshly installed extension a few seconds after onInstalled. */
const POLICY_GRACE_MS = 30_000;

const hasPolicy = (managed: Record<string, unknown> | undefined): boolean =>
  !!managed && ('settings' in managed || 'sites' in managed);

/** Installed by the administrator (force-installed, or configured through storage.managed). */
async function managedInstall(): Promise<boolean> {
  const self = await browser.management?.getSelf?.().catch(() => null);
  if (self?.installType === 'admin') return true;
  return hasPolicy(await browser.storage.managed.get().catch(() => undefined));
}

/**
 * Opens the first-run page once, on installation (not on updates or reloads), and not where an
 * administrator deployed MediaGate: the people of an organisation did not choose to install it, and a
 * tab at every new profile is noise. A policy that arrives just after the page opened closes it.
 */
export function watchInstall(): void {
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason !== 'install') return;
    void (async () => {
      if (await managedInstall()) return;
      const tab = await browser.tabs.create({ url: browser.runtime.getURL(WELCOME) });
      const onChanged = (changes: Record<string, browser.Storage.StorageChange>, area: string) => {
        if (area !== 'managed' || !('settings' in changes || 'sites' in changes)) return;
        browser.storage.onChanged.removeListener(onChanged);
        if (tab.id !== undefined) void browser.tabs.remove(tab.id).catch(() => undefined);
      };
      browser.storage.onChanged.addListener(onChanged);
      setTimeout(() => browser.storage.onChanged.removeListener(onChanged), POLICY_GRACE_MS);
    })();
  });
}
