// Metric series (`timestamp,value` rows), identically in both engines: the global max and min and
// a window around every spike, dip and level shift survive the lossy stage, every omitted run's
// marker gives its true value range and time span, and on the NAB series of the corpus every
// labelled anomaly window keeps a row inside it at the default budget.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { corpusDir } from '../support/corpus.js';
import { compressBoth } from '../support/engines.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

const MARKER = /^\[… (\d+) rows? omitted: (\S+) (\S+?)(?:–(\S+))?, (?:at (.+)|(.+) – (.+)) …\]$/;

interface Row {
  line: string;
  time: string;
  value: string;
}

const rowsOf = (text: string): Row[] =>
  text
    .split('\n')
    .filter((l) => l !== '' && /^[0-9]/.test(l))
    .map((line) => {
      const [time, value] = line.replace(/\r$/, '').split(',') as [string, string];
      return { line, time, value };
    });

/**
 * Walks the output against the input: kept rows are the input's lines in order, each marker
 * stands for the run it replaces with its true count, value range and time span. Returns the
 * indices (into the input rows) kept.
 */
function checkOutput(input: string, output: string, name = 'value'): Set<number> {
  const rows = rowsOf(input);
  const kept = new Set<number>();
  let i = 0;
  const lines = output.split('\n');
  for (const l of lines.slice(/^[0-9]/.test(input) ? 0 : 1)) {
    if (l === '') continue;
    // Markers end as the rows they stand for (`\r\n` rows: `\r`).
    const m = MARKER.exec(l.replace(/\r$/, ''));
    if (m === null) {
      expect(l).toBe(rows[i]!.line);
      kept.add(i++);
      continue;
    }
    const n = Number(m[1]);
    const run = rows.slice(i, i + n);
    expect(run.length).toBe(n);
    expect(m[2]).toBe(name);
    const xs = run.map((r) => Number(r.value));
    const lo = run[xs.indexOf(Math.min(...xs))]!.value;
    const hi = run[xs.indexOf(Math.max(...xs))]!.value;
    expect([m[3], m[4] ?? m[3]]).toEqual([lo, hi]);
    if (m[5] !== undefined) expect([m[5], m[5]]).toEqual([run[0]!.time, run[n - 1]!.time]);
    else expect([m[6], m[7]]).toEqual([run[0]!.time, run[n - 1]!.time]);
    i += n;
  }
  expect(i).toBe(rows.length);
  return kept;
}

/** mulberry32: seeded noise. */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stamp = (k: number): string => new Date(Date.UTC(2025, 0, 1) + k * 60_000).toISOString().replace('T', ' ').slice(0, 19);

interface Generated {
  text: string;
  anomalies: number[];
}

/** A noisy series with a spike, a dip and a level shift at given places. */
function generate(n: number, seed: number, spike: number, dip: number, shift: number, amplitude: number): Generated {
  const r = noise(seed);
  const rows = ['timestamp,value'];
  for (let k = 0; k < n; k++) {
    const level = k >= shift ? 100 + 20 * amplitude : 100;
    const v = k === spike ? level + 15 * amplitude : k === dip ? level - 15 * amplitude : level + amplitude * r();
    rows.push(`${stamp(k)},${v.toFixed(2)}`);
  }
  return { text: rows.join('\n') + '\n', anomalies: [spike, dip, shift] };
}

describe('metric series', () => {
  it('keeps CRLF line ends on every line it keeps and ends its markers the same way', () => {
    for (const [lf, options] of [
      [
        'timestamp,value\n' + Array.from({ length: 500 }, (_, i) => `2024-01-01 ${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${i === 250 ? 99 : 10 + (i % 3)}`).join('\n') + '\n',
        { maxBlockTokens: 300 },
      ] as const,
    ]) {
      const crlf = lf.replaceAll('\n', '\r\n');
      const r = both(crlf, options);
      expect(r.modified).toBe(true);
      expect(r.content.includes('[…')).toBe(true);
      const out = (r.content.endsWith('\n') ? r.content.slice(0, -1) : r.content).split('\n');
      for (const l of out) expect(l.endsWith('\r')).toBe(true);
      checkOutput(crlf, r.content);
      const input = new Set(crlf.split('\n'));
      for (const l of out) if (!l.startsWith('[…')) expect(input.has(l)).toBe(true);
    }
  });

  it('keeps max, min and every injected spike, dip and level shift; markers give true ranges (generated, seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 600, max: 3000 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.tuple(fc.double({ min: 0.05, max: 0.3, noNaN: true }), fc.double({ min: 0.35, max: 0.6, noNaN: true }), fc.double({ min: 0.65, max: 0.95, noNaN: true })),
        (n, seed, amplitude, [a, b, c]) => {
          const [spike, dip, shift] = [a, b, c].map((f) => Math.floor(f * n)) as [number, number, number];
          const g = generate(n, seed, spike, dip, shift, amplitude);
          const r = both(g.text, { maxBlockTokens: 1500 });
          expect(r.strategy).toBe('metrics:select');
          expect(r.tokensAfter).toBeLessThanOrEqual(1500);
          const kept = checkOutput(g.text, r.content);
          for (const k of g.anomalies) expect(kept.has(k), `row ${k} of ${n}`).toBe(true);
          const xs = rowsOf(g.text).map((x) => Number(x.value));
          expect(kept.has(xs.indexOf(Math.max(...xs)))).toBe(true);
          expect(kept.has(xs.indexOf(Math.min(...xs)))).toBe(true);
          expect(kept.has(0) && kept.has(n - 1)).toBe(true);
          expect(r.omitted).toEqual([{ unit: 'rows', count: n - kept.size, summary: expect.stringMatching(/^in \d+ places?$/) as unknown as string }]);
        },
      ),
      { seed: 20261205, numRuns: 12 },
    );
  });

  it('keeps a window of rows either side of a level shift', () => {
    const g = generate(2000, 7, 300, 900, 1400, 5);
    const kept = checkOutput(g.text, both(g.text).content);
    for (let k = 1398; k <= 1402; k++) expect(kept.has(k), `row ${k}`).toBe(true);
  });

  it('names the value column from the header, keeps CRLF rows as given, and detects epoch-second series', () => {
    const g = generate(1500, 3, 100, 700, 1200, 2);
    const crlf = g.text.replace('timestamp,value', 'time,cpu_pct').replace(/\n/g, '\r\n');
    const r = both(crlf);
    expect(r.kind).toBe('log');
    expect(r.strategy).toBe('metrics:select');
    const rows = r.content.split('\n').filter((l) => /^[0-9]/.test(l));
    expect(rows.every((l) => l.endsWith('\r'))).toBe(true);
    expect(r.content).toMatch(/\[… \d+ rows omitted: cpu_pct [0-9.]+–[0-9.]+, 2025-/);
    const epoch = rowsOf(g.text)
      .map((x, k) => `${1735689600 + 60 * k},${x.value}`)
      .join('\n');
    const e = both(epoch);
    expect(e.kind).toBe('log');
    expect(e.strategy).toBe('metrics:select');
    checkOutput(epoch, e.content);
  });

  it('passes a series within the budget through, and compressed output stays as it is', () => {
    const g = generate(1500, 11, 100, 700, 1200, 2);
    expect(both(g.text, { maxBlockTokens: Infinity }).modified).toBe(false);
    expect(both(g.text, { maxBlockTokens: 100_000 }).modified).toBe(false);
    const once = both(g.text);
    expect(once.modified).toBe(true);
    expect(both(once.content).modified).toBe(false);
  });

  it('keeps a row inside every labelled NAB anomaly window at the default budget', () => {
    const root = join(corpusDir(), 'metrics/nab');
    const windows = JSON.parse(readFileSync(join(root, 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
    const files = Object.keys(windows).filter((f) => existsSync(join(root, f)));
    expect(files.length).toBeGreaterThan(0);
    const missed: string[] = [];
    for (const file of files) {
      const content = readFileSync(join(root, file), 'utf8');
      const r = both(content);
      expect(r.tokensAfter).toBeLessThanOrEqual(defaults.maxBlockTokens);
      const kept = [...checkOutput(content, r.content)].map((k) => rowsOf(content)[k]!.time);
      for (const [start, end] of windows[file]!) {
        const [lo, hi] = [start.slice(0, 19), end.slice(0, 19)];
        if (!kept.some((t) => t >= lo && t <= hi)) missed.push(`${file} ${lo}..${hi}`);
      }
    }
    expect(missed).toEqual([]);
  });
  it('keeps the anomalies of JSON time/value records: a spike at a trough and a dip at a peak of a daily cycle, max and min', () => {
    const r0 = noise(5);
    const records = Array.from({ length: 2000 }, (_, k) => {
      const cycle = 100 + 30 * Math.sin((2 * Math.PI * k) / 200);
      const value = k === 150 ? cycle + 20 : k === 1050 ? cycle - 20 : cycle + r0();
      return { timestamp: `${stamp(k)}`, value: Number(value.toFixed(3)) };
    });
    const text = JSON.stringify(records, null, 1);
    const r = both(text);
    expect(r.kind).toBe('json');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    const values = records.map((x) => x.value);
    for (const k of [150, 1050, values.indexOf(Math.max(...values)), values.indexOf(Math.min(...values))]) {
      expect(r.content, `record ${k}`).toContain(records[k]!.timestamp);
      expect(r.content).toContain(String(records[k]!.value));
    }
  });
});
