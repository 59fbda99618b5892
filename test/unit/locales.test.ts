// Every translation in _locales matches the English source: the same keys, non-empty messages, the same
// substitution tokens ($NAME$ and $1) in each message and the same "placeholders" objects.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

interface Placeholder {
  content: string;
  example?: string;
}
interface Message {
  message: string;
  description?: string;
  placeholders?: Record<string, Placeholder>;
}
type Messages = Record<string, Message>;

const ROOT = join(__dirname, '..', '..');
const LOCALES_DIR = join(ROOT, '_locales');

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const readMessages = (locale: string): Messages => readJson(join(LOCALES_DIR, locale, 'messages.json')) as Messages;

/** The substitution tokens of a message, sorted: named placeholders ($NAME$, case-insensitive) and $1..$9; "$$" is a literal "$". */
function tokens(message: string): string[] {
  const found: string[] = [];
  const re = /\$\$|\$([A-Za-z0-9_@]+)\$|\$([1-9])/g;
  for (let m = re.exec(message); m; m = re.exec(message)) {
    if (m[1] !== undefined) found.push(`$${m[1].toUpperCase()}$`);
    else if (m[2] !== undefined) found.push(`$${m[2]}`);
  }
  return found.sort();
}

/** The placeholders object with lower-cased names (Chrome treats the names case-insensitively). */
const placeholders = (entry: Message): Record<string, Placeholder> | undefined =>
  entry.placeholders &&
  Object.fromEntries(Object.entries(entry.placeholders).map(([name, p]) => [name.toLowerCase(), p]));

const en = readMessages('en');
const enKeys = Object.keys(en);
const locales = readdirSync(LOCALES_DIR)
  .filter((name) => statSync(join(LOCALES_DIR, name)).isDirectory() && name !== 'en')
  .sort();

describe('the English source', () => {
  it('is the default_locale of manifest.json', () => {
    const manifest = readJson(join(ROOT, 'manifest.json')) as { default_locale?: string };
    expect(manifest.default_locale).toBe('en');
  });

  it('has a non-empty message for every key, and placeholders for every named token it uses', () => {
    expect(enKeys.length).toBeGreaterThan(0);
    for (const key of enKeys) {
      const entry = en[key]!;
      expect({ key, message: typeof entry.message === 'string' && entry.message.trim() !== '' }).toEqual({
        key,
        message: true,
      });
      const named = tokens(entry.message)
        .filter((t) => t.endsWith('$'))
        .map((t) => t.slice(1, -1).toLowerCase());
      expect({ key, named: named.filter((name) => !placeholders(entry)?.[name]) }).toEqual({ key, named: [] });
    }
  });

  it('is not alone: the translations are there', () => {
    expect(locales).toEqual(expect.arrayContaining(['de', 'es', 'fr', 'ja']));
  });
});

describe.each(locales)('locale %s', (locale) => {
  const messages = readMessages(locale);
  const keys = Object.keys(messages);

  it('has exactly the keys of en', () => {
    const missing = enKeys.filter((key) => !Object.hasOwn(messages, key));
    const extra = keys.filter((key) => !Object.hasOwn(en, key));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it('has the keys in the order of en', () => {
    expect(keys.filter((key) => Object.hasOwn(en, key))).toEqual(enKeys.filter((key) => Object.hasOwn(messages, key)));
  });

  it('has a non-empty message for every key', () => {
    const empty = keys.filter(
      (key) => typeof messages[key]?.message !== 'string' || messages[key]!.message.trim() === '',
    );
    expect(empty).toEqual([]);
  });

  it('uses the same substitution tokens as en in every message', () => {
    const differing = enKeys
      .filter((key) => Object.hasOwn(messages, key) && typeof messages[key]!.message === 'string')
      .map((key) => ({ key, en: tokens(en[key]!.message), [locale]: tokens(messages[key]!.message) }))
      .filter((row) => !isDeepStrictEqual(row.en, row[locale]));
    expect(differing).toEqual([]);
  });

  it('has the same placeholders objects as en', () => {
    const differing = enKeys
      .filter((key) => Object.hasOwn(messages, key))
      .filter((key) => !isDeepStrictEqual(placeholders(en[key]!), placeholders(messages[key]!)))
      .map((key) => ({ key, en: en[key]!.placeholders, [locale]: messages[key]!.placeholders }));
    expect(differing).toEqual([]);
  });
});
