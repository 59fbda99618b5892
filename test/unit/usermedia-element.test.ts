// The <usermedia> element's pure rules: its type from constraints, and the permission element's style checks.
import fc from 'fast-check';
import {
  fromObject,
  gumConstraints,
  nativeConstraints,
  parseConstraintsText,
  typeOf,
} from '../../src/injected/usermedia-element/chunk/constraints';
import {
  contrast,
  parseColor,
  styleValid,
  type StyleFacts,
} from '../../src/injected/usermedia-element/chunk/style-rules';
import { useCoreNatives } from '../../src/injected/chunk-natives';
import type { ChunkNatives } from '../../src/injected/chunks';

// In the page the core hands its captured built-ins over before the chunk starts; here, Node's.
beforeAll(() => useCoreNatives({ parseJson: JSON.parse, isArray: Array.isArray } as unknown as ChunkNatives));

describe('element type from constraints', () => {
  it('audio, video, both, or invalid', () => {
    expect(typeOf(parseConstraintsText('{"video": true}'))).toBe('video');
    expect(typeOf(parseConstraintsText('{"audio": {"echoCancellation": false}}'))).toBe('audio');
    expect(typeOf(parseConstraintsText('{"audio": true, "video": {"width": 640}}'))).toBe('audio-video');
    for (const text of [
      '{}',
      '{"audio": false, "video": 0}',
      '[true]',
      'true',
      '"video"',
      'null',
      '{video: true}',
      '',
    ]) {
      expect(typeOf(parseConstraintsText(text))).toBeNull();
    }
    expect(typeOf(null)).toBeNull();
  });
  it("getUserMedia gets the page's track constraints; Chromium's setConstraints gets dictionaries only", () => {
    const c = fromObject({ audio: true, video: { width: 640 } })!;
    expect(gumConstraints(c)).toEqual({ audio: true, video: { width: 640 } });
    expect(gumConstraints(c, 'user-chooses')).toEqual({
      audio: true,
      video: { width: 640 },
      semantics: 'user-chooses',
    });
    expect(nativeConstraints(c)).toEqual({ audio: {}, video: { width: 640 } });
    expect(nativeConstraints(fromObject({ video: 1 })!)).toEqual({ video: {} });
  });
  it('property: the type is exactly which of audio/video is truthy', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (audio, video) => {
        const t = typeOf(fromObject({ audio, video }));
        const expected = audio && video ? 'audio-video' : audio ? 'audio' : video ? 'video' : null;
        expect(t).toBe(expected);
      }),
    );
  });
});

describe('style rules', () => {
  const base: StyleFacts = {
    color: 'rgb(0, 0, 0)',
    backgrounds: ['rgba(0, 0, 0, 0)', 'rgb(255, 255, 255)'],
    fontSizePx: 16,
    opacity: 1,
    visibility: 'visible',
    width: 200,
    height: 36,
  };
  it('parses computed colours', () => {
    expect(parseColor('rgb(1, 2, 3)')).toEqual({ r: 1, g: 2, b: 3, a: 1 });
    expect(parseColor('rgba(1, 2, 3, 0.5)')).toEqual({ r: 1, g: 2, b: 3, a: 0.5 });
    expect(parseColor('rgb(1 2 3 / 50%)')).toEqual({ r: 1, g: 2, b: 3, a: 0.5 });
    expect(parseColor('transparent')).toEqual({ r: 0, g: 0, b: 0, a: 0 });
    for (const bad of ['red', 'rgb(300, 0, 0)', 'rgb(1, 2)', 'color(srgb 1 0 0)', ''])
      expect(parseColor(bad)).toBeNull();
  });
  it('contrast is WCAG 2: black on white 21, equal colours 1', () => {
    expect(contrast(parseColor('rgb(0, 0, 0)')!, parseColor('rgb(255, 255, 255)')!)).toBeCloseTo(21, 5);
    expect(contrast(parseColor('rgb(119, 119, 119)')!, parseColor('rgb(136, 136, 136)')!)).toBeLessThan(3);
  });
  it('a readable, normal-sized, visible element is valid; each violation makes it invalid', () => {
    expect(styleValid(base)).toBe(true);
    expect(styleValid({ ...base, color: 'rgb(119, 119, 119)', backgrounds: ['rgb(136, 136, 136)'] })).toBe(false);
    expect(styleValid({ ...base, color: 'rgba(0, 0, 0, 0.1)' })).toBe(false);
    expect(styleValid({ ...base, fontSizePx: 12 })).toBe(false);
    expect(styleValid({ ...base, fontSizePx: 33 })).toBe(false);
    expect(styleValid({ ...base, opacity: 0.5 })).toBe(false);
    expect(styleValid({ ...base, visibility: 'hidden' })).toBe(false);
    expect(styleValid({ ...base, width: 2000 })).toBe(false);
    expect(styleValid({ ...base, height: 400 })).toBe(false);
    expect(styleValid({ ...base, color: 'nonsense' })).toBe(false);
    // White text on a dark page background shows through the element's transparent background.
    expect(
      styleValid({ ...base, color: 'rgb(255, 255, 255)', backgrounds: ['rgba(0, 0, 0, 0)', 'rgb(20, 20, 20)'] }),
    ).toBe(true);
  });
  it('property: swapping text and background colours never changes validity', () => {
    const rgb = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
      .map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`);
    fc.assert(
      fc.property(rgb, rgb, (a, b) => {
        expect(styleValid({ ...base, color: a, backgrounds: [b] })).toBe(
          styleValid({ ...base, color: b, backgrounds: [a] }),
        );
      }),
    );
  });
});
