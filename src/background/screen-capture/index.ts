// getUserMedia({video: {mediaSource}}) in the background: policy, the application permission, and
// what each browser can capture. The main world only validated the call and opens what this answers.
import browser from 'webextension-polyfill';
import { loadEffectiveSettings, loadSitePolicy } from '../../shared/storage';
import { policyDecision } from '../../shared/policy';
import { grantNeeded } from '../../shared/screen-grants';
import { SCREEN_REFUSALS, type ScreenCaptureAnswer, type ScreenCaptureRequest } from '../../shared/protocol';
import { isOneOf } from '../../shared/validate';
import { askGrant, storedGrant } from './grants';
import { CaptureError, chooseDesktop, tabStreamId } from './chromium';
import { noteSharing } from './sharing';
import { legacySize } from './legacy-size';

export { decideGrant, grantState, listGrants, setGrantFromUi, watchGrantWindows } from './grants';
export { listSharing, stopSharing, watchSharingTabs } from './sharing';

export interface ScreenSender {
  tabId: number;
  frameId: number;
  origin: string;
  tab: browser.Tabs.Tab | undefined;
}

const LEVEL_TEXT = { browser: 'your other tabs', screen: 'your screen' } as const;

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/** Refusals are answers the page turns into its error; anything else thrown sends the page native. */
export async function openScreenCapture(sender: ScreenSender, req: ScreenCaptureRequest): Promise<ScreenCaptureAnswer> {
  try {
    const answer = await decide(sender, req);
    await noteSharing(sender.tabId, sender.frameId, sender.origin, req.source);
    return answer;
  } catch (e) {
    if (e instanceof CaptureError && isOneOf(e.name, SCREEN_REFUSALS))
      return { via: 'refused', name: e.name, message: e.message };
    throw e;
  }
}

async function decide(sender: ScreenSender, req: ScreenCaptureRequest): Promise<ScreenCaptureAnswer> {
  // Settings may have changed since the page got its snapshot. Not a refusal: the main world makes
  // the browser's own call.
  if (!(await loadEffectiveSettings()).features['screen-capture'])
    throw new Error('Screen capture is switched off in MediaGate');

  // What cannot work fails before any window opens.
  if (__BROWSER__ === 'firefox' && req.tabId !== undefined) {
    throw new CaptureError(
      'OverconstrainedError',
      'Firefox cannot capture a chosen tab: leave out tabId to share what Firefox offers',
    );
  }
  // Chromium opens its capture ids only in documents of the tab's own origin (a cross-origin frame
  // gets "AbortError: Error starting tab capture" after the person chose): refuse before asking.
  if (__BROWSER__ === 'chromium' && sender.tab?.url && originOf(sender.tab.url) !== sender.origin) {
    throw new CaptureError(
      'NotAllowedError',
      'In Chromium only the page of the tab itself, not a frame of another site, can capture through MediaGate',
    );
  }
  const level = grantNeeded(req.source, policyDecision(await loadSitePolicy(), 'screen', sender.origin));
  if (level === 'blocked')
    throw new CaptureError('NotAllowedError', `Your organisation does not allow ${sender.origin} to capture`);
  if (level) {
    let state = await storedGrant(sender.origin, level);
    if (state === 'ask') {
      // A window the person did not just cause, or for a tab not in front, does not take the keyboard.
      const focused =
        req.activated === true && !!(sender.tab && (await browser.tabs.get(sender.tabId).catch(() => null))?.active);
      const answer = await askGrant(sender.origin, level, focused);
      if (answer === 'dismissed') throw new CaptureError('NotAllowedError', 'The request was dismissed');
      state = answer;
    }
    if (state === 'block')
      throw new CaptureError('NotAllowedError', `${sender.origin} is not allowed to capture ${LEVEL_TEXT[level]}`);
  }

  if (__BROWSER__ === 'firefox') return { via: 'native' };
  // Only after the grant: a site refused capture learns nothing, not even which tab ids exist.
  let targetTab: browser.Tabs.Tab | null = null;
  if (__BROWSER__ === 'chromium' && req.tabId !== undefined) {
    targetTab = await browser.tabs.get(req.tabId).catch(() => null);
    if (!targetTab) throw new CaptureError('NotFoundError', `There is no tab ${req.tabId}`);
  }

  if (!sender.tab) throw new CaptureError('NotAllowedError', 'Only a page in a tab can capture');
  if (targetTab?.id !== undefined) {
    const streamId = await tabStreamId(targetTab.id, sender.tabId);
    if (streamId)
      return {
        via: 'tab',
        streamId,
        audio: req.audio,
        size: legacySize(req.size),
        mediaSource: 'browser',
        tabId: targetTab.id,
      };
    // Chromium did not let MediaGate take that tab silently: the person chooses the tab instead.
  }
  // desktopCapture does not tell which tab the person chose: no tabId then.
  const mediaSource = req.source === 'application' ? 'window' : req.source;
  return {
    via: 'desktop',
    ...(await chooseDesktop(req.source, req.audio, sender.tab)),
    size: legacySize(req.size),
    mediaSource,
  };
}
