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

const STATUSES = ['200', '200', '200', '200', '200', '200', '201', '204', '301', '404', '500', '"503"'];
const LEVELS = ['"info"', '"info"', '"info"', '"info"', '"debug"', '"warn"', '"error"'];

/** Raw JSON text of documents with large arrays of records: what lossy selection works on. */
export function recordsDoc(): fc.Arbitrary<string> {
  const record = fc
    .tuple(
      fc.nat(1_000_000),
      fc.constantFrom(...STATUSES),
      fc.constantFrom(...LEVELS),
      fc.integer({ min: 5, max: 60 }),
      fc.integer({ min: 0, max: 9 }),
      fc.string({ maxLength: 30 }),
      fc.array(fc.constantFrom('"a"', '"b"', '1', 'null', '{"x":1}'), { maxLength: 10 }),
      fc.integer({ min: 0, max: 9 }),
    )
    .map(([id, status, level, ms, ok, note, tags, variant]) => {
      const fields = [`"id":${id}`, `"status":${status}`, `"level":${level}`, `"latency_ms":${variant === 0 ? ms * 100 : ms}`, `"ok":${ok > 0}`, `"note":${JSON.stringify(note)}`, `"at":"2024-05-${String(10 + (id % 20)).padStart(2, '0')}T10:00:00Z"`];
      if (variant === 1) fields.push('"error":{"code":"E_FAIL","message":"boom"}');
      if (variant === 2) fields.push(`"tags":[${tags.join(',')}]`);
      if (variant === 3) fields.reverse();
      if (variant === 4) fields.push(`"extra_${id % 3}":true`);
      return '{' + fields.join(',') + '}';
    });
  const array = fc.array(record, { minLength: 8, maxLength: 80 }).map((items) => '[' + items.join(',\n  ') + ']');
  return fc.oneof(
    array,
    fc.tuple(array, array, fc.string({ minLength: 0, maxLength: 3000 })).map(([a, b, s]) => `{"page":1,"items":${a},"more":{"rows":${b},"text":${JSON.stringify(s)}}}`),
    fc.array(fc.integer({ min: -50, max: 5000 }), { minLength: 8, maxLength: 300 }).map((xs) => JSON.stringify(xs)),
    fc.array(fc.constantFrom('"ok"', '"ok"', '"retry"', '"ERROR: disk full"', '"fine"'), { minLength: 8, maxLength: 200 }).map((xs) => '[' + xs.join(',') + ']'),
  );
}

const NUMBER_STRINGS = ['0.10', '2.50', '1e3', '-0', '1E-2', '05', '+5', ' 7', 'NaN', '12345678901234567890', '9007199254740993', '١٢'];
const HOSTS = ['"web-1"', '"web-2"', '"web-3"', '"db-1"'];

/** A series of number texts around a level, sometimes with a spike, a level shift or odd spellings. */
function levels(min: number, max: number): fc.Arbitrary<string[]> {
  return fc
    .tuple(fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 8, maxLength: 160 }), fc.integer({ min: 0, max: 5 }), fc.nat(1000))
    .map(([xs, variant, at]) =>
      xs.map((x, i) => {
        const base = min + Math.floor(((max - min) * x) / 100) + (variant === 1 && i > xs.length / 2 ? 10 * max : 0);
        if (variant === 0 && i === at % xs.length) return String(base * 50 + 7);
        if (variant === 2 && x % 9 === 0) return NUMBER_STRINGS[x % NUMBER_STRINGS.length]!;
        if (variant === 3) return `${base}.${x % 10}0`;
        return String(base);
      }),
    );
}

/**
 * Raw JSON text of documents whose large arrays hold tuple rows: Prometheus-style series of
 * `[ts, "value"]`, SQL-style `columns` + `rows` (header as names, as `{name, type}` objects, of
 * the wrong length, or absent), chart `data` pairs; with stray rows of other lengths, numbers
 * written as strings (some of them not plain numbers), and statuses as strings.
 */
export function tuplesDoc(): fc.Arbitrary<string> {
  const prometheus = fc.array(fc.tuple(levels(100, 1000), fc.nat(9)), { minLength: 1, maxLength: 10 }).map((series) =>
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: series.map(([values, k]) => ({
          metric: { __name__: 'http_requests_total', instance: `web-${k}:9090` },
          values: values.map((v, i) => [1764000000 + 15 * i, v]),
        })),
      },
    }),
  );
  const header = fc.constantFrom('strings', 'objects', 'meta', 'short', 'none');
  const table = fc
    .tuple(levels(10, 40), header, fc.array(fc.constantFrom(...STATUSES), { minLength: 160, maxLength: 160 }), fc.nat(7), fc.boolean())
    .map(([latency, h, statuses, stray, asText]) => {
      const names = ['ts', 'host', 'latency_ms', 'status'];
      const head =
        h === 'strings' ? `"columns":${JSON.stringify(names)},` : h === 'objects' ? `"fields":${JSON.stringify(names.map((name) => ({ name, type: 'STRING' })))},` : h === 'meta' ? `"meta":${JSON.stringify(names.map((name) => ({ name })))},` : h === 'short' ? '"columns":["ts","host"],' : '';
      const rows = latency.map((ms, i) => {
        const status = statuses[i]!.startsWith('"') ? statuses[i]! : `"${statuses[i]!}"`;
        const row = [String(1700000000 + i), HOSTS[i % HOSTS.length]!, asText ? JSON.stringify(ms) : /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(ms) && ms !== '-0' ? ms : JSON.stringify(ms), status];
        if (i === stray) return i % 2 === 0 ? 'null' : `[${row.slice(0, 2).join(',')}]`;
        return `[${row.join(',')}]`;
      });
      return `{${head}"rows":[${rows.join(',')}],"total":${rows.length}}`;
    });
  const chart = fc.array(levels(0, 100), { minLength: 1, maxLength: 3 }).map((series) =>
    JSON.stringify(series.map((values, k) => ({ name: `series ${k}`, data: values.map((v, i) => [1700000000000 + 60000 * i, Number.isFinite(Number(v)) && /^-?[0-9]/.test(v) && v !== '-0' ? Number(v) : v]) }))),
  );
  return fc.oneof(prometheus, table, chart);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const MARKER = /^\[….*…\]$/s;
const CUT = /\[… string cut: (\d+) bytes in full …\]$/;
const OMITTED = /^\[… (\d+) items? omitted[ :]/;

/** The items a marker says were omitted, or undefined when `s` is not an item marker. */
export function markerCount(s: unknown): number | undefined {
  if (typeof s !== 'string' || !MARKER.test(s)) return undefined;
  const m = OMITTED.exec(s);
  return m === null ? undefined : Number(m[1]);
}

function scalarsAndKeys(v: Json, scalars: Map<string, number>, keys: Set<string>): void {
  const stack: Json[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (Array.isArray(x)) stack.push(...x);
    else if (x !== null && typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) {
        keys.add(k);
        stack.push(y);
      }
    } else if (!(typeof x === 'string' && (MARKER.test(x) || CUT.test(x)))) {
      const id = JSON.stringify(x);
      scalars.set(id, (scalars.get(id) ?? 0) + 1);
    }
  }
}

const identity = (v: Json): string => JSON.stringify(v);

/**
 * Checks that `out` is an honest reduction of `input`: every object keeps every key, scalars are
 * unchanged (a cut string keeps a prefix and names the full length), and each array keeps its
 * first and last items and a subsequence of the others, with markers whose counts fill exactly
 * the gaps (`counted`; TOON outputs read without their marker lines are checked without counts).
 * Also: every distinct value of each low-cardinality field (2–12 values over ≥ 20 items) of a
 * surviving array survives with it. Returns a reason when the check fails.
 */
export function reductionProblem(input: Json, out: Json, counted: boolean, path = '$'): string | undefined {
  if (Array.isArray(input)) {
    if (!Array.isArray(out)) return `${path}: array became ${identity(out)}`;
    if (input.length === 0) return out.length === 0 ? undefined : `${path}: empty array grew`;
    // Without counts, markers (inline ones survive TOON decoding as strings) are simply skipped.
    const items = counted ? out : out.filter((x) => markerCount(x) === undefined);
    if (items.length === 0) return `${path}: no items kept`;
    let i = 0;
    const matched: number[] = [];
    for (const x of items) {
      const skip = counted ? markerCount(x) : undefined;
      if (skip !== undefined) {
        if (skip < 1) return `${path}: empty marker`;
        i += skip;
        continue;
      }
      let j = i;
      if (counted) {
        if (j >= input.length) return `${path}: more items than the input`;
        const p = reductionProblem(input[j]!, x, counted, `${path}[${j}]`);
        if (p !== undefined) return p;
      } else {
        while (j < input.length && reductionProblem(input[j]!, x, counted, `${path}[${j}]`) !== undefined) j++;
        if (j >= input.length) return `${path}: kept item not found in order: ${identity(x).slice(0, 200)}`;
      }
      matched.push(j);
      i = j + 1;
    }
    if (counted && i !== input.length) return `${path}: markers and items account for ${i} of ${input.length} items`;
    if (matched[0] !== 0) return `${path}: first item dropped`;
    if (matched[matched.length - 1] !== input.length - 1) return `${path}: last item dropped`;
    return lowCardinalityProblem(input, matched, path);
  }
  if (input !== null && typeof input === 'object') {
    if (out === null || typeof out !== 'object' || Array.isArray(out)) return `${path}: object became ${identity(out)}`;
    const ki = Object.keys(input).sort();
    const ko = Object.keys(out).sort();
    if (identity(ki) !== identity(ko)) return `${path}: keys ${identity(ki)} became ${identity(ko)}`;
    for (const k of ki) {
      const p = reductionProblem(input[k]!, out[k]!, counted, `${path}.${k}`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (typeof input === 'string' && typeof out === 'string' && input !== out) {
    const m = CUT.exec(out);
    if (m === null) return `${path}: string changed`;
    const prefix = out.slice(0, m.index);
    if (!input.startsWith(prefix)) return `${path}: cut string is not a prefix`;
    if (Number(m[1]) !== Buffer.byteLength(input)) return `${path}: cut string names ${m[1]} bytes, not ${Buffer.byteLength(input)}`;
    return undefined;
  }
  return Object.is(input, out) ? undefined : `${path}: ${identity(input)} became ${identity(out)}`;
}

/** The length shared by ≥ 3/4 of the items when those are arrays of two or more: tuple rows. */
export function tupleWidth(items: readonly Json[]): number | undefined {
  const counts = new Map<number, number>();
  for (const x of items) if (Array.isArray(x)) counts.set(x.length, (counts.get(x.length) ?? 0) + 1);
  for (const [w, c] of counts) if (w >= 2 && c * 4 >= items.length * 3) return w;
  return undefined;
}

/** An item's fields: an object's keys, or a tuple row's positions (as `[j]`). */
function fieldsOf(item: Json, width: number | undefined): [string, Json][] {
  // Positions beyond 64 are not tracked (columns.rs MAX_COLUMNS).
  if (Array.isArray(item)) return width === undefined ? [] : item.slice(0, Math.min(width, 64)).map((v, j) => [`[${j}]`, v]);
  if (item === null || typeof item !== 'object') return [];
  return Object.entries(item);
}

function lowCardinalityProblem(input: Json[], matched: number[], path: string): string | undefined {
  const fields = new Map<string, Map<string, number>>();
  const width = tupleWidth(input);
  const nested = new Set<string>();
  for (const item of input) {
    for (const [k, v] of fieldsOf(item, width)) {
      if (v !== null && typeof v === 'object') {
        nested.add(k);
        continue;
      }
      const f = fields.get(k) ?? new Map<string, number>();
      f.set(identity(v), (f.get(identity(v)) ?? 0) + 1);
      fields.set(k, f);
    }
  }
  // A position holding containers as well has no tracked values (objects' keys keep the old rule).
  for (const k of nested) if (k.startsWith('[')) fields.delete(k);
  for (const [k, values] of fields) {
    let present = 0;
    for (const c of values.values()) present += c;
    if (values.size < 2 || values.size > 12 || present < 20) continue;
    const kept = new Set<string>();
    for (const j of matched) for (const [f, v] of fieldsOf(input[j]!, width)) if (f === k) kept.add(identity(v));
    for (const v of values.keys()) if (!kept.has(v)) return `${path}: value ${v} of low-cardinality field ${k} dropped`;
  }
  return undefined;
}

/** Scalars of the output (markers and cut strings excluded) not in the input's multiset, and input keys missing from the output. */
export function scalarAndKeyProblem(input: Json, out: Json): string | undefined {
  const si = new Map<string, number>();
  const so = new Map<string, number>();
  const ki = new Set<string>();
  const ko = new Set<string>();
  scalarsAndKeys(input, si, ki);
  scalarsAndKeys(out, so, ko);
  for (const [s, n] of so) if ((si.get(s) ?? 0) < n) return `scalar ${s} appears ${n}× in the output, ${si.get(s) ?? 0}× in the input`;
  for (const k of ki) if (!ko.has(k)) return `key ${JSON.stringify(k)} missing from the output`;
  return undefined;
}

/** A GeoJSON-like FeatureCollection of `n` earthquakes: the interesting fields one object down
 * (`properties.mag`, `.type`, `.tsunami`), one strong quake (`mag` 7.8 at `strong`), one tsunami
 * flag (at `tsunami`), rare event types, and the smallest `mag` (0.2) at `weak`. */
export function featureCollection(n: number, at: { strong: number; tsunami: number; weak: number }): string {
  const features = Array.from({ length: n }, (_, i) => ({
    type: 'Feature',
    properties: {
      mag: i === at.strong ? 7.8 : i === at.weak ? 0.2 : 1 + ((i * 37) % 40) / 10,
      place: `${(i * 13) % 97} km NW of Town ${i % 29}`,
      time: 1700000000000 + i * 61000,
      tsunami: i === at.tsunami ? 1 : 0,
      type: i % 50 === 7 ? 'quarry blast' : i % 97 === 3 ? 'explosion' : 'earthquake',
      magType: ['ml', 'md', 'mb', 'mww'][i % 4],
    },
    geometry: { type: 'Point', coordinates: [-120 + (i % 50) / 8, 35 + (i % 20) / 4, (i * 7) % 30] },
    id: `ci${40000000 + i * 17}`,
  }));
  return JSON.stringify({ type: 'FeatureCollection', metadata: { count: n }, features });
}

/** A JSON:API-style envelope of `n` orders: `data[].attributes.{status, amount_cents, currency}`,
 * one refund (`status` refunded at `refund`), the largest amount at `big`. */
export function ordersEnvelope(n: number, at: { refund: number; big: number }): string {
  const data = Array.from({ length: n }, (_, i) => ({
    id: String(5000 + i),
    type: 'orders',
    attributes: {
      status: i === at.refund ? 'refunded' : i % 3 === 0 ? 'pending' : 'paid',
      amount_cents: i === at.big ? 987654 : 1000 + ((i * 7919) % 9000),
      currency: i % 10 === 4 ? 'EUR' : 'USD',
      customer: { email: `user${i}@example.com`, tier: i % 40 === 9 ? 'gold' : 'basic' },
    },
  }));
  return JSON.stringify({ data, meta: { total: n, page: 1 } });
}

type Fields = Map<string, Json[]>;

/** The fields of a record, nested objects' fields as dotted paths, down to 4 keys (columns.rs). */
function flatten(item: Json, fields: Fields): void {
  const stack: [string, Json, number][] = [['', item, 0]];
  while (stack.length > 0) {
    const [prefix, x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object' || Array.isArray(x)) continue;
    for (const [k, v] of Object.entries(x)) {
      const path = prefix + k;
      if (v !== null && typeof v === 'object') {
        if (!Array.isArray(v) && depth + 1 < 4) stack.push([path + '.', v, depth + 1]);
        continue;
      }
      const list = fields.get(path) ?? [];
      list.push(v);
      fields.set(path, list);
    }
  }
}

/** Every (path, value) of every object anywhere in `v`, paths relative to that object. */
function pairsOf(v: Json, out: Set<string>): void {
  const stack: Json[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (Array.isArray(x)) stack.push(...x);
    else if (x !== null && typeof x === 'object') {
      const fields: Fields = new Map();
      flatten(x, fields);
      for (const [k, vs] of fields) for (const y of vs) out.add(k + '\u0000' + JSON.stringify(y));
      stack.push(...Object.values(x));
    }
  }
}

/**
 * The record floor: in every array of at least 20 records reached from the root through objects
 * only, every value of a low-cardinality field (2–12 values over ≥ 20 records) and the largest and
 * smallest value of each numeric field (numbers or null; not an identifier) survive, as a field of
 * a kept record or inside a marker that names the field. `output` is the compressed text; `markers`
 * its marker texts. Returns what is missing.
 */
export function recordFloorMisses(input: Json, decoded: Json, output: string): string[] {
  const kept = new Set<string>();
  pairsOf(decoded, kept);
  const markers = output.match(/\[… [^\n"]*? …\]/g) ?? [];
  const misses: string[] = [];
  const stack: [Json, string][] = [[input, '$']];
  while (stack.length > 0) {
    const [x, path] = stack.pop()!;
    if (Array.isArray(x)) {
      const records = x.filter((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
      if (records.length < 20 || records.length < x.length) continue;
      const fields: Fields = new Map();
      for (const r of records) flatten(r, fields);
      if (fields.size > 64) continue;
      for (const [k, values] of fields) {
        const shown = (v: Json, text: string): boolean => kept.has(k + '\u0000' + JSON.stringify(v)) || markers.some((m) => m.includes(`${k} `) && m.includes(text));
        const distinct = [...new Set(values.map((v) => JSON.stringify(v)))];
        if (distinct.length >= 2 && distinct.length <= 12 && values.length >= 20) {
          for (const d of distinct) if (!shown(JSON.parse(d) as Json, `${typeof JSON.parse(d) === 'string' ? JSON.parse(d) : d}×`)) misses.push(`${path}: ${k} = ${d}`);
        }
        const numbers = values.filter((v): v is number => typeof v === 'number');
        if (/ids?$/i.test(k) || numbers.length === 0 || values.some((v) => v !== null && typeof v !== 'number')) continue;
        for (const m of [Math.max(...numbers), Math.min(...numbers)]) if (!shown(m, String(m))) misses.push(`${path}: ${k} extreme ${m}`);
      }
    } else if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) stack.push([v, `${path}.${k}`]);
    }
  }
  return misses;
}
