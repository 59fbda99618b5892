// Per-origin lists an administrator pushes through policy (storage.managed "sites"): for camera,
// microphone and screen capture, origins to allow and origins to block. Block wins over allow, and
// policy wins over whatever the person decided. Pure, so unit tested.
import { isRecord, isString, quoted } from './validate';
import type { SiteView } from './settings';

export const POLICY_KINDS = ['camera', 'microphone', 'screen'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];
export interface PolicyLists {
  allow: string[];
  block: string[];
}
export type SitePolicy = Record<PolicyKind, PolicyLists>;

export const EMPTY_SITE_POLICY: SitePolicy = {
  camera: { allow: [], block: [] },
  microphone: { allow: [], block: [] },
  screen: { allow: [], block: [] },
};
const MAX_PATTERNS = 1000;

/**
 * Origin patterns: "*" (every origin), or scheme://host[:port] where scheme is http, https or *,
 * host may begin with "*." (the domain and its subdomains), and a missing port means any port.
 */
const PATTERN = /^(\*|https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\*|\d{1,5}))?\/?$/i;

export function isOriginPattern(p: unknown): p is string {
  return isString(p) && p.length <= 300 && (p === '*' || PATTERN.test(p));
}

export function matchesOrigin(pattern: string, origin: string): boolean {
  if (pattern === '*') return true;
  const m = PATTERN.exec(pattern);
  if (!m) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return false;
  if (m[1] !== '*' && m[1]!.toLowerCase() !== scheme) return false;
  const host = m[3]!.toLowerCase();
  const actual = url.hostname.toLowerCase();
  if (m[2] ? !(actual === host || actual.endsWith(`.${host}`)) : actual !== host) return false;
  const port = m[4];
  if (port && port !== '*') {
    const actualPort = url.port || (scheme === 'https' ? '443' : '80');
    if (String(Number(port)) !== actualPort) return false;
  }
  return true;
}

/** Keeps the valid part of the policy's "sites"; everything else is dropped with a warning. */
export function parseSitePolicy(raw: unknown, warn: (m: string) => void = () => undefined): SitePolicy {
  const out: SitePolicy = {
    camera: { allow: [], block: [] },
    microphone: { allow: [], block: [] },
    screen: { allow: [], block: [] },
  };
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw)) {
    warn('policy: "sites" is not an object; ignored');
    return out;
  }
  for (const [kind, lists] of Object.entries(raw)) {
    if (!(POLICY_KINDS as readonly string[]).includes(kind)) {
      warn(`policy: unknown kind ${quoted(kind)} in "sites" ignored`);
      continue;
    }
    if (!isRecord(lists)) {
      warn(`policy: sites.${kind} is not an object; ignored`);
      continue;
    }
    for (const [list, patterns] of Object.entries(lists)) {
      if (list !== 'allow' && list !== 'block') {
        warn(`policy: sites.${kind}: member ${quoted(list)} ignored (allow or block)`);
        continue;
      }
      if (!Array.isArray(patterns)) {
        warn(`policy: sites.${kind}.${list} is not a list; ignored`);
        continue;
      }
      for (const p of patterns.slice(0, MAX_PATTERNS)) {
        if (isOriginPattern(p)) out[kind as PolicyKind][list].push(p);
        else warn(`policy: sites.${kind}.${list}: ${quoted(p)} is not an origin pattern; ignored`);
      }
    }
  }
  return out;
}

/** What policy says for an origin: block beats allow; null when policy says nothing. */
export function policyDecision(policy: SitePolicy, kind: PolicyKind, origin: string): 'allow' | 'block' | null {
  const lists = policy[kind];
  if (lists.block.some((p) => matchesOrigin(p, origin))) return 'block';
  if (lists.allow.some((p) => matchesOrigin(p, origin))) return 'allow';
  return null;
}

/** Whether policy says anything at all (the options page shows the lists read-only). */
export const hasSitePolicy = (p: SitePolicy): boolean =>
  POLICY_KINDS.some((k) => p[k].allow.length + p[k].block.length > 0);

/** The frame's site view with policy applied on top of the person's decisions. */
export function withPolicy(view: SiteView, policy: SitePolicy, origin: string | null): SiteView {
  if (!origin) return view;
  const out = { ...view };
  for (const kind of ['camera', 'microphone'] as const) {
    const d = policyDecision(policy, kind, origin);
    if (!d) continue;
    out[kind] = d;
    // An origin the administrator allowed counts as allowed for the label policy as well.
    out[kind === 'camera' ? 'cameraAllowedViaPicker' : 'microphoneAllowedViaPicker'] = d === 'allow';
  }
  return out;
}
