// The JSON compressor's lossless encodings, checked against the format's own tools: compact JSON
// against `JSON.parse`/`JSON.stringify`, TOON against `@toon-format/toon` (its encoder for the
// exact text on canonical documents, its decoder for the value on every document).
import { decode as decodeToon, encode as encodeToon } from '@toon-format/toon';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lossless } from '../../src/engine/js/json/index.js';
import { parse } from '../../src/engine/js/json/tape.js';
import { jsonDoc } from './json-docs.js';

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
        } else {
          expect(ours).toBe(reference);
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

  it('is not offered for what it cannot carry exactly', () => {
    for (const text of ['{"a":1,"a":2}', '[-0]', '{"x":1e400}', '["\\udc00"]', '[-1e-400]', '{}', '[' + '['.repeat(70) + ']'.repeat(70) + ']']) {
      expect(encodings(text)[1], text).toBeUndefined();
    }
  });
});
