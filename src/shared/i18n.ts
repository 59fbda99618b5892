// UI strings come from _locales; elements carry their message name in data-i18n.
import browser from 'webextension-polyfill';

export const t = (name: string, substitutions?: string | string[]): string =>
  browser.i18n.getMessage(name, substitutions) || name;

export function localize(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n!);
  document.documentElement.lang = browser.i18n.getUILanguage();
}
