// The toolbar badge: is a microphone live in some tab ("ON", red) or are all calls muted ("OFF")?
import browser from 'webextension-polyfill';
import type { CallRecord } from '../../shared/protocol';
import { micOn } from '../../shared/call-view';
import { t } from '../../shared/i18n';

export async function showCallState(all: CallRecord[]): Promise<void> {
  // A page that only keeps its handlers registered after leaving is not in a call.
  const calls = all.filter((c) => c.tracks.length > 0);
  const states = calls.map(micOn).filter((s) => s !== undefined);
  const live = calls.find((c) => micOn(c) === true);
  // Talking while muted (MediaGate's own hint) comes first: it is what the person needs to know now.
  const talking = calls.find((c) => c.talkingWhileMuted);
  const text = talking ? t('badgeTalkingMuted') : live ? t('badgeMicOn') : states.length ? t('badgeMicOff') : '';
  const color = talking ? '#e37400' : live ? '#c5221f' : '#5f6368';
  const title = talking
    ? t('actionTitleTalkingMuted', talking.origin)
    : live
      ? t('actionTitleLive', live.origin)
      : t('actionTitle');
  // Every capture and every stop reports, and each of these calls is a trip to the browser's UI
  // process, which in Firefox also serves the page's getUserMedia calls: skip them when nothing changed.
  const key = `${text}\n${text ? color : ''}\n${title}`;
  if (key === shown) return;
  shown = key;
  try {
    await browser.action.setBadgeText({ text });
    if (text) await browser.action.setBadgeBackgroundColor({ color });
    await browser.action.setTitle({ title });
  } catch (e) {
    shown = '';
    throw e;
  }
}

/** What the toolbar button shows now, as last set by this worker ('' until it set anything). */
let shown = '';
