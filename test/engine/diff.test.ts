// The diff compressor, identically in both engines: context folding always, with every hunk
// header kept as given and every shown line locatable from the headers and fold markers; summaries of lockfiles, generated and
// vendored files, pure renames, deletions and binary data, then change-only hunks, above
// maxBlockTokens; every other change and every file header kept.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';
import { compressBoth } from '../support/engines.js';
import * as marker from '../../src/engine/js/marker.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
const LOCKFILE = /(^|\/)(Cargo\.lock|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|poetry\.lock|Gemfile\.lock|composer\.lock)$/;
/** The path conventions of generated and vendored files the compressor may summarise above the budget. */
const MACHINE_WRITTEN = /(\.min\.(js|css)|\.map|\.pb\.go|_pb2(_grpc)?\.py|\.g\.dart|\.generated\.[^/]*)$|(^|\/)(dist|build|__snapshots__|vendor|third_party|node_modules)\//;
const GENERATED_MARK = /@generated|DO NOT EDIT|Code generated/;

const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

const inputLines = (text: string): string[] => (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n').map((l) => l.replace(/\r$/, ''));

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
/** A fold marker: its count, and for a fold between shown lines, the old and new number of its first line. */
const FOLD = /^\[… (\d+) unchanged lines?(?: at -(\d+) \+(\d+))? …\]$/;

/** A file's section of a diff: its lines, from its first header line to the next file's. */
interface Section {
  path: string;
  from: number;
  to: number;
}

/** The file sections of a diff (a `diff ` line, or a `--- `/`+++ ` pair not after one, starts one). */
function sections(lines: readonly string[]): Section[] {
  const out: Section[] = [];
  let inHeader = false;
  lines.forEach((l, k) => {
    const git = /^diff --git \S+ (\S+)$/.exec(l);
    const plus = l.startsWith('--- ') && (lines[k + 1] ?? '').startsWith('+++ ');
    if (git !== null || l.startsWith('diff ') || (plus && !inHeader)) {
      if (out.length > 0) out[out.length - 1]!.to = k;
      out.push({ path: '', from: k, to: lines.length });
      inHeader = true;
    }
    if (git !== null) out[out.length - 1]!.path = git[1]!.replace(/^b\//, '');
    if (plus) {
      const name = (n: string): string => n.split('\t')[0]!.replace(/^[ab]\//, '');
      const neu = name(lines[k + 1]!.slice(4));
      out[out.length - 1]!.path = neu === '/dev/null' ? name(l.slice(4)) : neu;
    }
    if (HUNK.test(l)) inHeader = false;
  });
  return out;
}

const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * How the output summarised a section, checked against what the section is (lockfile, a path
 * convention or mark of generated and vendored files, a deletion, a pure rename): `undefined` when
 * it was not summarised.
 */
function summaryOf(lines: readonly string[], s: Section, occurrence: number, outLines: readonly string[], out: ReadonlySet<string>, outText: string): 'hunks' | 'whole' | undefined {
  const body = lines.slice(s.from, s.to);
  const from = body.find((l) => l.startsWith('rename from '))?.slice(12);
  const to = body.find((l) => l.startsWith('rename to '))?.slice(10);
  if (from !== undefined && to !== undefined && out.has(`[… renamed ${from} → ${to} …]`)) {
    expect(body.some((l) => l === 'similarity index 100%') && !body.some((l) => HUNK.test(l)), `${s.path} is a pure rename`).toBe(true);
    return 'whole';
  }
  if (outText.includes(`[… deleted ${s.path}`)) {
    expect(body.some((l) => l.startsWith('deleted file mode') || l === '+++ /dev/null'), `${s.path} is deleted`).toBe(true);
    return 'whole';
  }
  // A summary of hunks stands where the section's first hunk header stood, after its kept file headers.
  const first = lines[s.from]!;
  let at = -1;
  for (let seen = 0; seen <= occurrence; seen++) at = outLines.indexOf(first, at + 1);
  while (at >= 0 && at < outLines.length && !HUNK.test(outLines[at]!) && !marker.isMarker(outLines[at]!)) at++;
  const m = new RegExp(`^\\[… ${base(s.path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (lockfile|generated file|vendored file) changes omitted`).exec(outLines[at] ?? '');
  if (m === null) return undefined;
  const mark = body.filter((l) => l.startsWith('+') && !l.startsWith('+++')).slice(0, 10).some((l) => GENERATED_MARK.test(l));
  expect(LOCKFILE.test(s.path) || MACHINE_WRITTEN.test(s.path) || mark || body.slice(0, 20).some((l) => GENERATED_MARK.test(l)), `${s.path} is machine-written`).toBe(true);
  return 'hunks';
}

/** The lines every compressed diff must keep verbatim: changes, hunk headers and file headers (outside files it summarised). */
function needles(text: string, output: string): string[] {
  const out: string[] = [];
  const lines = inputLines(text);
  const shown = new Set(inputLines(output));
  const summarised = new Map<number, 'hunks' | 'whole' | undefined>();
  const outLines = inputLines(output);
  const seen = new Map<string, number>();
  for (const s of sections(lines)) {
    const occurrence = seen.get(lines[s.from]!) ?? 0;
    seen.set(lines[s.from]!, occurrence + 1);
    const how = summaryOf(lines, s, occurrence, outLines, shown, output);
    for (let k = s.from; k < s.to; k++) summarised.set(k, how);
  }
  let header = false;
  lines.forEach((l, k) => {
    const how = summarised.get(k);
    if (l.startsWith('diff ') || (l.startsWith('--- ') && (lines[k + 1] ?? '').startsWith('+++ '))) header = true;
    if (HUNK.test(l)) header = false;
    if (how === 'whole') return;
    if (l.startsWith('diff ') || l.startsWith('--- ') || l.startsWith('+++ ')) out.push(l);
    else if (how === undefined && !header && (l.startsWith('+') || l.startsWith('-') || HUNK.test(l)) && k > 0) out.push(l);
  });
  return out;
}

/** The original lines a summary marker stands for, hunk headers left out (undefined: not a summary). */
function summaryLines(marker: string, input: readonly string[]): number | undefined {
  const m = /in (\d+) hunks? \((\d+) lines\) …\]$/.exec(marker);
  if (m) return Number(m[2]) - Number(m[1]);
  const whole = /^\[… renamed (\S+) → /.exec(marker) ?? /^\[… deleted (\S+?):? /.exec(marker);
  if (!whole) return undefined;
  const s = sections(input).find((x) => x.path === whole[1] || input[x.from]!.includes(` a/${whole[1]} `));
  if (s === undefined) return undefined;
  let n = 0;
  for (let k = s.from; k < s.to && !(input[k] === '' || /^-- $/.test(input[k]!)); k++) n += HUNK.test(input[k]!) ? 0 : 1;
  return n;
}

/** Lines in the output plus the counts its markers stand for, hunk headers left out on both sides. */
function countLines(out: string, input: string): [number, number] {
  const lines = inputLines(input);
  let n = 0;
  for (const l of inputLines(out)) {
    if (HUNK.test(l)) continue;
    const m = FOLD.exec(l) ?? /^\[… (\d+) lines? of binary patch data …\]$/.exec(l) ?? /^\[… (\d+) diffstat lines? …\]$/.exec(l);
    n += m ? Number(m[1]) : (summaryLines(l, lines) ?? 1);
  }
  return [n, lines.filter((l) => !HUNK.test(l)).length];
}

/**
 * Every hunk header of the output is an input line kept byte for byte, and every shown line's
 * position can be recovered from the headers and markers alone: reading the output as a diff
 * whose hunk counts include the lines fold markers stand for, each shown line is the input's line
 * at that number (old and new side), each fold stands for unchanged lines of its hunk, a fold
 * marker that names where its run starts names it truly, and one that does not stands directly
 * under its header (which locates it) or ends its hunk (nothing after it to locate).
 */
function expectHunksTruthful(input: string, output: string): void {
  const inLines = inputLines(input);
  const outLines = inputLines(output);
  const inHeaders = new Set(inLines.filter((l) => HUNK.test(l)));
  for (const l of outLines) if (HUNK.test(l)) expect(inHeaders.has(l), `${l} is the input's`).toBe(true);
  // The input's lines by file (its `+++ ` line and occurrence), side and number; its unchanged lines as `old:new`.
  type Sides = { old: Map<number, string>; neu: Map<number, string>; same: Set<string> };
  const files = new Map<string, Sides[]>();
  // Headers of hunks the input itself cuts short (fewer lines than its counts), by their text.
  const short = new Map<string, number>();
  /** Reads a diff by its hunk counts; `fold` answers a marker line inside a hunk with the lines it stands for. */
  const read = (
    lines: readonly string[],
    visit: (sides: Sides, l: string, old: number, neu: number) => void,
    onEnd: (h: number, left: number) => void,
    fold?: (sides: Sides, h: number, k: number, old: number, neu: number, oldLeft: number, newLeft: number) => number | undefined,
  ): void => {
    let file = '';
    const seen = new Map<string, number>();
    let k = 0;
    while (k < lines.length) {
      const l = lines[k]!;
      if (l.startsWith('+++ ') && (lines[k - 1] ?? '').startsWith('--- ')) {
        file = l;
        seen.set(file, (seen.get(file) ?? -1) + 1);
      }
      const m = HUNK.exec(l);
      if (m === null || file === '') {
        k++;
        continue;
      }
      const list = files.get(file) ?? [];
      files.set(file, list);
      const occurrence = seen.get(file)!;
      while (list.length <= occurrence) list.push({ old: new Map(), neu: new Map(), same: new Set() });
      const sides = list[occurrence]!;
      const h = k;
      let [oldLeft, newLeft] = [m[2] === undefined ? 1 : Number(m[2]), m[4] === undefined ? 1 : Number(m[4])];
      let old = Number(m[1]) + (oldLeft === 0 ? 1 : 0);
      let neu = Number(m[3]) + (newLeft === 0 ? 1 : 0);
      k++;
      while (k < lines.length && (oldLeft > 0 || newLeft > 0)) {
        const x = lines[k]!;
        const c = x[0];
        const folded = fold?.(sides, h, k, old, neu, oldLeft, newLeft);
        if (folded !== undefined) {
          old += folded;
          neu += folded;
          oldLeft -= folded;
          newLeft -= folded;
        } else if ((c === undefined || c === ' ' || c === '\t') && oldLeft > 0 && newLeft > 0) {
          visit(sides, x, old++, neu++);
          oldLeft--;
          newLeft--;
        } else if (c === '-' && oldLeft > 0) {
          visit(sides, x, old++, -1);
          oldLeft--;
        } else if (c === '+' && newLeft > 0) {
          visit(sides, x, -1, neu++);
          newLeft--;
        } else if (c === '\\') visit(sides, x, -1, -1);
        else break;
        k++;
      }
      onEnd(h, oldLeft + newLeft);
    }
  };
  read(
    inLines,
    (sides, l, old, neu) => {
      if (old >= 0) sides.old.set(old, l.slice(1));
      if (neu >= 0) sides.neu.set(neu, l.slice(1));
      if (old >= 0 && neu >= 0) sides.same.add(`${old}:${neu}`);
    },
    (h, left) => {
      if (left > 0) short.set(inLines[h]!, left);
    },
  );
  const where = (k: number): string => `output line ${k + 1}: ${outLines[k]!.slice(0, 80)}`;
  read(
    outLines,
    (sides, l, old, neu) => {
      if (old < 0 && neu < 0) return;
      if (old >= 0) expect(sides.old.get(old), `old line ${old}`).toBe(l.slice(1));
      if (neu >= 0) expect(sides.neu.get(neu), `new line ${neu}`).toBe(l.slice(1));
    },
    // The counts are all taken, unless the input's hunk was as short.
    (h, left) => {
      if (left > 0) expect(short.get(outLines[h]!), `${outLines[h]} counts ${left} lines more than it shows`).toBe(left);
    },
    (sides, h, k, old, neu, oldLeft, newLeft) => {
      const m = FOLD.exec(outLines[k]!);
      if (m === null) return undefined;
      const n = Number(m[1]);
      if (m[2] !== undefined) expect([Number(m[2]), Number(m[3])], where(k)).toEqual([old, neu]);
      // Ending its hunk: taking the rest of the counts, or of the lines of a hunk the input cut short (onEnd checks which).
      else expect(k === h + 1 || (oldLeft === n && newLeft === n) || short.has(outLines[h]!), `${where(k)}: neither under its header nor ending its hunk`).toBe(true);
      for (let i = 0; i < n; i++) expect(sides.same.has(`${old + i}:${neu + i}`), `${where(k)}: old ${old + i} = new ${neu + i} is unchanged`).toBe(true);
      return n;
    },
  );
}

function expectSound(input: string, r: BlockResult): void {
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  if (!r.modified) return;
  const kept = new Set(inputLines(r.content));
  for (const n of needles(input, r.content)) expect(kept.has(n), n.slice(0, 100)).toBe(true);
  const [counted, total] = countLines(r.content, input);
  expect(counted).toBe(total);
  expectHunksTruthful(input, r.content);
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
  });

  it('keeps the hunk header and names where a fold between changes starts, so the lines after it are located', () => {
    const body = [
      ...Array.from({ length: 6 }, (_, k) => ` context ${k + 20} of a long function body`),
      '-    let total = a + b;',
      '+    let total = a.checked_add(b)?;',
      ...Array.from({ length: 12 }, (_, k) => ` context ${k + 27} of a long function body`),
      '+    log(total);',
      ...Array.from({ length: 5 }, (_, k) => ` context ${k + 39} of a long function body`),
    ];
    const input = ['diff --git a/src/sum.rs b/src/sum.rs', '--- a/src/sum.rs', '+++ b/src/sum.rs', '@@ -20,24 +20,25 @@ impl Sum {', ...body, ''].join('\n');
    const r = both(input, { minTokens: 0 });
    // Old 20–25 / new 20–25 unchanged; change at old 26 / new 26; 27–38 unchanged; added at new 39; then 39–43 / 40–44.
    expect(inputLines(r.content).filter((l) => l.startsWith('@@') || marker.isMarker(l))).toEqual([
      '@@ -20,24 +20,25 @@ impl Sum {',
      '[… 5 unchanged lines …]',
      '[… 10 unchanged lines at -28 +28 …]',
      '[… 4 unchanged lines …]',
    ]);
    expect(r.omitted).toEqual([{ unit: 'lines', count: 19, summary: 'unchanged context lines' }]);
    expectSound(input, r);
    // Above the budget no context is kept: the changes alone, between folds.
    const tight = both(input, { minTokens: 0, maxBlockTokens: 20 });
    expect(inputLines(tight.content).filter((l) => l.startsWith('@@') || marker.isMarker(l))).toEqual([
      '@@ -20,24 +20,25 @@ impl Sum {',
      '[… 6 unchanged lines …]',
      '[… 12 unchanged lines at -27 +27 …]',
      '[… 5 unchanged lines …]',
    ]);
    expectSound(input, tight);
  });

  it('keeps every hunk header byte for byte, whether its hunk folds or not', () => {
    const input = ['--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,3 @@', ' a', '-b', '+c', ' d', '@@ -40,12 +40,12 @@ int main(void)', ...hunk(40, 5, ['-x', '+y']).slice(1)].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.content).toContain('\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n');
    expect(r.content).toContain('\n@@ -40,12 +40,12 @@ int main(void)\n[… 4 unchanged lines …]\n line 44 of');
    expectSound(input, r);
  });
  it('summarises binary patch data above the budget', () => {
    const data = Array.from({ length: 200 }, (_, k) => `zcmV-${'Q1w2E3r4T5y6U7i8O9p0'.repeat(3)}${k}`);
    const input = ['diff --git a/logo.png b/logo.png', 'index 1..2 100644', 'GIT binary patch', 'literal 4096', ...data, '', 'literal 0', 'HcmV?d00001', ''].join('\n');
    const r = both(input, { maxBlockTokens: 300 });
    expect(r.content).toContain('[… 201 lines of binary patch data …]');
  });

  it("folds a mail's diffstat above the budget (the changes it counts are shown), and keeps it below", () => {
    const file = (name: string, k: number): string[] => [
      `diff --git a/src/${name}.c b/src/${name}.c`,
      `--- a/src/${name}.c`,
      `+++ b/src/${name}.c`,
      ...hunk(10 * k + 1, 3, [`-    call_${name}(${k}, old_argument);`, `+    call_${name}(${k}, new_argument);`]),
    ];
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    const input = [
      'From 1a2b3c Mon Sep 17 00:00:00 2001',
      'Subject: [PATCH] Pass the new argument',
      '',
      ' see | the notes below',
      '---',
      ' src/alpha.c | 2 +-',
      ' src/beta.c  | 2 +-',
      ' src/gamma.c | 2 +-',
      ' src/delta.c | 2 +-',
      ' .../logo.png | Bin 0 -> 1234 bytes',
      ' 5 files changed, 4 insertions(+), 4 deletions(-)',
      '',
      ...names.flatMap((n, k) => file(n, k)),
      '',
    ].join('\n');
    const below = both(input, { minTokens: 0 });
    expect(below.content).toContain('\n src/alpha.c | 2 +-\n');
    expectSound(input, below);
    const above = both(input, { minTokens: 0, maxBlockTokens: 100 });
    expect(inputLines(above.content).slice(0, 7)).toEqual([
      'From 1a2b3c Mon Sep 17 00:00:00 2001',
      'Subject: [PATCH] Pass the new argument',
      '',
      ' see | the notes below',
      '---',
      '[… 5 diffstat lines …]',
      ' 5 files changed, 4 insertions(+), 4 deletions(-)',
    ]);
    expect(above.omitted).toContainEqual({ unit: 'lines', count: 5, summary: 'diffstat' });
    expectSound(input, above);
  });

  it('does not read a line after a hunk as part of it when the counts say the hunk ended', () => {
    const input = ['--- a/notes.txt', '+++ b/notes.txt', '@@ -1,2 +1,2 @@', '-old', '+new', ' same', '-- ', '2.39.0', ''].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe(input); // nothing to fold: untouched
  });
});

/** A file's changes as a git diff: one hunk at its top, after one unchanged line. */
function gitFile(path: string, adds: string[], removes: string[] = [], extra: string[] = []): string[] {
  const old = 1 + removes.length;
  const neu = 1 + adds.length;
  return [`diff --git a/${path} b/${path}`, ...extra, 'index 3f2a9c1..8be07d4 100644', `--- a/${path}`, `+++ b/${path}`, `@@ -1,${old} +1,${neu} @@`, ' // header line', ...removes.map((l) => `-${l}`), ...adds.map((l) => `+${l}`)];
}

const many = (n: number, f: (k: number) => string): string[] => Array.from({ length: n }, (_, k) => f(k));

describe('machine-written files above the budget', () => {
  const generated = [
    ...gitFile('dist/app.min.js', many(30, (k) => `var a${k}=function(b){return b*${k}+${k * 7}};`), many(25, (k) => `var a${k}=function(b){return b*${k}};`)),
    ...gitFile('web/static/app.js.map', many(20, (k) => `{"version":3,"sources":["src/m${k}.ts"],"mappings":"AAAA,SAAS${k}"}`)),
    ...gitFile('api/v1/service.pb.go', many(20, (k) => `\tField${k} int64 \`protobuf:"varint,${k},opt,name=field${k},proto3"\``)),
    ...gitFile('src/__snapshots__/view.test.ts.snap', many(20, (k) => `exports[\`view renders row ${k} 1\`] = \`<div>${k}</div>\`;`)),
    ...gitFile('third_party/zlib/inflate.c', many(20, (k) => `    state->window[${k}] = (unsigned char)hold; /* copy ${k} */`)),
    ...gitFile('internal/types_string.go', ['// Code generated by "stringer -type=Kind"; DO NOT EDIT.', ...many(20, (k) => `\t_ = x[Kind${k}-${k}]`)]),
    ...gitFile('package-lock.json', many(20, (k) => `      "version": "2.${k}.0",`), many(20, (k) => `      "version": "1.${k}.0",`)),
  ];
  const rename = ['diff --git a/src/old_name.py b/src/new_name.py', 'similarity index 100%', 'rename from src/old_name.py', 'rename to src/new_name.py'];
  const deletion = [
    'diff --git a/docs/legacy.md b/docs/legacy.md',
    'deleted file mode 100644',
    'index 3b18e51..0000000',
    '--- a/docs/legacy.md',
    '+++ /dev/null',
    '@@ -1,30 +0,0 @@',
    ...many(30, (k) => `-Legacy setup step ${k}: run the old installer with flag --mode=${k}`),
  ];
  const code = gitFile('src/build_config.ts', ['export const retries = 5;', 'export const dist = "out";'], ['export const retries = 3;']);
  const input = [...generated, ...rename, ...deletion, ...code, ''].join('\n');

  it('summarise generated and vendored files, pure renames and deletions one line each, and keep every other change', () => {
    const r = both(input, { maxBlockTokens: 600 });
    expect(r.kind).toBe('diff');
    const out = inputLines(r.content);
    expect(out.filter((l) => marker.isMarker(l))).toEqual([
      '[… app.min.js: generated file changes omitted, 30 lines added and 25 removed in 1 hunk (57 lines) …]',
      '[… app.js.map: generated file changes omitted, 20 lines added and 0 removed in 1 hunk (22 lines) …]',
      '[… service.pb.go: generated file changes omitted, 20 lines added and 0 removed in 1 hunk (22 lines) …]',
      '[… view.test.ts.snap: generated file changes omitted, 20 lines added and 0 removed in 1 hunk (22 lines) …]',
      '[… inflate.c: vendored file changes omitted, 20 lines added and 0 removed in 1 hunk (22 lines) …]',
      '[… types_string.go: generated file changes omitted, 21 lines added and 0 removed in 1 hunk (23 lines) …]',
      '[… package-lock.json: lockfile changes omitted, 20 lines added and 20 removed in 1 hunk (42 lines) …]',
      '[… renamed src/old_name.py → src/new_name.py …]',
      '[… deleted docs/legacy.md: 30 lines removed …]',
    ]);
    // File headers of summarised hunks stay; a rename's and a deletion's whole section is its one line.
    expect(out).toContain('+++ b/dist/app.min.js');
    expect(out.some((l) => l.includes('old_name') && !marker.isMarker(l))).toBe(false);
    expect(out.some((l) => l.includes('legacy') && !marker.isMarker(l))).toBe(false);
    for (const l of code) expect(out).toContain(l);
    expect(r.omitted).toEqual([
      { unit: 'hunks', count: 1, summary: 'in 1 lockfile' },
      { unit: 'hunks', count: 5, summary: 'in 5 generated files' },
      { unit: 'hunks', count: 1, summary: 'in 1 vendored file' },
      { unit: 'files', count: 1, summary: 'pure renames, one line each' },
      { unit: 'lines', count: 30, summary: 'of 1 deleted file' },
    ]);
    expectSound(input, r);
    expect(both(r.content, { maxBlockTokens: 600 }).modified).toBe(false);
  });

  it('leave every file whole below the budget', () => {
    const r = both(input, { maxBlockTokens: Infinity });
    expect(r.content).toBe(input);
  });

  it('keep a rename with changes, a rename with a mode change and files merely named like build output', () => {
    const renamed = [
      'diff --git a/src/a.py b/src/b.py',
      'similarity index 92%',
      'rename from src/a.py',
      'rename to src/b.py',
      'index 1..2 100644',
      '--- a/src/a.py',
      '+++ b/src/b.py',
      '@@ -1,2 +1,2 @@',
      ' import os',
      '-x = 1',
      '+x = 2',
    ];
    const moved = ['diff --git a/bin/run b/scripts/run', 'old mode 100644', 'new mode 100755', 'similarity index 100%', 'rename from bin/run', 'rename to scripts/run'];
    const named = [...gitFile('src/build.ts', many(20, (k) => `export const step${k} = () => run("step ${k}");`)), ...gitFile('docs/dist.md', many(20, (k) => `Step ${k} of the distribution guide.`))];
    const bulk = gitFile('vendor/lib/big.go', many(60, (k) => `func helper${k}(x int) int { return x * ${k} }`));
    const input = [...renamed, ...moved, ...named, ...bulk, ''].join('\n');
    const r = both(input, { maxBlockTokens: 300 });
    const out = inputLines(r.content);
    for (const l of [...renamed, ...moved, ...named]) expect(out).toContain(l);
    expect(out.filter((l) => marker.isMarker(l))).toEqual(['[… big.go: vendored file changes omitted, 60 lines added and 0 removed in 1 hunk (62 lines) …]']);
    expectSound(input, r);
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
      // Every line that is not a marker, hunk headers included, is an input line, byte for byte.
      const input = new Set(crlf.split('\n'));
      for (const l of out) if (!l.startsWith('[…')) expect(input.has(l)).toBe(true);
      expect(out).toContain('@@ -1,60 +1,60 @@\r');
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
    const change = fc.constantFrom('-a = 1', '+a = 2', '-', '+', '-é😀', '+\ttab', '\\ No newline at end of file', '+// Code generated by gen. DO NOT EDIT.');
    const ctx = fc.constantFrom(' unchanged', ' ', '', ' x = y + z', '\tindented by a tab');
    const hunkLines = fc.array(fc.oneof({ weight: 3, arbitrary: ctx }, { weight: 2, arbitrary: change }), { minLength: 1, maxLength: 30 });
    const file = fc.tuple(fc.constantFrom('src/a.c', 'Cargo.lock', 'docs/readme.md', 'dist/app.min.js', 'vendor/x/y.go'), fc.array(hunkLines, { minLength: 1, maxLength: 4 }));
    const diff = fc.array(file, { minLength: 1, maxLength: 3 }).map((files) =>
      files
        .flatMap(([path, hunks]) => [
          `diff --git a/${path} b/${path}`,
          `--- a/${path}`,
          `+++ b/${path}`,
          // Hunks in order, each a few lines after the one before (on both sides), as a diff tool writes them.
          ...((): string[] => {
            let [oldAt, newAt] = [1, 1];
            return hunks.flatMap((h) => {
              const old = h.filter((l) => !l.startsWith('+') && !l.startsWith('\\')).length;
              const neu = h.filter((l) => !l.startsWith('-') && !l.startsWith('\\')).length;
              const header = `@@ -${old === 0 ? oldAt - 1 : oldAt},${old} +${neu === 0 ? newAt - 1 : newAt},${neu} @@`;
              [oldAt, newAt] = [oldAt + old + 5, newAt + neu + 5];
              return [header, ...h];
            });
          })(),
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
