// The logs section's quality figures: window recall of metric series, and the oracle (what keeping
// only the labelled lines would cost) of CI logs and metric series, printed per kind next to the
// token cut; the peer section scores metric series by their windows too.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadCorpus } from '../../benches/corpus.js';
import { logsQuality, quality, qualityMarkdown, samples, type LogsRow } from '../../benches/logs.js';
import { needlesFor } from '../../benches/peer.js';
import { countTokens } from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'headroom-logs-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

const rows = Array.from({ length: 12 }, (_, k) => `2026-03-0${1 + Math.floor(k / 6)} 0${k % 6}:00:00,${k === 7 ? 99.5 : 40 + k}`);
const SERIES = ['timestamp,value', ...rows].join('\n') + '\n';
const LOG = ['[INFO] building', '[INFO] compiling 3 files', '[ERROR] Foo.java:[3,1] cannot find symbol', '[ERROR]   symbol: class Bar', '[INFO] BUILD FAILURE', ''].join('\r\n');
put('metrics/nab/cpu/series.csv', SERIES);
put('metrics/nab/combined_windows.json', JSON.stringify({ 'cpu/series.csv': [['2026-03-02 00:00:00.000000', '2026-03-02 02:00:00.000000'], ['2026-03-02 04:00:00.000000', '2026-03-02 05:00:00.000000']] }));
put('ci-logs/maven/run1/fail.log', LOG);
put('ci-logs/maven/run1/groundtruth', 'maven\nE 3-4\nC 5\n');

const all = samples(loadCorpus(root).entries, false);
const metric = all.find((s) => s.kind === 'metrics')!;
const ciLog = all.find((s) => s.kind === 'ci-log')!;

it('reads metric series as samples labelled by the rows inside their windows', () => {
  expect(all.filter((s) => s.kind !== 'search').map((s) => [s.kind, s.name])).toEqual([
    ['ci-log', 'maven/run1'],
    ['metrics', 'nab/cpu/series.csv'],
  ]);
  expect(metric.labelled).toEqual([8, 9, 10, 12, 13]);
  expect(ciLog.labelled).toEqual([3, 4]);
});

it('scores window recall on kept rows and prices the oracle as the labelled lines alone', () => {
  const [header, ...body] = SERIES.trimEnd().split('\n');
  const output = [header, ...body.slice(0, 7), '[… 5 rows omitted: value 47–99.5, 2026-03-02 01:00:00 – 2026-03-02 05:00:00 …]'].join('\n');
  const q = quality(metric, output);
  expect([q.windowsKept, q.windowsTotal]).toEqual([1, 2]);
  expect(q.oracleTokens).toBe(countTokens([body[6], body[7], body[8], body[10], body[11]].join('\n'), { encoding: 'o200k_base' }));
  expect(quality(metric, SERIES).windowsKept).toBe(2);
  const log = quality(ciLog, 'anything');
  expect([log.windowsTotal, log.templatesTotal]).toEqual([0, 0]);
  expect(log.oracleTokens).toBe(countTokens('[ERROR] Foo.java:[3,1] cannot find symbol\n[ERROR]   symbol: class Bar', { encoding: 'o200k_base' }));
});

it('prints each kind\'s quality figure and oracle next to its token cut', () => {
  const row = (kind: string, before: number, after: number, extra: Partial<LogsRow>): LogsRow => ({
    kind,
    name: kind,
    bytes: 1,
    detected: 'log',
    before,
    after,
    errorKept: 0,
    errorTotal: 0,
    contextKept: 0,
    contextTotal: 0,
    templatesShown: 0,
    templatesTotal: 0,
    windowsKept: 0,
    windowsTotal: 0,
    oracleTokens: null,
    nativeMs: 1,
    jsMs: 1,
    nativeCountMs: 0,
    jsCountMs: 0,
    ...extra,
  });
  const section = {
    rows: [
      row('metrics', 1000, 100, { windowsKept: 3, windowsTotal: 4, oracleTokens: 50 }),
      row('metrics', 1000, 300, { oracleTokens: null }),
      row('system-log (generated)', 500, 50, { templatesShown: 9, templatesTotal: 10 }),
    ],
  };
  expect(logsQuality(section).map((q) => [q.kind, q.tokensAfter, q.windowsKept, q.windowsTotal, q.labelledFiles, q.labelledBefore, q.oracleTokens])).toEqual([
    ['metrics', 400, 3, 4, 1, 1000, 50],
    ['system-log (generated)', 50, 0, 0, 0, 0, 0],
  ]);
  const [header, , metrics, system] = qualityMarkdown(section).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  expect(header!.slice(4, 7)).toEqual(['saved', 'templates shown', 'windows kept']);
  expect(metrics).toEqual(['metrics', '2', '2000', '400', '80.0 %', '–', '75.0 %', '50 (1 of 2 files)', '95.0 %']);
  expect(system).toEqual(['system-log (generated)', '1', '500', '50', '90.0 %', '90.0 %', '–', '–', '–']);
});

it('counts a metric series\' windows as its needles in the per-kind comparison', () => {
  const entry = loadCorpus(root).entries.find((e) => e.kind === 'metrics')!;
  const needles = needlesFor(entry, SERIES)!;
  expect(needles.score(SERIES)).toEqual({ present: 2, total: 2, errorPresent: 0, errorTotal: 0 });
  expect(needles.score('timestamp,value\n')).toEqual({ present: 0, total: 2, errorPresent: 0, errorTotal: 0 });
});
