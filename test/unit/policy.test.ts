// Per-origin policy lists and the managed-storage schema.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isOriginPattern,
  matchesOrigin,
  parseSitePolicy,
  policyDecision,
  withPolicy,
  EMPTY_SITE_POLICY,
} from '../../src/shared/policy';
import { DEFAULT_SETTINGS, FEATURES } from '../../src/shared/settings';
import { FEATURE_RENAMES } from '../../src/shared/features';

describe('origin patterns', () => {
  it('accepts origins with wildcards, refuses paths, queries and other schemes', () => {
    for (const p of [
      '*',
      'https://meet.example.com',
      'http://localhost:8080',
      '*://example.com',
      'https://*.example.com',
      'http://localhost:*',
      'https://example.com/',
      'http://[::1]:3000',
    ]) {
      expect(isOriginPattern(p)).toBe(true);
    }
    for (const p of [
      '',
      'example.com',
      'https://example.com/path',
      'ftp://example.com',
      'https://ex*ample.com',
      'https://*',
      'https://example.com?x',
      'https://a b.com',
      42,
      null,
    ]) {
      expect(isOriginPattern(p)).toBe(false);
    }
  });
  it('matches scheme, host (with subdomains for *.) and port (any when absent)', () => {
    expect(matchesOrigin('https://*.example.com', 'https://a.b.example.com')).toBe(true);
    expect(matchesOrigin('https://*.example.com', 'https://example.com')).toBe(true);
    expect(matchesOrigin('https://*.example.com', 'https://badexample.com')).toBe(false);
    expect(matchesOrigin('https://example.com', 'http://example.com')).toBe(false);
    expect(matchesOrigin('*://example.com', 'http://example.com:8080')).toBe(true);
    expect(matchesOrigin('https://example.com:443', 'https://example.com')).toBe(true);
    expect(matchesOrigin('http://localhost:8080', 'http://localhost:8081')).toBe(false);
    expect(matchesOrigin('HTTPS://EXAMPLE.com', 'https://example.com')).toBe(true);
    expect(matchesOrigin('*', 'https://anything.test')).toBe(true);
    expect(matchesOrigin('*://example.com', 'file:///etc/passwd')).toBe(false);
    expect(matchesOrigin('https://example.com', 'not a url')).toBe(false);
  });
  it('property: a pattern made from an origin matches that origin and no other host', () => {
    fc.assert(
      fc.property(fc.webUrl(), fc.domain(), (u, other) => {
        const origin = new URL(u).origin;
        if (!isOriginPattern(origin)) return; // e.g. punycode-free hosts only
        expect(matchesOrigin(origin, origin)).toBe(true);
        const otherOrigin = `${new URL(u).protocol}//${other}`;
        if (new URL(otherOrigin).hostname !== new URL(origin).hostname)
          expect(matchesOrigin(origin, otherOrigin)).toBe(false);
      }),
    );
  });
});

describe('site policy', () => {
  it('keeps valid patterns, drops the rest with warnings', () => {
    const warnings: string[] = [];
    const p = parseSitePolicy(
      { camera: { allow: ['https://a.test', 'bad'], block: 'x' }, printer: {}, microphone: { deny: [] } },
      (w) => warnings.push(w),
    );
    expect(p.camera).toEqual({ allow: ['https://a.test'], block: [] });
    expect(warnings).toHaveLength(4);
    expect(parseSitePolicy('nonsense', () => undefined)).toEqual(EMPTY_SITE_POLICY);
    expect(parseSitePolicy(undefined)).toEqual(EMPTY_SITE_POLICY);
  });
  it('block beats allow; silence is null', () => {
    const p = parseSitePolicy({ camera: { allow: ['*'], block: ['https://*.ads.test'] } });
    expect(policyDecision(p, 'camera', 'https://x.ads.test')).toBe('block');
    expect(policyDecision(p, 'camera', 'https://meet.test')).toBe('allow');
    expect(policyDecision(p, 'microphone', 'https://meet.test')).toBeNull();
  });
  it('property: parsing never throws and never keeps an invalid pattern', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const p = parseSitePolicy(raw);
        for (const kind of ['camera', 'microphone', 'screen'] as const)
          for (const list of ['allow', 'block'] as const) expect(p[kind][list].every(isOriginPattern)).toBe(true);
      }),
    );
  });
  it("applies to the frame's site view over the person's decisions", () => {
    const view = {
      camera: 'allow',
      microphone: 'block',
      cameraAllowedViaPicker: true,
      microphoneAllowedViaPicker: false,
    } as const;
    const p = parseSitePolicy({ camera: { block: ['https://a.test'] }, microphone: { allow: ['https://a.test'] } });
    expect(withPolicy(view, p, 'https://a.test')).toEqual({
      camera: 'block',
      microphone: 'allow',
      cameraAllowedViaPicker: false,
      microphoneAllowedViaPicker: true,
    });
    expect(withPolicy(view, p, 'https://b.test')).toEqual(view);
    expect(withPolicy(view, p, null)).toEqual(view);
  });
});

describe('managed storage schema', () => {
  const schema = JSON.parse(readFileSync(path.join(__dirname, '../../managed-schema.json'), 'utf8'));
  it('describes every setting and every feature', () => {
    const settings = schema.properties.settings.properties;
    expect(Object.keys(settings).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    expect(Object.keys(settings.features.properties).sort()).toEqual(
      [...FEATURES, ...Object.keys(FEATURE_RENAMES)].sort(),
    );
    expect(Object.keys(schema.properties.sites.properties).sort()).toEqual(['camera', 'microphone', 'screen']);
  });
});
