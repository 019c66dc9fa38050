// The benchmark reads any directory laid out like the corpus: known layouts by kind, ground truth
// next to CI logs, license/readme files ignored, anything else listed as skipped (never fatal).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { diffNeedles, loadCorpus } from '../../benches/corpus.js';

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
  const corpus = loadCorpus(root);
  expect(corpus.entries.map((e) => [e.name, e.kind, e.groundtruth !== undefined])).toEqual([
    ['ci-logs/set/case1/fail.log', 'log', true],
    ['ci-logs/set/case2/fail.log', 'log', false],
    ['diffs/fix.patch', 'diff', false],
    ['grep/todo.txt', 'search', false],
    ['json/api/users.json', 'json', false],
    ['logs/hdfs/part1.log', 'log', false],
    ['trajectories/run.traj', 'trajectory', false],
  ]);
  expect(corpus.skipped).toEqual(['metrics/cpu.csv']);
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
