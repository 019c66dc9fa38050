// The benchmark reads any directory laid out like the corpus: known layouts by kind, ground truth
// next to CI logs and above metric series, license/readme files ignored, anything else listed as
// skipped (never fatal).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffNeedles, loadCorpus, windowRows, windowsKept } from '../../benches/corpus.js';

const root = mkdtempSync(join(tmpdir(), 'headroom-corpus-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text = 'x'): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

it('classifies files by layout and lists unknown ones', () => {
  put('json/api/users.json', '[]');
  put('json/LICENSE.api');
  put('ci-logs/set/case1/fail.log');
  put('ci-logs/set/case1/groundtruth', 'maven\nE 1-2\n');
  put('ci-logs/set/case2/fail.log');
  put('logs/hdfs/part1.log');
  put('grep/todo.txt');
  put('diffs/fix.patch');
  put('trajectories/run.traj', '{}');
  put('trajectories/swe-bench-lite.json', '{}');
  put('metrics/cpu.csv');
  put('metrics/nab/aws/disk.csv');
  put('metrics/nab/aws/unlabelled.csv');
  put('metrics/nab/combined_windows.json', JSON.stringify({ 'aws/disk.csv': [['2026-01-01 00:10:00.000000', '2026-01-01 00:20:00.000000']], 'aws/gone.csv': [] }));
  put('metrics/nab/combined_labels.json', '{}');
  put('metrics/notes.txt');
  const corpus = loadCorpus(root);
  expect(corpus.entries.map((e) => [e.name, e.kind, e.groundtruth !== undefined])).toEqual([
    ['ci-logs/set/case1/fail.log', 'log', true],
    ['ci-logs/set/case2/fail.log', 'log', false],
    ['diffs/fix.patch', 'diff', false],
    ['grep/todo.txt', 'search', false],
    ['json/api/users.json', 'json', false],
    ['logs/hdfs/part1.log', 'log', false],
    ['metrics/cpu.csv', 'metrics', false],
    ['metrics/nab/aws/disk.csv', 'metrics', false],
    ['metrics/nab/aws/unlabelled.csv', 'metrics', false],
    ['trajectories/run.traj', 'trajectory', false],
  ]);
  // A series takes its windows from the combined_windows.json above it, keyed relative to it.
  expect(Object.fromEntries(corpus.entries.filter((e) => e.kind === 'metrics').map((e) => [e.name, e.windows]))).toEqual({
    'metrics/cpu.csv': undefined,
    'metrics/nab/aws/disk.csv': [['2026-01-01 00:10:00.000000', '2026-01-01 00:20:00.000000']],
    'metrics/nab/aws/unlabelled.csv': undefined,
  });
  expect(corpus.skipped).toEqual(['metrics/notes.txt']);
  expect(loadCorpus(join(root, 'does-not-exist')).entries).toEqual([]);
});

it('takes every changed line and header of a diff as a needle, except inside lockfiles', () => {
  const diff = [
    'diff --git a/Cargo.lock b/Cargo.lock',
    '--- a/Cargo.lock',
    '+++ b/Cargo.lock',
    '@@ -1,2 +1,2 @@',
    '-old = 1',
    '+new = 2',
    'diff --git a/src/x.rs b/src/x.rs',
    '--- a/src/x.rs',
    '+++ b/src/x.rs',
    '@@ -3,3 +3,3 @@ fn main()',
    ' keep',
    '-a',
    '+b',
  ].join('\n');
  expect(diffNeedles(diff)).toEqual([1, 2, 3, 7, 8, 9, 10, 12, 13]);
});

describe('metric windows', () => {
  const series = ['timestamp,value', ...Array.from({ length: 8 }, (_, k) => `2026-01-01 00:${String(5 * k).padStart(2, '0')}:00,${10 + k}`)].join('\n');
  const windows: [string, string][] = [
    ['2026-01-01 00:10:00.000000', '2026-01-01 00:15:00.000000'],
    ['2026-01-01 00:30:00.000000', '2026-01-01 00:35:00.000000'],
    ['2026-02-01 00:00:00.000000', '2026-02-01 01:00:00.000000'],
  ];
  const line = (k: number): string => series.split('\n')[k - 1]!;

  it('finds the rows inside each window, bounds included, at the rows\' own precision', () => {
    expect(windowRows(series, windows)).toEqual([[4, 5], [8, 9], []]);
    expect(windowRows(series.replace(/\n/g, '\r\n'), windows)).toEqual([[4, 5], [8, 9], []]);
  });

  it('keeps a window only when one of its rows survives verbatim', () => {
    expect(windowsKept(series, series, windows)).toEqual({ kept: 2, total: 3 });
    const first = [line(1), line(2), line(5), '[… 4 rows omitted: value 15–17, 2026-01-01 00:20:00 – 2026-01-01 00:35:00 …]'].join('\n');
    expect(windowsKept(series, first, windows)).toEqual({ kept: 1, total: 3 });
    // A row's value alone, or a marker whose range covers the window, is not a kept row.
    const none = ['17', '2026-01-01 00:30:00', '[… 8 rows omitted: value 10–17, 2026-01-01 00:00:00 – 2026-01-01 00:35:00 …]'].join('\n');
    expect(windowsKept(series, none, windows)).toEqual({ kept: 0, total: 3 });
  });
});
