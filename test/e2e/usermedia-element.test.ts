// The <usermedia> element: MediaGate's implementation in Firefox (no native element) and its layer
// over Chromium's minimal native element. Clicks are real (puppeteer mouse = trusted input).
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { waitFor } from './helpers/browsers';
import { setSettings, uiRequest } from './helpers/extension';
import { clickByName, pickerPage } from './helpers/picker';
import { describeEachBrowser } from './helpers/suite';

const VIDEO = '<script type="permissionconstraints">{"video": true}</script>';
const AUDIO = '<script type="permissionconstraints">{"audio": true}</script>';
const page = (
  body: string,
) => `<!doctype html><html><head><title>usermedia</title></head><body style="margin:20px;font:16px sans-serif">
${body}
<script>
  window.events = [];
  for (const el of document.querySelectorAll('usermedia')) {
    for (const t of ['streamready', 'userchangedenabled', 'validationstatuschange', 'error']) el.addEventListener(t, () => events.push(el.id + ':' + t));
  }
</script></body></html>`;

/** Waits until MediaGate upgraded the element and the 500 ms settling time is over. */
const settled = (p: Page, id: string) =>
  waitFor(
    () =>
      p.evaluate((i) => {
        const el = document.getElementById(i) as any;
        return el && 'isValid' in el && el.invalidReason !== 'recently_attached'
          ? { isValid: el.isValid, invalidReason: el.invalidReason }
          : null;
      }, id),
    `#${id} upgraded and settled`,
  );

const state = (p: Page, id: string) =>
  p.evaluate((i) => {
    const el = document.getElementById(i) as any;
    const tracks = el.stream ? (el.stream as MediaStream).getTracks().map((t) => `${t.kind}:${t.enabled}`) : null;
    return {
      enabled: el.enabled,
      tracks,
      attr: el.getAttribute('data-usermedia-state'),
      events: (window as any).events as string[],
    };
  }, id);

describeEachBrowser('<usermedia>', (suite) => {
  let ui: Page;
  before(async () => {
    ui = await suite.tb.openExtensionPage('popup/popup.html');
    // Chromium's native element asks the browser's own permission: grant it as a remembered choice would.
    for (const kind of ['camera', 'microphone'] as const)
      await uiRequest(ui, 'sites/set', { origin: suite.server.origin, kind, state: 'allow' });
  });

  it('is not loaded into pages without the element', async () => {
    suite.server.route('/plain.html', { body: page('<p>no element here</p>') });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/plain.html'));
    await new Promise((r) => setTimeout(r, 500));
    const iface = await p.evaluate(() => {
      const proto = (window as any).HTMLUserMediaElement?.prototype;
      return proto ? Object.getOwnPropertyNames(proto).includes('enabled') : 'absent';
    });
    // Firefox: no interface at all; Chromium: the native one, without MediaGate's additions.
    assert.equal(iface, suite.name === 'firefox' ? 'absent' : false);
    await p.close();
  });

  it('the journey: click -> stream, click -> muted, click -> unmuted, with events and state attribute', async () => {
    suite.server.route('/journey.html', { body: page(`<usermedia id="u">${VIDEO}</usermedia>`) });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/journey.html'));
    assert.deepEqual(await settled(p, 'u'), { isValid: true, invalidReason: '' });
    assert.equal((await state(p, 'u')).attr, 'idle');
    await p.click('#u');
    await waitFor(async () => (await state(p, 'u')).events.includes('u:streamready'), 'streamready');
    let s = await state(p, 'u');
    assert.ok(s.tracks?.includes('video:true'), `a live camera track: ${JSON.stringify(s)}`);
    assert.equal(s.enabled, true);
    assert.equal(s.attr, 'on');
    await p.click('#u');
    await waitFor(async () => (await state(p, 'u')).events.includes('u:userchangedenabled'), 'userchangedenabled');
    s = await state(p, 'u');
    assert.equal(s.enabled, false);
    // The associated tracks are the stream's tracks of the element's type. (Chromium's native element
    // also captures the microphone for a camera element; that track is not the element's to mute.)
    assert.ok(
      s.tracks!.filter((t) => t.startsWith('video:')).every((t) => t.endsWith(':false')),
      `every camera track disabled: ${JSON.stringify(s)}`,
    );
    assert.equal(s.attr, 'off');
    await p.click('#u');
    await waitFor(
      async () => (await state(p, 'u')).events.filter((e) => e === 'u:userchangedenabled').length === 2,
      'second userchangedenabled',
    );
    s = await state(p, 'u');
    assert.equal(s.enabled, true);
    assert.equal(s.attr, 'on');
    // The call is MediaGate's like any other (toolbar, shortcuts).
    const calls = await uiRequest(ui, 'calls/list', {});
    assert.ok(
      calls.some((c) => c.origin === suite.server.origin && c.tracks.some((t) => t.kind === 'video')),
      'the call is registered',
    );
    await p.close();
  });

  it('a stream obtained elsewhere can be associated; enabled sets the tracks', async () => {
    suite.server.route('/assoc.html', { body: page(`<usermedia id="a">${AUDIO}</usermedia>`) });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/assoc.html'));
    await settled(p, 'a');
    const r = await p.evaluate(async () => {
      const el = document.getElementById('a') as any;
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      el.stream = stream;
      const same = el.stream === stream;
      el.enabled = false;
      const off = stream.getAudioTracks()[0]!.enabled;
      let bad = '';
      try {
        el.stream = 42;
      } catch (e) {
        bad = (e as Error).name;
      }
      return {
        same,
        off,
        enabledNow: el.enabled,
        bad,
        events: ((window as any).events as string[]).filter((e) => !e.endsWith('validationstatuschange')),
      };
    });
    // Setting `stream` from script is not a person's request: no streamready.
    assert.deepEqual(r, { same: true, off: false, enabledNow: false, bad: 'TypeError', events: [] });
    await p.close();
  });

  it("associated tracks are the stream's tracks of the element's type: icon-only microphone and camera elements sharing one stream mute only their own", async () => {
    const BOTH = '<script type="permissionconstraints">{"audio": true, "video": true}</script>';
    suite.server.route('/shared.html', {
      body: page(
        `<usermedia id="both">${BOTH}</usermedia> <usermedia id="mic" icon-only>${AUDIO}</usermedia> <usermedia id="cam" icon-only>${VIDEO}</usermedia>`,
      ),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/shared.html'));
    for (const id of ['both', 'mic', 'cam']) await settled(p, id);
    await p.click('#both');
    await waitFor(async () => (await state(p, 'both')).events.includes('both:streamready'), 'streamready');
    const enabled = () =>
      p.evaluate(() => {
        const get = (id: string) => document.getElementById(id) as any;
        const s: MediaStream = get('both').stream;
        return {
          audio: s.getAudioTracks()[0]!.enabled,
          video: s.getVideoTracks()[0]!.enabled,
          both: get('both').enabled,
          mic: get('mic').enabled,
          cam: get('cam').enabled,
        };
      });
    await p.evaluate(() => {
      const get = (id: string) => document.getElementById(id) as any;
      get('mic').stream = get('both').stream;
      get('cam').stream = get('both').stream;
    });
    await p.click('#mic');
    await waitFor(async () => (await state(p, 'mic')).events.includes('mic:userchangedenabled'), 'mic clicked');
    // enabled is true while any associated track is enabled.
    assert.deepEqual(await enabled(), { audio: false, video: true, both: true, mic: false, cam: true });
    await p.click('#cam');
    await waitFor(async () => (await state(p, 'cam')).events.includes('cam:userchangedenabled'), 'cam clicked');
    assert.deepEqual(await enabled(), { audio: false, video: false, both: false, mic: false, cam: false });
    await p.click('#both');
    await waitFor(async () => (await state(p, 'both')).events.includes('both:userchangedenabled'), 'both clicked');
    assert.deepEqual(await enabled(), { audio: true, video: true, both: true, mic: true, cam: true });
    await p.evaluate(() => (document.getElementById('both') as any).stream.getTracks().forEach((t: any) => t.stop()));
    await p.close();
  });

  it('an element with an active associated stream is valid before any other check (a transparent icon-only button)', async () => {
    suite.server.route('/transparent.html', {
      body: page(
        `<usermedia id="m" icon-only style="color: transparent; background: transparent">${AUDIO}</usermedia>`,
      ),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/transparent.html'));
    assert.deepEqual(await settled(p, 'm'), { isValid: false, invalidReason: 'style_invalid' });
    const r = await p.evaluate(async () => {
      const el = document.getElementById('m') as any;
      el.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const withStream = { isValid: el.isValid, invalidReason: el.invalidReason };
      el.stream.getTracks().forEach((t: MediaStreamTrack) => t.stop());
      el.stream = null;
      return { withStream, without: { isValid: el.isValid, invalidReason: el.invalidReason } };
    });
    assert.deepEqual(r, {
      withStream: { isValid: true, invalidReason: '' },
      without: { isValid: false, invalidReason: 'style_invalid' },
    });
    await p.close();
  });

  it('inline handler attributes run as the browser runs its own: element scope, this, event; set, changed and removed', async () => {
    suite.server.route('/inline.html', {
      body: page(
        `<script>window.log = [];</script><usermedia id="u" onstreamready="log.push(['ready', this === document.getElementById('u'), error === null, stream !== null, event.type])" onuserchangedenabled="log.push(['changed', enabled])">${VIDEO}</usermedia>`,
      ),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/inline.html'));
    await settled(p, 'u');
    assert.equal(await p.evaluate(() => typeof (document.getElementById('u') as any).onstreamready), 'function');
    await p.click('#u');
    await waitFor(() => p.evaluate(() => (window as any).log.length === 1), 'the inline streamready handler ran');
    await p.click('#u');
    await waitFor(
      () => p.evaluate(() => (window as any).log.length === 2),
      'the inline userchangedenabled handler ran',
    );
    await p.evaluate(() =>
      document.getElementById('u')!.setAttribute('onuserchangedenabled', "log.push(['changed again', enabled])"),
    );
    await p.click('#u');
    await waitFor(() => p.evaluate(() => (window as any).log.length === 3), 'the changed attribute ran');
    const r = await p.evaluate(() => {
      const el = document.getElementById('u') as any;
      el.removeAttribute('onuserchangedenabled');
      return { log: (window as any).log, removed: el.onuserchangedenabled };
    });
    assert.deepEqual(r, {
      log: [
        ['ready', true, true, true, 'streamready'],
        ['changed', false],
        ['changed again', true],
      ],
      removed: null,
    });
    await p.evaluate(() => (document.getElementById('u') as any).stream.getTracks().forEach((t: any) => t.stop()));
    await p.close();
  });

  it("the page's CSP governs inline handler attributes: without 'unsafe-inline' they do not compile", async () => {
    suite.server.route('/inline-csp.html', {
      body: `<!doctype html><html><head><title>before</title></head><body style="margin:20px;font:16px sans-serif"><usermedia id="u" onstreamready="document.title = 'ran'">${VIDEO}</usermedia></body></html>`,
      headers: { 'content-security-policy': "default-src 'self'; script-src 'self'" },
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/inline-csp.html'));
    await settled(p, 'u');
    await p.click('#u');
    await waitFor(() => p.evaluate(() => !!(document.getElementById('u') as any).stream), 'a stream after the click');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      await p.evaluate(() => ({ title: document.title, handler: (document.getElementById('u') as any).onstreamready })),
      { title: 'before', handler: null },
    );
    await p.evaluate(() => (document.getElementById('u') as any).stream.getTracks().forEach((t: any) => t.stop()));
    await p.close();
  });

  it('untrusted clicks, clicks right after insertion and an invalid type do nothing', async () => {
    suite.server.route('/rules.html', {
      body: page(
        `<usermedia id="u">${VIDEO}</usermedia><br><br><usermedia id="bad"><script type="permissionconstraints">{}</script></usermedia>`,
      ),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/rules.html'));
    await settled(p, 'u');
    assert.deepEqual(await settled(p, 'bad'), { isValid: false, invalidReason: 'type_invalid' });
    await p.evaluate(() => {
      (document.getElementById('u') as HTMLElement).click();
    });
    await p.click('#bad');
    // A fresh element clicked at once (within 500 ms of insertion).
    const fresh = await p.evaluate(() => {
      const el = document.createElement('usermedia');
      el.id = 'fresh';
      el.innerHTML = '<script type="permissionconstraints">{"video": true}</script>';
      document.body.prepend(el);
      return true;
    });
    assert.ok(fresh);
    await waitFor(
      () => p.evaluate(() => 'isValid' in (document.getElementById('fresh') as any)),
      'fresh element upgraded',
    );
    const early = await p.evaluate(() => (document.getElementById('fresh') as any).invalidReason);
    await p.click('#fresh');
    await new Promise((r) => setTimeout(r, 1500));
    const r = await p.evaluate(() => ['u', 'bad', 'fresh'].map((i) => (document.getElementById(i) as any).stream));
    assert.equal(early, 'recently_attached');
    assert.deepEqual(r, [null, null, null]);
    assert.ok(!(await state(p, 'u')).events.some((e) => e.endsWith('streamready')));
    await p.close();
  });

  it('elements that arrive later inside a built subtree are found, the first and the next, and a moved one counts as just attached', async () => {
    suite.server.route('/later.html', { body: page('<p id="a">no element at first</p><div id="b"></div>') });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/later.html'));
    await new Promise((r) => setTimeout(r, 300));
    // The first element: nested in a subtree built detached, so only its root is an added node.
    await p.evaluate(() => {
      const box = document.createElement('section');
      box.innerHTML =
        '<div><span><usermedia id="first"><script type="permissionconstraints">{"video": true}</script></usermedia></span></div>';
      document.getElementById('a')!.after(box);
    });
    await settled(p, 'first');
    // The next ones: one built detached, one added into a subtree added in the same batch.
    await p.evaluate(() => {
      const outer = document.createElement('div');
      outer.innerHTML =
        '<ul><li><usermedia id="second"><script type="permissionconstraints">{"audio": true}</script></usermedia></li></ul>';
      document.body.append(outer);
      const inner = document.createElement('usermedia');
      inner.id = 'third';
      inner.innerHTML = '<script type="permissionconstraints">{"audio": true}</script>';
      outer.querySelector('li')!.append(inner);
    });
    await settled(p, 'second');
    await settled(p, 'third');
    // Moved into another container: the 500 ms rule starts again.
    const moved = await p.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.getElementById('b')!.append(document.getElementById('first')!);
          setTimeout(() => resolve((document.getElementById('first') as any).invalidReason), 50);
        }),
    );
    assert.equal(moved, 'recently_attached');
    assert.deepEqual(await settled(p, 'first'), { isValid: true, invalidReason: '' });
    await p.close();
  });

  it('an overlay makes the element occluded and a low-contrast style makes it style_invalid', async () => {
    suite.server.route('/cover.html', {
      body: page(`<usermedia id="u">${VIDEO}</usermedia><br><br>
        <usermedia id="grey" style="color:#777;background:#888">${VIDEO}</usermedia>
        <div id="cover" style="position:fixed;left:0;top:0;width:400px;height:60px;background:rgba(255,255,255,.95)"></div>`),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/cover.html'));
    assert.deepEqual(await settled(p, 'u'), { isValid: false, invalidReason: 'occluded' });
    assert.deepEqual(await settled(p, 'grey'), { isValid: false, invalidReason: 'style_invalid' });
    // Taking the overlay away makes the element valid again, with an event.
    await p.evaluate(() => document.getElementById('cover')!.remove());
    await waitFor(() => p.evaluate(() => (document.getElementById('u') as any).isValid), 'valid once uncovered', 4000);
    assert.ok((await state(p, 'u')).events.includes('u:validationstatuschange'));
    await p.close();
  });

  it('autostart starts at once where the site is allowed; at most three elements per type', async () => {
    suite.server.route('/auto.html', {
      body: page(`<usermedia id="auto" autostart>${AUDIO}</usermedia>
        ${[1, 2, 3, 4].map((i) => `<usermedia id="v${i}">${VIDEO}</usermedia>`).join(' ')}`),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/auto.html'));
    await waitFor(async () => (await state(p, 'auto')).events.includes('auto:streamready'), 'autostart streamready');
    assert.ok((await state(p, 'auto')).tracks?.includes('audio:true'));
    assert.equal((await settled(p, 'v3')).isValid, true);
    assert.deepEqual(await settled(p, 'v4'), { isValid: false, invalidReason: 'too_many_elements' });
    await p.close();
  });

  it('elements in closed shadow roots are upgraded; the interface looks native', async () => {
    suite.server.route('/shadow.html', { body: page('<div id="host"></div>') });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/shadow.html'));
    const r = await p.evaluate(async () => {
      const root = document.getElementById('host')!.attachShadow({ mode: 'closed' });
      root.innerHTML = '<usermedia><script type="permissionconstraints">{"audio": true}</script></usermedia>';
      const el = root.querySelector('usermedia') as any;
      for (let i = 0; i < 100 && !('isValid' in el); i++) await new Promise((res) => setTimeout(res, 50));
      const I = (window as any).HTMLUserMediaElement;
      const d = Object.getOwnPropertyDescriptor(I.prototype, 'enabled')!;
      let ctor = '';
      try {
        new I();
      } catch (e) {
        ctor = (e as Error).name;
      }
      let brand = '';
      try {
        d.get!.call(document.body);
      } catch (e) {
        brand = (e as Error).name;
      }
      return {
        upgraded: 'isValid' in el,
        instance: el instanceof I,
        name: I.name,
        getter: Function.prototype.toString.call(d.get).includes('[native code]') && d.get!.name === 'get enabled',
        setter: d.set!.name,
        ctor,
        brand,
        tag: Object.prototype.toString.call(el),
      };
    });
    assert.deepEqual(r, {
      upgraded: true,
      instance: true,
      name: 'HTMLUserMediaElement',
      getter: true,
      setter: 'set enabled',
      ctor: 'TypeError',
      brand: 'TypeError',
      tag: '[object HTMLUserMediaElement]',
    });
    await p.close();
  });

  it(
    "the dropdown arrow opens MediaGate's picker and associates the new stream (Firefox: MediaGate draws the arrow)",
    { skip: suite.name === 'chromium' && 'the native element has no arrow' },
    async () => {
      await setSettings(suite.tb, { alwaysShowPicker: true });
      suite.server.route('/choose.html', { body: page(`<usermedia id="u">${VIDEO}</usermedia>`) });
      const p = await suite.tb.newPage();
      try {
        await p.goto(suite.server.url('/choose.html'));
        await settled(p, 'u');
        const arrow = await p.evaluate(() => {
          const r = document.getElementById('u')!.getBoundingClientRect();
          return { x: r.right - 8, y: r.top + r.height / 2 };
        });
        await p.mouse.click(arrow.x, arrow.y);
        const picker = await pickerPage(suite.tb);
        await clickByName(picker, 'button', 'Allow');
        await waitFor(
          async () => (await state(p, 'u')).events.includes('u:streamready'),
          'streamready after the picker',
        );
        assert.ok((await state(p, 'u')).tracks?.includes('video:true'));
        // The arrow is no toggle: the main button was not clicked.
        assert.ok(!(await state(p, 'u')).events.includes('u:userchangedenabled'));
      } finally {
        await setSettings(suite.tb, { alwaysShowPicker: false });
        await p.close();
      }
    },
  );

  it('same-origin frames get the element too; switched off in the settings, the page keeps what the browser has', async () => {
    suite.server.route('/framed.html', {
      body: page(
        `<iframe id="f" srcdoc='<usermedia id="inner"><script type="permissionconstraints">{"video": true}</script></usermedia>'></iframe>`,
      ),
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/framed.html'));
    await waitFor(
      () =>
        p.evaluate(() => {
          const el = (document.getElementById('f') as HTMLIFrameElement).contentDocument?.getElementById(
            'inner',
          ) as any;
          return !!el && 'isValid' in el && el instanceof (el.ownerDocument.defaultView as any).HTMLUserMediaElement;
        }),
      'the element in the frame upgraded',
    );
    await setSettings(suite.tb, { features: { 'usermedia-element': false } });
    try {
      suite.server.route('/off.html', { body: page(`<usermedia id="u">${VIDEO}</usermedia>`) });
      await p.goto(suite.server.url('/off.html'));
      await new Promise((r) => setTimeout(r, 800));
      const r = await p.evaluate(() => {
        const el = document.getElementById('u') as any;
        return { mg: 'isValid' in el, iface: typeof (window as any).HTMLUserMediaElement };
      });
      assert.deepEqual(r, { mg: false, iface: suite.name === 'firefox' ? 'undefined' : 'function' });
    } finally {
      await setSettings(suite.tb, { features: {} });
      await p.close();
    }
  });

  it("works on a page whose CSP allows only its own scripts (MediaGate's code is injected by the browser, not by the page)", async () => {
    suite.server.route('/csp.html', {
      body: page(`<usermedia id="u">${VIDEO}</usermedia>`).replace(/<script>[\s\S]*?<\/script><\/body>/, '</body>'),
      headers: { 'content-security-policy': "default-src 'self'; script-src 'self'" },
    });
    const p = await suite.tb.newPage();
    await p.goto(suite.server.url('/csp.html'));
    assert.deepEqual(await settled(p, 'u'), { isValid: true, invalidReason: '' });
    await p.click('#u');
    await waitFor(() => p.evaluate(() => !!(document.getElementById('u') as any).stream), 'a stream after the click');
    await p.close();
  });

  it('a blocked site gets an error and the error event', async () => {
    suite.server.route('/blocked.html', { body: page(`<usermedia id="u">${VIDEO}</usermedia>`) });
    const p = await suite.tb.newPage();
    await uiRequest(ui, 'sites/set', { origin: suite.server.otherOrigin, kind: 'camera', state: 'block' });
    await p.goto(`${suite.server.otherOrigin}/blocked.html`);
    await settled(p, 'u');
    await p.click('#u');
    await waitFor(async () => (await state(p, 'u')).events.includes('u:error'), 'error event');
    assert.equal(await p.evaluate(() => (document.getElementById('u') as any).error?.name), 'NotAllowedError');
    // The capture the person asked for is over: streamready follows, and `error` says why there is no stream.
    await waitFor(async () => (await state(p, 'u')).events.includes('u:streamready'), 'streamready after the error');
    await p.close();
  });
});
