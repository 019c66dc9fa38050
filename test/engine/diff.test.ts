// The diff compressor, identically in both engines: context folding always, lockfile and binary
// summaries and change-only hunks above maxBlockTokens, every change and header kept.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';
import { compressBoth } from '../support/engines.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
const LOCKFILE = /(^|\/)(Cargo\.lock|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|poetry\.lock|Gemfile\.lock|composer\.lock)$/;

const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

const inputLines = (text: string): string[] => (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n').map((l) => l.replace(/\r$/, ''));

/** The lines every compressed diff must keep: changes, file headers, hunk headers (outside lockfiles). */
function needles(text: string): string[] {
  const out: string[] = [];
  let lockfile = false;
  const lines = inputLines(text);
  lines.forEach((l, k) => {
    const m = /^diff --git \S+ (\S+)$/.exec(l) ?? (l.startsWith('+++ ') ? /^\+\+\+ (\S+)/.exec(l) : null);
    if (m) lockfile = LOCKFILE.test(m[1]!);
    if (l.startsWith('diff ') || l.startsWith('--- ') || l.startsWith('+++ ')) out.push(l);
    else if (!lockfile && (l.startsWith('@@ ') || l.startsWith('+') || l.startsWith('-')) && k > 0) out.push(l);
  });
  return out;
}

/** Lines in the output plus the counts its markers stand for. */
function countLines(out: string): number {
  let n = 0;
  for (const l of inputLines(out)) {
    const m = /^\[… (\d+) unchanged lines? …\]$/.exec(l) ?? /\((\d+) lines\) …\]$/.exec(l) ?? /^\[… (\d+) lines? of binary patch data …\]$/.exec(l);
    n += m ? Number(m[1]) : 1;
  }
  return n;
}

function expectSound(input: string, r: BlockResult): void {
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  if (!r.modified) return;
  const kept = new Set(inputLines(r.content));
  for (const n of needles(input)) expect(kept.has(n), n.slice(0, 100)).toBe(true);
  expect(countLines(r.content)).toBe(inputLines(input).length);
}

const hunk = (from: number, context: number, change: string[]): string[] => {
  const before = Array.from({ length: context }, (_, k) => ` line ${from + k} of the unchanged code around it`);
  const after = Array.from({ length: context }, (_, k) => ` line ${from + context + 1 + k} of the unchanged code around it`);
  const removed = change.filter((c) => c.startsWith('-')).length;
  const added = change.length - removed;
  return [`@@ -${from},${2 * context + removed} +${from},${2 * context + added} @@ fn around()`, ...before, ...change, ...after];
};

describe('diffs', () => {
  it('keeps one context line on each side of a change and folds the rest with a count', () => {
    const input = ['diff --git a/src/x.rs b/src/x.rs', 'index 1a2b..3c4d 100644', '--- a/src/x.rs', '+++ b/src/x.rs', ...hunk(10, 4, ['-    old();', '+    new();'])].join('\n') + '\n';
    const r = both(input, { minTokens: 0 });
    expect(r.content.split('\n').slice(4, 12)).toEqual([
      '@@ -10,9 +10,9 @@ fn around()',
      '[… 3 unchanged lines …]',
      ' line 13 of the unchanged code around it',
      '-    old();',
      '+    new();',
      ' line 15 of the unchanged code around it',
      '[… 3 unchanged lines …]',
      '',
    ]);
    expect(r.strategy).toBe('diff:fold');
    expect(r.omitted).toEqual([{ unit: 'lines', count: 6, summary: 'unchanged context lines' }]);
    expectSound(input, r);
  });

  it('summarises lockfiles only above the budget, and then drops the remaining context', () => {
    const lock = ['diff --git a/Cargo.lock b/Cargo.lock', 'index 1..2 100644', '--- a/Cargo.lock', '+++ b/Cargo.lock'];
    for (let k = 0; k < 40; k++) lock.push(...hunk(100 * k + 1, 3, [`-version = "1.0.${k}"`, `+version = "1.0.${k + 1}"`]));
    const code = ['diff --git a/src/lib.rs b/src/lib.rs', '--- a/src/lib.rs', '+++ b/src/lib.rs', ...hunk(5, 3, ['-let a = 1;', '+let a = 2;'])];
    const input = [...lock, ...code].join('\n');
    const lossless = both(input, { maxBlockTokens: Infinity });
    expect(lossless.content).toContain('+version = "1.0.40"');
    const summarised = both(input, { maxBlockTokens: 400 });
    expect(summarised.strategy).toMatch(/^diff:(summarise|changes)$/);
    expect(summarised.content).toContain('[… Cargo.lock: lockfile changes omitted, 40 lines added and 40 removed in 40 hunks (360 lines) …]');
    expect(summarised.content).toContain('+let a = 2;');
    expect(summarised.omitted).toContainEqual({ unit: 'hunks', count: 40, summary: 'in 1 lockfile' });
    expectSound(input, summarised);
    expect(countLines(summarised.content)).toBe(inputLines(input).length);
  });

  it('summarises binary patch data above the budget', () => {
    const data = Array.from({ length: 200 }, (_, k) => `zcmV-${'Q1w2E3r4T5y6U7i8O9p0'.repeat(3)}${k}`);
    const input = ['diff --git a/logo.png b/logo.png', 'index 1..2 100644', 'GIT binary patch', 'literal 4096', ...data, '', 'literal 0', 'HcmV?d00001', ''].join('\n');
    const r = both(input, { maxBlockTokens: 300 });
    expect(r.content).toContain('[… 201 lines of binary patch data …]');
  });

  it('does not read a line after a hunk as part of it when the counts say the hunk ended', () => {
    const input = ['--- a/notes.txt', '+++ b/notes.txt', '@@ -1,2 +1,2 @@', '-old', '+new', ' same', '-- ', '2.39.0', ''].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe(input); // nothing to fold: untouched
  });
});

describe('line ends', () => {
  it('keeps CRLF line ends on every line it keeps, ends its markers the same way, and changes nothing else', () => {
    for (const [lf, options] of [
      [
        'diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1,60 +1,60 @@\n' + Array.from({ length: 60 }, (_, i) => (i === 30 ? `-old ${i}\n+new ${i}` : ` line ${i} of the file`)).join('\n') + '\n',
        { minTokens: 0 },
      ] as const,
    ]) {
      const crlf = lf.replaceAll('\n', '\r\n');
      const r = both(crlf, options);
      expect(r.modified).toBe(true);
      expect(r.content.includes('[…')).toBe(true);
      const out = (r.content.endsWith('\n') ? r.content.slice(0, -1) : r.content).split('\n');
      for (const l of out) expect(l.endsWith('\r')).toBe(true);
      expect(r.content.replaceAll('\r\n', '\n')).toBe(both(lf, options).content);
      // Every line that is not a marker is an input line, byte for byte.
      const input = new Set(crlf.split('\n'));
      for (const l of out) if (!l.startsWith('[…')) expect(input.has(l)).toBe(true);
    }
  });
});

describe('the development corpus', () => {
  it('is identical in both engines and keeps every change and header on every diff', () => {
    for (const f of corpusFiles('diffs', (f) => !f.includes('LICENSE'))) {
      const content = readFileSync(corpusPath(f), 'utf8');
      const r = both(content);
      expect(r.kind, f).toBe('diff');
      expectSound(content, r);
      for (const max of [Infinity, 500]) expectSound(content, both(content, { maxBlockTokens: max }));
      if (r.modified) expect(both(r.content).modified, `${f} compressed twice`).toBe(false);
    }
  });

  it('is identical in both engines on the diffs agents submitted in trajectories', () => {
    for (const f of corpusFiles('trajectories', (f) => f.endsWith('.traj'))) {
      const traj = JSON.parse(readFileSync(corpusPath(f), 'utf8')) as { trajectory?: Array<{ observation?: unknown }> };
      for (const step of traj.trajectory ?? []) {
        if (typeof step.observation !== 'string' || !step.observation.includes('diff --git')) continue;
        const r = both(step.observation, { minTokens: 0 });
        expect(r.kind).toBe('diff');
        expectSound(step.observation, r);
      }
    }
  });
});

describe('adversarial diffs', () => {
  it('handles a 5 MB hunk', () => {
    const body: string[] = [];
    let removed = 0;
    let added = 0;
    for (let k = 0; k < 140_000; k++) {
      if (k % 10 === 3) {
        body.push(`-    value_${k} = compute(${k}, "old");`);
        removed++;
      } else if (k % 10 === 4) {
        body.push(`+    value_${k} = compute(${k}, "new");`);
        added++;
      } else body.push(`     context_${k} = unchanged(${k}); // keep`);
    }
    const context = body.length - removed - added;
    const input = ['diff --git a/big.py b/big.py', '--- a/big.py', '+++ b/big.py', `@@ -1,${context + removed} +1,${context + added} @@`, ...body].join('\n');
    expect(input.length).toBeGreaterThan(5_000_000);
    const r = both(input);
    expectSound(input, r);
  });

  it('agree in both engines on generated diffs and keep every change', () => {
    const change = fc.constantFrom('-a = 1', '+a = 2', '-', '+', '-é😀', '+\ttab', '\\ No newline at end of file');
    const ctx = fc.constantFrom(' unchanged', ' ', '', ' x = y + z', '\tindented by a tab');
    const hunkLines = fc.array(fc.oneof({ weight: 3, arbitrary: ctx }, { weight: 2, arbitrary: change }), { minLength: 1, maxLength: 30 });
    const file = fc.tuple(fc.constantFrom('src/a.c', 'Cargo.lock', 'docs/readme.md'), fc.array(hunkLines, { minLength: 1, maxLength: 4 }));
    const diff = fc.array(file, { minLength: 1, maxLength: 3 }).map((files) =>
      files
        .flatMap(([path, hunks]) => [
          `diff --git a/${path} b/${path}`,
          `--- a/${path}`,
          `+++ b/${path}`,
          ...hunks.flatMap((h) => {
            const old = h.filter((l) => !l.startsWith('+') && !l.startsWith('\\')).length;
            const neu = h.filter((l) => !l.startsWith('-') && !l.startsWith('\\')).length;
            return [`@@ -1,${old} +1,${neu} @@`, ...h];
          }),
        ])
        .join('\n'),
    );
    fc.assert(
      fc.property(diff, fc.oneof(fc.constant(Infinity), fc.integer({ min: 10, max: 300 })), (input, max) => {
        const r = both(input, { minTokens: 0, maxBlockTokens: max });
        if (r.kind === 'diff') expectSound(input, r);
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
