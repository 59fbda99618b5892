// Background entry: Chromium runs it as the MV3 service worker, Firefox as the event page. Listeners
// are registered synchronously at start so a worker woken by an event handles that event.
import browser from 'webextension-polyfill';
import { route } from './router';
import { watchTabs } from './calls';
import { watchInstall } from './welcome';
import { watchPickerWindows } from './picker';
import { watchCommands } from './commands';
import { watchInstallForReinjection } from './reinject';
import { watchGrantWindows, watchSharingTabs } from './screen-capture';
import { watchVisits } from './permissions/visit-grants';
import { watchPolicy } from './settings';
import { ensureHandoffKey } from '../shared/storage';

browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) =>
  route(message, sender),
);
watchTabs();
watchInstall();
watchPickerWindows();
watchCommands();
watchInstallForReinjection();
watchGrantWindows();
watchSharingTabs();
watchVisits();
watchPolicy();
// Made at the first start, before most pages ask for it (a content script makes it where it is missing).
void ensureHandoffKey().catch(() => undefined);
