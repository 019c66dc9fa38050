// The JSON compressor's lossless encodings, checked against the format's own tools: compact JSON
// against `JSON.parse`/`JSON.stringify`, TOON against `@toon-format/toon` (its encoder for the
// exact text on canonical documents, its decoder for the value on every document).
import { decode as decodeToon, encode as encodeToon } from '@toon-format/toon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lossless } from '../../src/engine/js/json/index.js';
import { parse } from '../../src/engine/js/json/tape.js';
import { jsonDoc } from './json-docs.js';
import { js } from '../support/engines.js';

const RUNS = { seed: 20251124, numRuns: 400 };

function encodings(text: string): [string, string | undefined] {
  const t = parse(text);
  if (t === undefined) throw new Error('not JSON: ' + text);
  return lossless(t);
}

describe('compact JSON', () => {
  it('is what JSON.stringify writes for canonical documents', () => {
    fc.assert(
      fc.property(jsonDoc({ canonical: true }), (text) => {
        expect(encodings(text)[0]).toBe(JSON.stringify(JSON.parse(text)));
      }),
      RUNS,
    );
  });

  it('keeps number text, duplicate keys and lone surrogate escapes', () => {
    expect(encodings('{ "a" : 1.0 , "a" : [ -0 , 1e400 , 12345678901234567890123 ], "s": "\\ud800\\u0041\\/" }')[0]).toBe(
      '{"a":1.0,"a":[-0,1e400,12345678901234567890123],"s":"\\ud800A/"}',
    );
  });

  it('reads back to the input value', () => {
    fc.assert(
      fc.property(jsonDoc(), (text) => {
        expect(JSON.parse(encodings(text)[0])).toEqual(JSON.parse(text));
      }),
      RUNS,
    );
  });
});

describe('TOON', () => {
  it('is what @toon-format/toon encodes for canonical documents', () => {
    fc.assert(
      fc.property(jsonDoc({ canonical: true }), (text) => {
        const ours = encodings(text)[1];
        const value = JSON.parse(text) as unknown;
        const reference = encodeToon(value);
        if (ours === undefined) {
          // Only a lone surrogate or an empty document keeps a canonical document out of TOON.
          expect(reference === '' || /\\u[dD][89a-fA-F]/.test(text)).toBe(true);
        } else if (ours !== reference) {
          // Only a table's column order may differ, and only to save tokens (see below).
          expect(ours.split('\n').length).toBe(reference.split('\n').length);
          expect(decodeToon(ours)).toEqual(value);
          expect(js.countTokens(ours, 'o200k_base')).toBeLessThan(js.countTokens(reference, 'o200k_base'));
        }
      }),
      RUNS,
    );
  });

  it('decodes back to the input value', () => {
    fc.assert(
      fc.property(jsonDoc(), (text) => {
        const ours = encodings(text)[1];
        if (ours !== undefined) expect(decodeToon(ours)).toEqual(JSON.parse(text));
      }),
      RUNS,
    );
  });

  it('keeps original number text', () => {
    expect(encodings('{"a": 1.50, "b": [1E5, 2.0]}')[1]).toBe('a: 1.50\nb[2]: 1E5,2.0');
  });

  it('leads a table with a worded column when its rows would otherwise open with digits', () => {
    // An indented row that opens with a digit costs a token more; key order carries no meaning.
    const countries = ['Chile', 'Peru', 'Cuba', 'Fiji'];
    const rows = JSON.stringify(countries.map((country, i) => ({ year: 1955 + i, country, pop: i })));
    expect(encodings(rows)[1]).toBe('[4]{country,year,pop}:\n  Chile,1955,0\n  Peru,1956,1\n  Cuba,1957,2\n  Fiji,1958,3');
    // Three rows would save three tokens, which a new header order could cost back.
    expect(encodings(JSON.stringify(JSON.parse(rows).slice(0, 3)))[1]).toMatch(/^\[3\]\{year,/);
    const quoted = JSON.stringify(countries.map((s, n) => ({ n, s: s + ':' })));
    expect(encodings(quoted)[1]).toMatch(/^\[4\]\{n,s\}:\n  0,"Chile:"/);
  });

  it('is not offered for what it cannot carry exactly', () => {
    for (const text of ['{"a":1,"a":2}', '[-0]', '{"x":1e400}', '["\\udc00"]', '[-1e-400]', '{}', '[' + '['.repeat(70) + ']'.repeat(70) + ']']) {
      expect(encodings(text)[1], text).toBeUndefined();
    }
  });
});
