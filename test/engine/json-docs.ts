// Random JSON documents as raw text, for the JSON compressor's property tests: odd number
// spellings, escapes, duplicate keys, uniform arrays (tables), nested groups, whitespace.
import fc from 'fast-check';

/** Whether documents stay within what `JSON.parse` + `@toon-format/toon` treat alike: canonical
 * numbers, keys that are not integer-like (JS reorders those), no duplicates, no escapes. */
export interface DocOptions {
  canonical: boolean;
}

const WS = fc.constantFrom('', '', ' ', '\n', '\n  ', '\t', '\r\n    ');

const ODD_NUMBERS = ['1.0', '1E5', '-0', '0.000', '1e400', '-1e-400', '12345678901234567890123', '1.5e-7', '-0.0e+0', '2.50', '1e2', '-12.000'];

function numbers(canonical: boolean): fc.Arbitrary<string> {
  const plain = fc.oneof(
    fc.integer({ min: -1000, max: 100000 }).map(String),
    fc.integer({ min: -9_007_199_254_740_991, max: 9_007_199_254_740_991 }).map(String),
    fc.integer({ min: -100000, max: 100000 }).map((n) => String(n / 100)),
  );
  return canonical ? plain : fc.oneof(plain, fc.constantFrom(...ODD_NUMBERS));
}

const STRING_POOL = ['', 'ok', 'error', 'failed', 'true', '42', '-x', '#c', 'a,b', 'a:b', ' pad ', 'é', '😀', 'line\nbreak', 'tab\there', 'q"uote', 'back\\slash', '\u0001', '[x]', '{y}', '\uFEFFbom', 'null', '1e5', '05', 'Infinity'];

/** A JSON string literal for `s`, sometimes with needless `\u` escapes. */
function spell(s: string, escapes: number): string {
  if (escapes === 0) return JSON.stringify(s);
  let out = '';
  let k = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if ((k++ + escapes) % 3 === 0 && cp < 0x10000) out += '\\u' + (escapes === 1 ? cp.toString(16) : cp.toString(16).toUpperCase()).padStart(4, '0');
    else out += JSON.stringify(ch).slice(1, -1);
  }
  return '"' + out + '"';
}

function strings(canonical: boolean): fc.Arbitrary<string> {
  const value = fc.oneof(fc.constantFrom(...STRING_POOL), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
  if (canonical) return value.map((s) => JSON.stringify(s));
  return fc.oneof(
    fc.tuple(value, fc.integer({ min: 0, max: 2 })).map(([s, e]) => spell(s, e)),
    fc.constantFrom('"\\ud800"', '"a\\udc00b"', '"\\uD83D\\uDE00"', '"\\/"'),
  );
}

const KEY_POOL = ['id', 'name', 'status', 'state', 'value', 'a', 'b', 'x y', 'é', 'key.dot', '-k', 'error', 'ok', 'items'];

function keys(canonical: boolean): fc.Arbitrary<string> {
  const k = fc.oneof(fc.constantFrom(...KEY_POOL), fc.string({ maxLength: 5 }));
  return canonical ? k.filter((s) => !/^(0|[1-9][0-9]*)$/.test(s) && s !== '__proto__') : k;
}

/** Raw JSON text of random documents. */
export function jsonDoc(o: DocOptions = { canonical: false }): fc.Arbitrary<string> {
  const scalar = fc.oneof(numbers(o.canonical), strings(o.canonical), fc.constantFrom('true', 'false', 'null'));
  const key = keys(o.canonical);
  const { value } = fc.letrec<{ value: string; array: string; object: string; table: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object'), tie('table')),
    array: fc
      .tuple(fc.array(tie('value'), { maxLength: 6 }), WS)
      .map(([items, w]) => '[' + w + items.join(',' + w) + w + ']'),
    object: fc
      .tuple(
        o.canonical
          ? fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => k })
          : fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }),
        WS,
      )
      .map(([fields, w]) => '{' + w + fields.map(([k, v]) => JSON.stringify(k) + ':' + w + v).join(',' + w) + w + '}'),
    // Uniform objects, sometimes in varying key order, sometimes with a nested group.
    table: fc
      .tuple(
        fc.uniqueArray(key, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(scalar, { minLength: 40, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        WS,
      )
      .map(([fields, n, cells, shuffle, group, w]) => {
        const rows: string[] = [];
        for (let r = 0; r < n; r++) {
          const parts = fields.map((f, c) => {
            const cell = cells[(r * fields.length + c) % cells.length]!;
            const v = group && c === 0 ? `{"g1":${cell},"g2":${cells[(r + 7) % cells.length]!}}` : cell;
            return JSON.stringify(f) + ':' + v;
          });
          if (shuffle && r % 2 === 1) parts.reverse();
          rows.push('{' + parts.join(',') + '}');
        }
        return '[' + w + rows.join(',' + w) + w + ']';
      }),
  }));
  return fc.tuple(WS, value, WS).map(([a, v, b]) => a + v + b);
}
