import fc from 'fast-check';
import { isWebOrigin, webOriginOfSender, contentSettingsPattern } from '../../src/shared/origin';

describe('webOriginOfSender with sender.origin', () => {
  it('returns an http(s) origin as it is', () => {
    expect(webOriginOfSender({ origin: 'https://meet.example' })).toBe('https://meet.example');
    expect(webOriginOfSender({ origin: 'http://localhost:8080' })).toBe('http://localhost:8080');
    expect(webOriginOfSender({ origin: 'https://[::1]:8443' })).toBe('https://[::1]:8443');
  });

  it('prefers sender.origin over sender.url (the url of an about:blank or srcdoc frame is not its origin)', () => {
    expect(webOriginOfSender({ origin: 'https://meet.example', url: 'about:blank' })).toBe('https://meet.example');
    expect(webOriginOfSender({ origin: 'https://meet.example', url: 'https://other.example/x' })).toBe(
      'https://meet.example',
    );
  });

  it('returns null for a non-web origin and does not fall back to the url', () => {
    for (const origin of [
      'chrome-extension://abcdefghijklmnop',
      'moz-extension://1234-5678',
      'file://',
      'data:',
      'blob:https://a.example',
    ]) {
      expect(webOriginOfSender({ origin, url: 'https://fallback.example/' })).toBeNull();
    }
  });

  it('returns null for origin strings that are not a bare scheme://host[:port]', () => {
    for (const origin of [
      'https://a.example/',
      'https://a.example/path',
      'https://',
      'HTTPS://A.EXAMPLE',
      'ftp://a.example',
      ' https://a.example',
      'https:a.example',
    ]) {
      expect(webOriginOfSender({ origin })).toBeNull();
    }
  });

  it('never attributes an opaque origin ("null") to its URL; "" counts as absent', () => {
    expect(webOriginOfSender({ origin: 'null' })).toBeNull();
    expect(webOriginOfSender({ origin: 'null', url: 'about:blank' })).toBeNull();
    expect(webOriginOfSender({ origin: 'null', url: 'data:text/html,hi' })).toBeNull();
    expect(webOriginOfSender({ origin: '', url: 'https://a.example/x' })).toBe('https://a.example');
    expect(webOriginOfSender({ origin: 'null', url: 'https://a.example/sandboxed' })).toBeNull();
  });
});

describe('webOriginOfSender from sender.url (no sender.origin, as in Firefox)', () => {
  it('returns the origin of http and https urls', () => {
    expect(webOriginOfSender({ url: 'https://meet.example/room/1?x=y#z' })).toBe('https://meet.example');
    expect(webOriginOfSender({ url: 'http://meet.example:8080/' })).toBe('http://meet.example:8080');
    expect(webOriginOfSender({ url: 'https://meet.example:443/' })).toBe('https://meet.example');
    expect(webOriginOfSender({ url: 'https://user:pw@meet.example/' })).toBe('https://meet.example');
    expect(webOriginOfSender({ url: 'HTTPS://MEET.EXAMPLE/' })).toBe('https://meet.example');
  });

  it('returns null for non-web urls', () => {
    for (const url of [
      'file:///home/me/a.html',
      'about:blank',
      'about:srcdoc',
      'chrome-extension://abc/popup.html',
      'moz-extension://1234/popup.html',
      'data:text/html,<p>',
      'blob:https://a.example/1234',
      'javascript:alert(1)',
      'ftp://a.example/',
      'view-source:https://a.example/',
    ]) {
      expect(webOriginOfSender({ url })).toBeNull();
    }
  });

  it('returns null for malformed urls without throwing', () => {
    for (const url of [
      'not a url',
      'https://',
      'http://[::1',
      '://a.example',
      '/relative/path',
      'https://a b.example/',
    ]) {
      expect(webOriginOfSender({ url })).toBeNull();
    }
  });

  it('returns null when there is neither origin nor url', () => {
    expect(webOriginOfSender({})).toBeNull();
    expect(webOriginOfSender({ url: '' })).toBeNull();
    expect(webOriginOfSender({ id: 'x', tab: { id: 1 }, frameId: 0 })).toBeNull();
  });

  it('never throws, and returns null or a web origin', () => {
    const str = fc.oneof(
      fc.string(),
      fc.webUrl(),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.constantFrom('null', 'about:blank', 'file:///x', 'https://a.example'),
    );
    fc.assert(
      fc.property(fc.record({ origin: str, url: str }, { requiredKeys: [] }), (sender) => {
        const o = webOriginOfSender(sender);
        expect(o === null || isWebOrigin(o)).toBe(true);
      }),
    );
  });
});

describe('isWebOrigin', () => {
  it('accepts scheme://host[:port] for http and https only', () => {
    expect(isWebOrigin('https://a.example')).toBe(true);
    expect(isWebOrigin('http://a.example:1')).toBe(true);
    expect(isWebOrigin('https://a.example/')).toBe(false);
    expect(isWebOrigin('wss://a.example')).toBe(false);
    expect(isWebOrigin('null')).toBe(false);
  });

  it('accepts only the form the browser serialises, of a length DNS allows (corrupt stored keys)', () => {
    expect(isWebOrigin('https://[::1]:8443')).toBe(true);
    expect(isWebOrigin('HTTPS://A.example')).toBe(false);
    expect(isWebOrigin('https://a.example:443')).toBe(false);
    expect(isWebOrigin('http://a b.example')).toBe(false);
    expect(isWebOrigin('http://a.example?x')).toBe(false);
    expect(isWebOrigin(`http://${'x'.repeat(249)}.com`)).toBe(true);
    expect(isWebOrigin(`http://${'x'.repeat(200_000)}.example`)).toBe(false);
  });
});

describe('contentSettingsPattern', () => {
  it('names the port, so that a decision holds for its own origin only', () => {
    expect(contentSettingsPattern('http://localhost:3000')).toBe('http://localhost:3000/*');
    expect(contentSettingsPattern('https://example.com')).toBe('https://example.com:443/*');
    expect(contentSettingsPattern('http://example.com')).toBe('http://example.com:80/*');
    expect(contentSettingsPattern('http://[::1]:8443')).toBe('http://[::1]:8443/*');
  });
});
