// Lossy JSON selection: the rules on small hand-written documents (both engines through the block
// entry, the JS twin's parts directly), and the honesty of every plan on random documents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberLike } from '../../src/engine/js/json/columns.js';
import * as compact from '../../src/engine/js/json/compact.js';
import { Selection } from '../../src/engine/js/json/select.js';
import { ownSignal, TextSignals } from '../../src/engine/js/json/signal.js';
import { changePoints, outliers } from '../../src/engine/js/stats.js';
import { compareCodePoints, display } from '../../src/engine/js/json/summary.js';
import { children, parse } from '../../src/engine/js/json/tape.js';
import { View } from '../../src/engine/js/json/view.js';
import { Signal } from '../../src/engine/js/signal.js';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { compressBoth } from '../support/engines.js';
import { featureCollection, markerCount, ordersEnvelope, recordFloorMisses, recordsDoc, reductionProblem, scalarAndKeyProblem, tuplesDoc } from './json-docs.js';
import { decodeOutput } from '../support/retention/json.js';

const options: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 0, maxBlockTokens: 60 };

const both = (content: string, o: BlockOptions = options): BlockResult => compressBoth(content, o);

const rows = (n: number, f: (i: number) => unknown): string => JSON.stringify(Array.from({ length: n }, (_, i) => f(i)));

describe('lossy JSON selection', () => {
  it('keeps first, last, errors and one item per low-cardinality value, with summarising markers', () => {
    const doc = rows(30, (i) => ({ id: i, status: i === 17 ? 500 : 200, ms: 10 + (i % 3) }));
    const r = both(doc, { ...options, maxBlockTokens: 20 });
    expect(r.strategy).toBe('json:select+toon');
    expect(r.content).toBe(
      [
        '[5]{id,status,ms}:',
        '  [… 30 items in all …]',
        '  0,200,10',
        '  1,200,11',
        '  2,200,12',
        '  [… 14 items omitted: status 200×14; ms 10×5, 11×5, 12×4; id 3–16 …]',
        '  17,500,12',
        '  [… 11 items omitted: status 200×11; ms 10×4, 11×4, 12×3; id 18–28 …]',
        '  29,200,12',
      ].join('\n'),
    );
    expect(r.omitted).toEqual([{ unit: 'items', count: 25, summary: '$' }]);
  });

  it('keeps rare keys, query matches and numeric outliers; cuts long strings', () => {
    const doc = JSON.stringify({
      body: 'x'.repeat(5000),
      items: Array.from({ length: 60 }, (_, i) => ({
        name: i === 23 ? 'payment gateway' : `item ${i}`,
        ms: i === 41 ? 90000 : 20 + (i % 7),
        ...(i === 9 ? { rare: true } : {}),
      })),
    });
    const r = both(doc, { ...options, query: 'why did the payment fail' });
    const out = JSON.parse(r.content) as { body: string; items: unknown[] };
    expect(out.body).toBe('x'.repeat(1024) + '[… string cut: 5000 bytes in full …]');
    const kept = JSON.stringify(out.items);
    expect(kept).toContain('payment gateway');
    expect(kept).toContain('"ms":90000');
    expect(kept).toContain('"rare":true');
    expect(r.omitted).toContainEqual({ unit: 'bytes', count: 5000 - 1024, summary: '1 long string cut' });
  });

  it('keeps an item for an error anywhere in it, but not for a warning inside its inner lists', () => {
    const doc = rows(40, (i) => ({
      id: i,
      headers: ['Content-Type', 'application/json', 'Expose', 'ETag, Deprecation, Sunset'],
      steps: i === 21 ? ['compile ok', 'ERROR: link failed'] : ['compile ok', 'link ok'],
    }));
    const r = both(doc, { ...options, maxBlockTokens: 40 });
    const kept = (JSON.parse(r.content) as unknown[]).filter((x): x is { id: number } => typeof x === 'object');
    expect(kept.map((x) => x.id)).toEqual([0, 21, 39]);
  });

  it('uses TOON tables with marker lines when they are shorter', () => {
    const doc = rows(200, (i) => ({ id: i, user: `user${i % 50}`, region: ['eu', 'us', 'ap'][i % 3], score: 1000 + ((i * 37) % 200) }));
    const r = both(doc, { ...options, maxBlockTokens: 300 });
    expect(r.strategy).toBe('json:select+toon');
    const lines = r.content.split('\n');
    // Rows open with the worded column (a token fewer each than with the numeric id).
    expect(lines[0]).toMatch(/^\[\d+\]\{user,id,region,score\}:$/);
    const markers = lines.filter((l) => l.trim().startsWith('[…'));
    expect(markers.length).toBeGreaterThan(0);
    const rowsShown = lines.length - 1 - markers.length;
    expect(lines[0]).toBe(`[${rowsShown}]{user,id,region,score}:`);
    expect(r.tokensAfter).toBeLessThanOrEqual(300);
  });

  it('bounds the rows kept for outliers and level shifts of a heavy-tailed, grouped field', () => {
    // Census-style records: counts spread over six orders of magnitude, in groups with their own
    // level, so a third of the values are MAD outliers and every group boundary is a shift. The
    // strongest of them, the extremes and each category still show; the block meets its budget.
    const doc = rows(3000, (i) => {
      const group = Math.floor(i / 30);
      const count = Math.round(10 ** (1 + ((group * 37) % 50) / 10 + ((i * 7919) % 13) / 13));
      return { job: `job ${group}`, sex: i % 30 < 15 ? 'men' : 'women', year: 1850 + (i % 15) * 10, count, share: count / 1000 };
    });
    const values = (JSON.parse(doc) as { count: number }[]).map((r) => r.count);
    const r = both(doc, { ...options, maxBlockTokens: 4000 });
    expect(r.strategy.startsWith('json:select')).toBe(true);
    expect(r.tokensAfter).toBeLessThanOrEqual(4000);
    const out = decodeOutput(r.content) as { count: number }[];
    expect(out.map((x) => x.count)).toContain(Math.max(...values));
    expect(recordFloorMisses(JSON.parse(doc), out as never, r.content)).toEqual([]);
  });

  it('stays lossless when nothing can be dropped', () => {
    const doc = JSON.stringify(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`key${i}`, { n: i, tags: ['a', 'b'] }])), null, 2);
    const r = both(doc);
    expect(r.modified).toBe(true);
    expect(['json:compact', 'json:toon']).toContain(r.strategy);
    expect(r.tokensAfter).toBeGreaterThan(options.maxBlockTokens);
  });
});

describe('marker summaries', () => {
  it('count values, give ranges and time spans of exactly the items they replace', () => {
    const levels = ['info', 'info', 'info', 'debug', 'notice', 'trace', 'info', 'verbose'];
    const events = Array.from({ length: 120 }, (_, i) => ({
      at: `2024-01-01T${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`,
      level: levels[(i * 5) % levels.length]!,
      ms: 100 + ((i * 13) % 50),
      msg: `request ${i} served`,
    }));
    const r = both(JSON.stringify(events), { ...options, maxBlockTokens: 300 });
    // A table (header, then rows and marker lines) or JSON; either way, the kept items and markers in order.
    expect(r.strategy).toBe('json:select+toon');
    const lines = r.content.split('\n');
    expect(lines[0]).toMatch(/^\[(\d+)\]\{at,level,ms,msg\}:$/);
    // The header counts the rows a reader gets; the line after it, the items in full.
    expect(lines[1]).toBe('  [… 120 items in all …]');
    const out: unknown[] = lines.slice(2).map((l) => (l.trim().startsWith('[…') ? l.trim() : { msg: l.split(',')[3] }));
    let at = 0;
    let checked = 0;
    for (const x of out) {
      if (typeof x !== 'string') {
        at = events.findIndex((e) => e.msg === (x as { msg: string }).msg) + 1;
        continue;
      }
      const m = /^\[… (\d+) items? omitted: (.*) …\]$/.exec(x)!;
      const run = events.slice(at, at + Number(m[1]));
      at += run.length;
      for (const part of m[2]!.split('; ')) {
        const [key, body] = [part.slice(0, part.indexOf(' ')), part.slice(part.indexOf(' ') + 1)];
        if (key === 'level') {
          const counts = new Map<string, number>();
          for (const e of run) counts.set(e.level, (counts.get(e.level) ?? 0) + 1);
          const named = body.split(', ').filter((v) => !v.startsWith('+'));
          for (const v of named) {
            const [value, n] = v.split('×');
            expect(counts.get(value!)).toBe(Number(n));
          }
          const more = /\+(\d+) more$/.exec(body);
          expect(counts.size).toBe(named.length + (more === null ? 0 : Number(more[1])));
        } else if (key === 'ms') {
          const ms = run.map((e) => e.ms);
          const [lo, hi] = body.split('–');
          expect(Number(lo)).toBe(Math.min(...ms));
          expect(Number(hi ?? lo)).toBe(Math.max(...ms));
        } else {
          expect(key).toBe('at');
          const [first, last] = [run[0]!.at, run[run.length - 1]!.at];
          expect(body).toBe(first === last ? first : `${first}–${last}`);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
    expect(r.content).toMatch(/\+\d more/);
  });
});

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
type Json = Parameters<typeof reductionProblem>[0];

/** The result of `doc` at `maxBlockTokens`, both engines alike, checked to be an honest lossy reduction. */
function lossy(doc: string, maxBlockTokens: number): BlockResult {
  const r = both(doc, { ...defaults, maxBlockTokens });
  expect(r.strategy).toMatch(/^json:select\+/);
  expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
  const input = JSON.parse(doc) as Json;
  const out = decodeOutput(r.content) as Json;
  expect(reductionProblem(input, out, r.strategy === 'json:select+compact')).toBeUndefined();
  expect(scalarAndKeyProblem(input, out)).toBeUndefined();
  return r;
}

/**
 * Each marker among `entries` (kept items and markers of one reduced array, in order), with the
 * items of `items` it stands for; `index` places a kept item in `items`. Checks that the markers'
 * counts fill exactly the gaps between kept items.
 */
function runsOf<T>(items: readonly Json[], entries: readonly T[], index: (kept: T) => number): { marker: string; run: Json[] }[] {
  const runs: { marker: string; run: Json[] }[] = [];
  let at = 0;
  for (const x of entries) {
    const n = markerCount(x);
    if (n === undefined) {
      expect(index(x)).toBe(at);
      at++;
    } else {
      runs.push({ marker: x as string, run: items.slice(at, at + n) });
      at += n;
    }
  }
  expect(at).toBe(items.length);
  return runs;
}

/** `lo–hi` (or `lo` alone) of the texts with the least and greatest value, as the input spells them. */
function rangeOf(texts: string[]): string {
  let lo = texts[0]!;
  let hi = texts[0]!;
  for (const t of texts) {
    if (Number(t) < Number(lo)) lo = t;
    if (Number(t) > Number(hi)) hi = t;
  }
  return lo === hi ? lo : `${lo}–${hi}`;
}

function countsOf(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

describe('tuple rows and numbers written as strings', () => {
  it('treat the positions of tuple rows as fields', () => {
    const doc = rows(30, (i) => [i, i === 17 ? '500' : '200', 10 + (i % 3)]);
    const r = both(doc, { ...options, maxBlockTokens: 20 });
    // Kept: first and last, and the first row of each value at positions 1 and 2 (as for objects).
    expect(JSON.parse(r.content)).toEqual([
      [0, '200', 10],
      [1, '200', 11],
      [2, '200', 12],
      '[… 14 items omitted: [1] 200×14; [2] 10×5, 11×5, 12×4; [0] 3–16 …]',
      [17, '500', 12],
      '[… 11 items omitted: [1] 200×11; [2] 10×4, 11×4, 12×3; [0] 18–28 …]',
      [29, '200', 12],
    ]);
    // A sibling header names the positions (an id-named position comes last, as an identifier).
    const named = both(JSON.stringify({ columns: ['id', 'status', 'ms'], rows: JSON.parse(doc) as unknown }), { ...options, maxBlockTokens: 20 });
    expect(named.content).toContain('"[… 14 items omitted: status 200×14; ms 10×5, 11×5, 12×4; id 3–16 …]"');
    // A level shift at a position (values written as strings): the rows either side are kept.
    const shift = rows(60, (i) => [i, `${(i < 35 ? 5 : 50) + (i % 3)}.${i % 2}`]);
    expect(both(shift, { ...options, maxBlockTokens: 40 }).content).toContain('[34,"6.0"],[35,"52.1"]');
  });

  it('keep a Prometheus spike at the default budget and tighter ones, with exact position summaries', () => {
    const series = Array.from({ length: 6 }, (_, k) => ({
      metric: { __name__: 'http_requests_total', instance: `web-${k}:9090`, job: 'api' },
      values: Array.from({ length: 240 }, (_, i) => [1764000000 + 15 * i, k === 2 && i === 157 ? '5550' : `${100 + ((i * 37 + k * 11) % 900)}.${i % 4}0`]),
    }));
    const doc = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series } });
    for (const budget of [4000, 1500, 500]) {
      const { content } = lossy(doc, budget);
      expect(content).toContain('[1764002355,"5550"]');
      const out = JSON.parse(content) as { data: { result: { values: Json[] }[] } };
      const runs = out.data.result.flatMap((s, k) => runsOf(series[k]!.values, s.values, (x) => ((x as [number])[0] - 1764000000) / 15));
      expect(runs.length).toBeGreaterThan(5);
      for (const { marker, run } of runs) {
        const ts = run.map((x) => String((x as [number, string])[0]));
        const values = run.map((x) => (x as [number, string])[1]);
        // The sample values are strings: their range is given in their own text (`137.10`).
        expect(marker).toBe(`[… ${run.length} items omitted: [0] ${rangeOf(ts)}; [1] ${rangeOf(values)} …]`);
      }
    }
  });

  it('keep the error and the outlier rows of a SQL-style table, with or without its header', () => {
    const table = Array.from({ length: 600 }, (_, i) => [1700000000 + i, `web-${i % 3}`, i === 377 ? 4800 : 10 + ((i * 7) % 31), i === 123 ? '503' : '200']);
    const withHeader = JSON.stringify({ columns: ['ts', 'host', 'latency_ms', 'status'], rows: table });
    const bare = JSON.stringify({ rows: table });
    for (const [doc, names] of [
      [withHeader, ['ts', 'host', 'latency_ms', 'status']],
      [bare, ['[0]', '[1]', '[2]', '[3]']],
    ] as const) {
      for (const budget of [4000, 1500, 400]) {
        const { content } = lossy(doc, budget);
        expect(content).toContain('[1700000123,"web-0",34,"503"]');
        expect(content).toContain('[1700000377,"web-2",4800,"200"]');
        const runs = runsOf(table, (JSON.parse(content) as { rows: Json[] }).rows, (x) => (x as [number])[0] - 1700000000);
        expect(runs.length).toBeGreaterThan(3);
        for (const { marker, run } of runs) {
          const cells = (j: number): string[] => run.map((x) => String((x as Json[])[j]));
          const hosts = [...countsOf(cells(1))].sort((a, b) => b[1] - a[1] || Number(a[0].slice(4)) - Number(b[0].slice(4)));
          // Categorical positions first (host, status), then the first numeric one (ts).
          expect(marker).toMatch(new RegExp(`^\\[… ${run.length} items omitted: ${names[1].replace(/[[\]]/g, '\\$&')} `));
          expect(marker).toContain(`${names[3]} 200×${run.length}`);
          expect(marker).toContain(`${names[0]} ${rangeOf(cells(0))} …]`);
          for (const [host, n] of hosts) expect(marker).toContain(`${host}×${n}`);
        }
      }
    }
  });

  it('count numbers written as strings in objects: outliers kept, ranges in the original text', () => {
    const jobs = Array.from({ length: 200 }, (_, i) => ({
      job: `nightly build ${i}`,
      duration_s: i === 140 ? '4800.00' : `${10 + ((i * 13) % 30)}.${(i * 7) % 10}0`,
      statusCode: i === 61 ? '503' : '200',
    }));
    const doc = JSON.stringify(jobs);
    for (const budget of [2000, 800, 300]) {
      const r = lossy(doc, budget);
      const out = decodeOutput(r.content) as { job: string }[];
      expect(out).toContainEqual(jobs[140]);
      expect(out).toContainEqual(jobs[61]);
      // JSON elements, or the lines of a TOON table (`job,duration_s,statusCode` rows and markers).
      const entries: unknown[] = r.strategy === 'json:select+compact' ? (JSON.parse(r.content) as unknown[]) : r.content.split('\n').slice(2).map((l) => l.trim());
      const index = (x: unknown): number => Number(/nightly build ([0-9]+)/.exec(typeof x === 'string' ? x : (x as { job: string }).job)![1]);
      const runs = runsOf(jobs, entries, index);
      expect(runs.length).toBeGreaterThan(2);
      for (const { marker, run } of runs) {
        const durations = run.map((x) => (x as { duration_s: string }).duration_s);
        expect(marker).toContain(`duration_s ${rangeOf(durations)}`);
        expect(marker).toMatch(/duration_s [0-9]+\.[0-9]0(–[0-9]+\.[0-9]0)? /);
      }
    }
    // A status written as a string is an error signal: here too common to be an outlier, over too
    // few items to be a low-cardinality value, every "500" is kept for it.
    const few = Array.from({ length: 19 }, (_, i) => ({ path: `/v1/orders/${i}/items?expand=true&page=${i * 7}`, code: [2, 5, 9, 13, 16].includes(i) ? '500' : '200' }));
    const kept = decodeOutput(lossy(JSON.stringify(few), 40).content) as unknown[];
    for (const x of few.filter((f) => f.code === '500')) expect(kept).toContainEqual(x);
  });

  it('leave strings that are not plain numbers, and long digit runs, out of the statistics', () => {
    for (const s of ['0', '-0', '12', '-12.5', '0.10', '1e5', '1E+5', '2.5e-3', '123456789012345', '-1234567890.12345']) expect(numberLike(s), s).toBe(true);
    const not = ['', '-', '+5', ' 5', '5 ', '05', '-01', '1.', '.5', '1e', '1e+', '0x10', '1,000', 'NaN', 'Infinity', '1_000', '1.2.3', '١٢'];
    for (const s of [...not, '1234567890123456', '12345678901234567890', '1.000000000000000']) expect(numberLike(s), s).toBe(false);
    // Trace ids of 19 digits: no range in the markers, and the huge one is not an outlier.
    const spans = rows(60, (i) => ({ trace: String(1000000000000000000n + BigInt(i === 30 ? 8000000000000000000 : i)), op: 'GET /health' }));
    const { content } = lossy(spans, 60);
    expect(content).not.toMatch(/trace [0-9]/);
    expect(content).not.toContain('9000000000000000000');
  });

  it('keep the plan honest at every cap', () => {
    fc.assert(
      fc.property(tuplesDoc(), fc.nat(120), (content, k) => {
        const t = parse(content)!;
        const [plan] = new Selection(t, '').plan(k);
        const out = JSON.parse(compact.write(new View(t, plan))) as Json;
        expect(reductionProblem(JSON.parse(content) as Json, out, true)).toBeUndefined();
      }),
      { seed: 31, numRuns: 120 },
    );
  });
});

const markersOf = (text: string): string[] => text.match(/\[… [^\n"]*? …\]/g) ?? [];

describe('nested records', () => {
  it('find the extremes, every category and rare flags of GeoJSON features through `properties`', () => {
    const at = { strong: 1234 % 600, tsunami: 777 % 600, weak: 401 };
    const doc = featureCollection(600, at);
    for (const maxBlockTokens of [4000, 1500]) {
      const r = both(doc, { ...options, maxBlockTokens });
      expect(r.strategy.startsWith('json:select')).toBe(true);
      const out = decodeOutput(r.content) as { features: { properties: { mag: number; tsunami: number; type: string } }[] };
      const props = out.features.filter((f) => typeof f === 'object').map((f) => f.properties);
      expect(props.map((p) => p.mag)).toContain(7.8);
      expect(props.map((p) => p.mag)).toContain(0.2);
      expect(props.map((p) => p.tsunami)).toContain(1);
      expect(new Set(props.map((p) => p.type))).toEqual(new Set(['earthquake', 'quarry blast', 'explosion']));
      // Markers summarise the omitted features by their nested fields, a range of `mag` among them.
      const markers = markersOf(r.content).filter((m) => m.includes('omitted'));
      expect(markers.length).toBeGreaterThan(0);
      for (const m of markers) expect(m).toMatch(/properties\.mag [0-9.]+(–[0-9.]+)?/);
      expect(recordFloorMisses(JSON.parse(doc), out as never, r.content)).toEqual([]);
    }
  });

  it('find them in API envelopes through `attributes`, two levels down too', () => {
    const doc = ordersEnvelope(400, { refund: 271, big: 333 });
    const r = both(doc, { ...options, maxBlockTokens: 1500 });
    expect(r.strategy.startsWith('json:select')).toBe(true);
    const out = decodeOutput(r.content) as { data: { attributes: { status: string; amount_cents: number; customer: { tier: string } } }[] };
    const attrs = out.data.filter((d) => typeof d === 'object').map((d) => d.attributes);
    expect(attrs.map((a) => a.status)).toContain('refunded');
    expect(attrs.map((a) => a.amount_cents)).toContain(987654);
    expect(attrs.map((a) => a.customer.tier)).toContain('gold');
    for (const m of markersOf(r.content).filter((x) => x.includes('omitted'))) expect(m).toContain('attributes.');
    expect(recordFloorMisses(JSON.parse(doc), out as never, r.content)).toEqual([]);
  });
});

describe('nested records from random documents', () => {
  it('keep the floor and the plan honest, identically in both engines', () => {
    const record = fc.record({
      mag: fc.oneof(fc.integer({ min: -5, max: 90 }), fc.constant(null)),
      kind: fc.constantFrom('a', 'a', 'a', 'b', 'c', 'rare event'),
      flag: fc.constantFrom(false, false, false, false, true),
      note: fc.string({ maxLength: 8 }),
      depth: fc.integer({ min: 0, max: 700 }),
    });
    const doc = fc.tuple(fc.array(record, { minLength: 8, maxLength: 120 }), fc.boolean()).map(([rs, envelope]) =>
      JSON.stringify(
        envelope
          ? { data: rs.map((r, i) => ({ id: String(i), attributes: { status: r.kind, amount: r.mag, meta: { flag: r.flag, note: r.note } } })) }
          : { type: 'FeatureCollection', features: rs.map((r) => ({ type: 'Feature', properties: { mag: r.mag, type: r.kind, tsunami: r.flag ? 1 : 0, place: r.note }, geometry: { type: 'Point', coordinates: [1, 2, r.depth] } })) },
      ),
    );
    fc.assert(
      fc.property(doc, fc.integer({ min: 40, max: 900 }), (content, maxBlockTokens) => {
        const r = both(content, { ...options, maxBlockTokens });
        const input = JSON.parse(content) as Parameters<typeof reductionProblem>[0];
        const out = decodeOutput(r.content) as typeof input;
        expect(reductionProblem(input, out, !r.strategy.endsWith('toon'))).toBeUndefined();
        expect(recordFloorMisses(input, out, r.content)).toEqual([]);
        for (const m of markersOf(r.content)) expect(m).not.toMatch(/omitted …\]$/);
      }),
      { seed: 12, numRuns: 40 },
    );
  });
});

describe('honest markers', () => {
  it('follow a reduced TOON header with the array’s full count, valid for a reader', () => {
    const doc = rows(2000, (i) => ({ id: i, host: `web-${i % 4}`, ms: 20 + ((i * 37) % 50) }));
    const r = both(doc, { ...options, maxBlockTokens: 600 });
    expect(r.strategy).toBe('json:select+toon');
    const [header, shown] = r.content.split('\n');
    const n = /^\[(\d+)\]\{/.exec(header!)![1]!;
    expect(Number(n)).toBeLessThan(2000);
    expect(shown).toBe('  [… 2000 items in all …]');
    expect((decodeOutput(r.content) as unknown[]).length).toBe(Number(n));
    // Nested under a key, as a list item's field too.
    const nested = both(JSON.stringify({ page: 1, results: JSON.parse(doc) as unknown }), { ...options, maxBlockTokens: 600 });
    expect(nested.content).toMatch(/^results\[(\d+)\]\{[^\n]*\n {2}\[… 2000 items in all …\]$/m);
  });

  it('never leave an item marker without a summary', () => {
    // Nothing to count or range: unique names and nested lists.
    const doc = rows(60, (i) => ({ name: `entry number ${i} of the list`, parts: [`p${i}`, `q${i}`] }));
    const r = both(doc, { ...options, maxBlockTokens: 80 });
    const markers = markersOf(r.content).filter((m) => m.includes('omitted'));
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect(m).toMatch(/omitted: objects …\]$/);
  });
});

describe('the JS twin of the selection rules', () => {
  it('classifies signals like the Rust engine', () => {
    const t = parse(
      '{"failure_code":null,"error":"boom","errors":[],"error_count":0,"failureThreshold":3,"statusCode":404,"status":"503",' +
        '"http_status":302,"status_code":200,"ok":false,"success":true,"exitCode":2,"exit_code":0,"conclusion":"failure",' +
        '"level":"warn","title":"fix error","id":7}',
    )!;
    const view = new View(t, undefined);
    const texts = new TextSignals();
    const got = children(t, 0).map((c) => ownSignal(view, c, [], texts));
    const { None: N, Warning: W, Error: E } = Signal;
    expect(got).toEqual([N, E, N, N, N, E, E, W, N, E, N, E, N, E, W, N, N]);
  });

  it('classifies numbers written as strings like the Rust engine', () => {
    const t = parse(
      '{"code":"503","http_code":404,"response_code":"200","zip_code":"404","exit_code":"2","returncode":"0",' +
        '"failure_count":"0","errors":"0.0","error":"none","statuscode":"500"}',
    )!;
    const view = new View(t, undefined);
    const texts = new TextSignals();
    const { None: N, Error: E } = Signal;
    expect(children(t, 0).map((c) => ownSignal(view, c, [], texts))).toEqual([E, E, N, N, E, N, N, N, E, E]);
  });

  it('finds outliers and level shifts like the Rust engine', () => {
    const v = Float64Array.from({ length: 40 }, (_, i) => 10 + (i % 5));
    v[17] = 500;
    v[30] = -200;
    expect(outliers(v)).toEqual([17, 30]);
    const z = new Float64Array(40);
    z[5] = 1;
    z[9] = 40;
    expect(outliers(z)).toEqual([9]);
    expect(changePoints(Float64Array.from({ length: 60 }, (_, i) => (i < 35 ? 5 : 50) + (i % 3)))).toEqual([35]);
    const spike = Float64Array.from({ length: 40 }, (_, i) => 10 + (i % 2));
    spike[20] = 900;
    expect(changePoints(spike)).toEqual([]);
  });

  it('shows marker text short and orders strings by code point', () => {
    expect(display('a\nb')).toBe('a b');
    expect(display('x'.repeat(30))).toBe('x'.repeat(24) + '…');
    expect(display('é'.repeat(13))).toBe('é'.repeat(12) + '…');
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
  });

  it('writes an honest plan at every cap', () => {
    fc.assert(
      fc.property(recordsDoc(), fc.nat(90), (content, k) => {
        const t = parse(content)!;
        const [plan] = new Selection(t, '').plan(k);
        const out = JSON.parse(compact.write(new View(t, plan))) as Parameters<typeof reductionProblem>[0];
        expect(reductionProblem(JSON.parse(content) as typeof out, out, true)).toBeUndefined();
      }),
      { seed: 99, numRuns: 150 },
    );
  });
});
