// Token counting is exact (equal to OpenAI's tiktoken) and identical in both engines.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { afterAll, describe, expect, it } from 'vitest';
import { countTokens, engineInfo } from '../src/index.js';
import { ENCODINGS, type EncodingName } from '../src/engine/types.js';
import { corpusFiles, corpusPath, fullCorpus } from './support/corpus.js';
import { engines, forcedJs, js, nativeEngine, nativeReason } from './support/engines.js';

const tiktoken: Record<EncodingName, Tiktoken> = {
  o200k_base: get_encoding('o200k_base'),
  cl100k_base: get_encoding('cl100k_base'),
};
afterAll(() => {
  for (const e of ENCODINGS) tiktoken[e].free();
});

/** tiktoken's count with every special token treated as text. */
const reference = (text: string, encoding: EncodingName): number => tiktoken[encoding].encode(text, [], []).length;

function expectExact(text: string): void {
  for (const encoding of ENCODINGS) {
    const want = reference(text, encoding);
    for (const engine of engines()) {
      expect(engine.countTokens(text, encoding), `${engine.name} ${encoding} ${JSON.stringify(text.slice(0, 60))}`).toBe(want);
    }
  }
}

describe('engine selection', () => {
  it('uses the engine the environment asks for', () => {
    expect(engineInfo().engine).toBe(forcedJs ? 'js' : 'native');
    if (!forcedJs) expect(nativeReason).toBe('loaded');
  });
});

describe('exact counts', () => {
  const edgeCases: Record<string, string> = {
    empty: '',
    'single space': ' ',
    'whitespace runs': '  \t\t  \n\n\n   \r\n \u3000\u3000 x   ',
    'trailing whitespace': 'word   ',
    'U+FEFF': '\ufeffhello world',
    'U+0085': 'line\u0085next \u0085 \u0085\u0085x',
    'U+00A0': 'a\u00a0b \u00a0\u00a0 c\u00a0',
    CJK: '日本語のテキストと中文文本和한국어 텍스트',
    emoji: '😀 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽 ❤️',
    'combining marks': 'e\u0301 a\u0308\u0308 \u0301alone Z\u0351\u0352\u0353',
    'lone surrogates': 'a\ud800b \udc00c \ud83d',
    'special-token text': '<|endoftext|> <|endofprompt|><|fim_prefix|>hello<|im_start|>',
    contractions: "it's IT'S they'RE we've I'M you'll he'd 'ſ 'ſt",
    digits: '1234567890 3.14159 -42 1e400 0x1F',
    'mixed case': 'HTTPServerError camelCaseWord XMLHttpRequest ÀÉÎõü',
    'crlf and slashes': 'path/to/file\r\n/usr/bin//x\r\r\n',
  };
  for (const [name, text] of Object.entries(edgeCases)) {
    it(name, () => expectExact(text));
  }

  it('every corpus file', () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(fullCorpus ? 50 : 10);
    for (const f of files) expectExact(readFileSync(corpusPath(f), 'utf8'));
  });

  it('random latin1 text (fixed seed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 200 }), (s) => {
        expectExact(s);
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });

  it('random Unicode text (fixed seed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        expectExact(s);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('random strings over one character of every class the pattern distinguishes (fixed seed)', () => {
    // Lu, Ll, Lt, Lm, Lo, Mn, Nd, Nl, No, White_Space (ASCII and not, incl. U+0085, U+00A0, U+3000),
    // U+FEFF (not White_Space), the contraction letters and their folds, slash, punctuation, astral.
    const alphabet = [
      'a', 'Z', 'ǅ', 'ʰ', '中', '\u0301', '\u0903', '1', '٣', 'Ⅷ', '½', ' ', '\t', '\n', '\r', '\u000b',
      '\u00a0', '\u0085', '\u3000', '\u2028', '\ufeff', "'", 's', 'S', 'ſ', 't', 'r', 'e', 'v', 'm', 'l', 'L',
      'd', '/', '.', '!', '😀', '𝐀', '𝟙', '\u{1e900}',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }), (chars) => {
        expectExact(chars.join(''));
      }),
      { seed: 11, numRuns: 3000 },
    );
  });

  it('long runs of one character up to 20 kB', () => {
    // tiktoken itself is quadratic here, so the full 20 kB is checked on a few characters.
    for (const ch of ['a', ' ', '\n', '0', '.', 'é', '日', '😀', 'ab']) {
      for (const n of [63, 64, 65, 1000, 4000]) expectExact(ch.repeat(Math.ceil(n / ch.length)));
    }
    for (const ch of ['a', ' ', '😀']) expectExact(ch.repeat(20_000 / ch.length));
  });

  it('long pieces of a few characters (fixed seed)', () => {
    // Pieces over 64 bytes are searched for, not merged: runs, words, CJK, punctuation and
    // whitespace pieces of 65 to 700 bytes, each one piece or a few.
    const alphabets = [['a', 'b'], ['A', 'a', 'B'], ['e', 't', 'a', 'o', 'n', 's'], ['的', '是', '了', '中'], ['[', '{', '"', ':', ',', ']'], [' ', '\t', '\n'], ['=', '-', '*'], ['é', 'ü', 'x']];
    fc.assert(
      fc.property(fc.constantFrom(...alphabets), fc.integer({ min: 33, max: 350 }), fc.integer(), (alphabet, n, seed) => {
        let text = '';
        let x = seed >>> 0 || 1;
        for (let i = 0; i < n; i++) {
          x = (x * 1103515245 + 12345) >>> 0;
          text += alphabet[(x >>> 16) % alphabet.length];
        }
        expectExact(text);
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it('1 MB runs: native equals JS', () => {
    for (const ch of ['a', ' ', 'x.', '9']) {
      const text = ch.repeat(1_000_000 / ch.length);
      const counts = engines().map((e) => ENCODINGS.map((enc) => e.countTokens(text, enc)));
      for (const c of counts) expect(c).toEqual(counts[0]);
    }
  });
});

describe('countTokens (public)', () => {
  it('counts one text or many', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens(['hello world', '', 'a b c'])).toEqual([2, 0, 3]);
  });

  it('picks the encoding from the model or the explicit encoding', () => {
    const text = 'internationalization 日本語 😀'.repeat(5);
    const o200k = reference(text, 'o200k_base');
    const cl100k = reference(text, 'cl100k_base');
    expect(o200k).not.toBe(cl100k);
    expect(countTokens(text, { model: 'gpt-4o-mini' })).toBe(o200k);
    expect(countTokens(text, { model: 'gpt-4-turbo' })).toBe(cl100k);
    expect(countTokens(text, { model: 'gpt-3.5-turbo' })).toBe(cl100k);
    expect(countTokens(text, { model: 'claude-sonnet-4-5-20250929' })).toBe(o200k);
    expect(countTokens(text, { model: 'some-unknown-model' })).toBe(o200k);
    expect(countTokens(text, { encoding: 'cl100k_base', model: 'gpt-4o' })).toBe(cl100k);
  });

  it('rejects bad arguments with errors naming them', () => {
    const call = countTokens as (...args: unknown[]) => unknown;
    expect(() => call(5)).toThrow(TypeError);
    expect(() => call(5)).toThrow(/text must be a string/);
    expect(() => call(undefined)).toThrow(/text must be a string/);
    expect(() => call(['a', 3])).toThrow(/text\[1\] must be a string/);
    expect(() => call('a', 'gpt-4')).toThrow(/options must be an object/);
    expect(() => call('a', { model: 4 })).toThrow(/options\.model must be a string/);
    expect(() => call('a', { encoding: 'p50k_base' })).toThrow(RangeError);
    expect(() => call('a', { encoding: 'p50k_base' })).toThrow(/options\.encoding must be one of/);
  });
});

describe('engines', () => {
  it('the JS engine is always available and native loads here unless forced off', () => {
    expect(js.countTokens('ok', 'o200k_base')).toBe(1);
    if (!forcedJs) expect(nativeEngine, nativeReason).toBeDefined();
  });

  it('batch counts equal single counts', () => {
    const texts = ['', 'a', 'hello world', '\ud800', 'x'.repeat(500)];
    for (const e of engines()) {
      for (const enc of ENCODINGS) expect(e.countTokensMany(texts, enc)).toEqual(texts.map((t) => e.countTokens(t, enc)));
    }
  });
});
