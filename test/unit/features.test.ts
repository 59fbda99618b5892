// The feature registry (src/shared/features.ts) is the one list of features: each one has what a
// feature needs outside its folders, or this fails (as refined-github's features test does).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHUNK_ENTRIES,
  FEATURE_REGISTRY,
  FEATURE_RENAMES,
  FEATURES,
  type FeatureEntry,
} from '../../src/shared/features';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const en = JSON.parse(read('_locales/en/messages.json')) as Record<string, { message: string }>;

/** The README's feature list: the lines between its two markers. */
function readmeFeatureLines(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('<!-- features:start -->');
  const end = readme.indexOf('<!-- features:end -->');
  if (start < 0 || end < start) return [];
  return readme
    .slice(start, end)
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '');
}
/** A README feature line stays a line: what it is, in a sentence, and a link to its page. */
const README_LINE_MAX = 220;

describe('the feature registry', () => {
  it('names each feature once, in lower-case words joined by hyphens', () => {
    expect(new Set(FEATURES).size).toBe(FEATURES.length);
    for (const name of FEATURES) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('gives every feature a default switch (on) in the settings', () => {
    expect(Object.keys(DEFAULT_SETTINGS.features)).toEqual([...FEATURES]);
    expect(Object.values(DEFAULT_SETTINGS.features).every((on) => on)).toBe(true);
  });

  describe.each(FEATURES.map((name) => [name, FEATURE_REGISTRY[name] as FeatureEntry] as const))(
    '%s',
    (name, feature) => {
      it('has its options-page label and hint in the English messages (the locales test holds the translations to them)', () => {
        for (const key of [feature.options.label, feature.options.hint])
          expect({ key, present: key in en }).toEqual({ key, present: true });
      });

      it('has its switch in the policy schema', () => {
        const schema = JSON.parse(read('managed-schema.json'));
        expect(schema.properties.settings.properties.features.properties[name]).toEqual({ type: 'boolean' });
      });

      it('has its main-world folder', () => {
        expect(existsSync(join(ROOT, 'src/injected', name, 'index.ts'))).toBe(true);
      });

      it('has its docs page, and one README line that links to it', () => {
        expect(existsSync(join(ROOT, `docs/features/${name}.md`))).toBe(true);
        const lines = readmeFeatureLines().filter((line) => line.includes(`(docs/features/${name}.md)`));
        expect(lines).toHaveLength(1);
        expect(lines[0]!.length).toBeLessThanOrEqual(README_LINE_MAX);
      });

      it('has e2e files that run in both browsers', () => {
        expect(feature.tests.length).toBeGreaterThan(0);
        for (const test of feature.tests) {
          const file = `test/e2e/${test}.test.ts`;
          expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
          // describeEachBrowser() (test/e2e/helpers/suite.ts) makes one suite per browser of BROWSERS.
          expect(read(file)).toMatch(/describeEachBrowser\(|for \(const name of BROWSERS\)/);
        }
      });
    },
  );

  it('lists every chunk with an entry file and localised strings that exist', () => {
    for (const [chunk, { entry, strings }] of Object.entries(CHUNK_ENTRIES)) {
      expect({ chunk, entry: existsSync(join(ROOT, entry)) }).toEqual({ chunk, entry: true });
      expect({ chunk, missing: strings.filter((key) => !(key in en)) }).toEqual({ chunk, missing: [] });
    }
  });

  it('the policy schema lists no feature the registry does not have', () => {
    const schema = JSON.parse(read('managed-schema.json'));
    const switches = schema.properties.settings.properties.features.properties;
    expect(Object.keys(switches)).toEqual([...FEATURES, ...Object.keys(FEATURE_RENAMES)]);
    for (const [old, now] of Object.entries(FEATURE_RENAMES)) {
      expect(switches[old]).toEqual({ type: 'boolean', description: `Deprecated: the old name of "${now}"` });
    }
  });

  it('the README lists no feature the registry does not have', () => {
    const linked = readmeFeatureLines().map((line) => /\(docs\/features\/([a-z-]+)\.md\)/.exec(line)?.[1]);
    expect(linked).toEqual([...FEATURES]);
  });
});
