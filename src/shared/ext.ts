// The extension API for content scripts, without webextension-polyfill: the polyfill costs parse and
// set-up time in every frame of every page, and both target browsers' MV3 APIs return promises
// (Firefox's `browser`, Chromium's `chrome`). Extension pages and the background use the polyfill.
import type Browser from 'webextension-polyfill';

export const ext: typeof Browser =
  (globalThis as unknown as { browser?: typeof Browser }).browser ??
  (globalThis as unknown as { chrome: typeof Browser }).chrome;
