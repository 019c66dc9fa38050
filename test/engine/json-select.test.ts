// Lossy JSON selection: the rules on small hand-written documents (both engines through the block
// entry, the JS twin's parts directly), and the honesty of every plan on random documents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as compact from '../../src/engine/js/json/compact.js';
import { Selection } from '../../src/engine/js/json/select.js';
import { ownSignal, TextSignals } from '../../src/engine/js/json/signal.js';
import { changePoints, outliers } from '../../src/engine/js/stats.js';
import { compareCodePoints, display } from '../../src/engine/js/json/summary.js';
import { children, parse } from '../../src/engine/js/json/tape.js';
import { View } from '../../src/engine/js/json/view.js';
import { Signal } from '../../src/engine/js/select.js';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { engines } from '../support/engines.js';
import { recordsDoc, reductionProblem } from './json-docs.js';

const options: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 0, maxBlockTokens: 60 };

function both(content: string, o: BlockOptions = options): BlockResult {
  const results = engines().map((e) => e.compressBlocks([{ content, options: o }])[0]!);
  for (const r of results) expect(r).toEqual(results[0]);
  return results[0]!;
}

const rows = (n: number, f: (i: number) => unknown): string => JSON.stringify(Array.from({ length: n }, (_, i) => f(i)));

describe('lossy JSON selection', () => {
  it('keeps first, last, errors and one item per low-cardinality value, with summarising markers', () => {
    const doc = rows(30, (i) => ({ id: i, status: i === 17 ? 500 : 200, ms: 10 + (i % 3) }));
    const r = both(doc, { ...options, maxBlockTokens: 20 });
    expect(r.strategy).toBe('json:select+toon');
    expect(r.content).toBe(
      [
        '[5]{id,status,ms}:',
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
    expect(lines[0]).toMatch(/^\[\d+\]\{id,user,region,score\}:$/);
    const markers = lines.filter((l) => l.trim().startsWith('[…'));
    expect(markers.length).toBeGreaterThan(0);
    const rowsShown = lines.length - 1 - markers.length;
    expect(lines[0]).toBe(`[${rowsShown}]{id,user,region,score}:`);
    expect(r.tokensAfter).toBeLessThanOrEqual(300);
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
    expect(lines[0]).toMatch(/^\[\d+\]\{at,level,ms,msg\}:$/);
    const out: unknown[] = lines.slice(1).map((l) => (l.trim().startsWith('[…') ? l.trim() : { msg: l.split(',')[3] }));
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

describe('the JS twin of the selection rules', () => {
  it('classifies signals like the Rust engine', () => {
    const t = parse(
      '{"failure_code":null,"error":"boom","errors":[],"error_count":0,"failureThreshold":3,"statusCode":404,"status":"503",' +
        '"http_status":302,"status_code":200,"ok":false,"success":true,"exitCode":2,"exit_code":0,"conclusion":"failure",' +
        '"level":"warn","title":"fix error","id":7}',
    )!;
    const view = new View(t, undefined);
    const texts = new TextSignals();
    const got = children(t, 0).map((c) => ownSignal(view, c, texts));
    const { None: N, Warning: W, Error: E } = Signal;
    expect(got).toEqual([N, E, N, N, N, E, E, W, N, E, N, E, N, E, W, N, N]);
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
