// Logs, CI output, search hits and diffs: tokens before/after, retention of the ground-truth
// needles, and throughput of both engines, per file and per kind.
//
// Targets (benchmark, not test): median CI-log reduction ≥ 85 %; native ≥ 200 MB/s on logs
// (the compressor itself, see crates/headroom-core/benches/logs.rs; compressBlocks below also
// counts tokens before and after, which bounds it by the tokenizer); JS within 5× of native.
import { readFileSync } from 'node:fs';
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';
import type { BlockKind, BlockOptions, Engine } from '../src/engine/types.js';
import { corpusFiles, corpusPath } from '../test/support/corpus.js';
import { lineRetention, parseGroundTruth } from '../test/support/retention/lines.js';
import { measure, Progress } from './timing.js';

const OPTIONS: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
const LOCKFILE = /(^|\/)(Cargo\.lock|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|poetry\.lock|Gemfile\.lock|composer\.lock)$/;

interface Sample {
  kind: string;
  name: string;
  content: string;
  /** 1-based needle lines (error-class first), when the corpus gives them. */
  error?: number[];
  context?: number[];
}

interface Row {
  sample: Sample;
  detected: BlockKind;
  before: number;
  after: number;
  errorKept: number;
  errorTotal: number;
  contextKept: number;
  contextTotal: number;
  nativeMs: number;
  jsMs: number;
  /** Time of the two exact token counts (input and output) within each. */
  nativeCountMs: number;
  jsCountMs: number;
}

/** Changed lines and headers outside lockfiles: the needles of a diff (corpus README). */
function diffNeedles(text: string): number[] {
  const out: number[] = [];
  let lockfile = false;
  text.split(/\r\n|\n|\r/).forEach((l, k) => {
    const m = /^diff --git \S+ (\S+)$/.exec(l) ?? (l.startsWith('+++ ') ? /^\+\+\+ (\S+)/.exec(l) : null);
    if (m) lockfile = LOCKFILE.test(m[1]!);
    if (l.startsWith('diff ') || l.startsWith('--- ') || l.startsWith('+++ ')) out.push(k + 1);
    else if (!lockfile && k > 0 && (l.startsWith('@@ ') || l.startsWith('+') || l.startsWith('-'))) out.push(k + 1);
  });
  return out;
}

/** `grep -n -C1 <word>` over some corpus files, written the way grep writes it. */
function grepOutput(files: string[], word: RegExp): string {
  const out: string[] = [];
  for (const f of files) {
    const lines = readFileSync(corpusPath(f), 'utf8').split('\n');
    let last = -2;
    lines.forEach((l, k) => {
      if (!word.test(l)) return;
      for (let j = Math.max(0, k - 1); j <= Math.min(lines.length - 1, k + 1); j++) {
        if (j <= last) continue;
        if (last >= 0 && j > last + 1) out.push('--');
        out.push(`${f}${j === k ? ':' : '-'}${j + 1}${j === k ? ':' : '-'}${lines[j]!.slice(0, 300)}`);
        last = j;
      }
    });
  }
  return out.join('\n') + '\n';
}

function samples(quick: boolean): Sample[] {
  const out: Sample[] = [];
  const logs = corpusFiles('ci-logs', (f) => f.endsWith('fail.log'));
  for (const f of quick ? logs.slice(0, 6) : logs) {
    const gt = parseGroundTruth(readFileSync(corpusPath(f.replace(/fail\.log$/, 'groundtruth')), 'utf8'));
    out.push({ kind: 'ci-log', name: f.replace(/^ci-logs\//, '').replace(/\/fail\.log$/, ''), content: readFileSync(corpusPath(f), 'utf8'), error: gt.error, context: gt.context });
  }
  const diffs = corpusFiles('diffs', (f) => !f.includes('LICENSE'));
  for (const f of quick ? diffs.slice(0, 6) : diffs) {
    const content = readFileSync(corpusPath(f), 'utf8');
    out.push({ kind: 'diff', name: f.replace(/^diffs\//, ''), content, error: diffNeedles(content) });
  }
  for (const [name, word] of [
    ['grep -C1 error (ci-logs)', /error/i],
    ['grep -C1 include (diffs)', /include/],
  ] as const) {
    const files = corpusFiles(name.includes('diffs') ? 'diffs' : 'ci-logs', (f) => f.endsWith('.log') || f.endsWith('.patch') || f.endsWith('.diff'));
    out.push({ kind: 'search', name, content: grepOutput(quick ? files.slice(0, 4) : files, word) });
  }
  for (const f of corpusFiles('trajectories', (f) => f.endsWith('.traj'))) {
    const traj = JSON.parse(readFileSync(corpusPath(f), 'utf8')) as { trajectory?: Array<{ observation?: unknown }> };
    (traj.trajectory ?? []).forEach((step, k) => {
      if (typeof step.observation === 'string' && step.observation.length > 800) {
        out.push({ kind: 'tool output', name: `${f.replace(/^trajectories\//, '')}#${k}`, content: step.observation });
      }
    });
  }
  return out;
}

/** The exact counts `compressBlocks` makes of a block and its result. */
function counts(engine: Engine, input: string, output: string): void {
  engine.countTokens(input, OPTIONS.encoding);
  if (output !== input) engine.countTokens(output, OPTIONS.encoding);
}

function run(engine: Engine, content: string): ReturnType<Engine['compressBlocks']>[number] {
  return engine.compressBlocks([{ content, options: OPTIONS }])[0]!;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};
const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)} %`);

/** The report section (markdown lines). `budgetMs` is the timing budget per file and engine. */
export function benchLogs(budgetMs: number, quick = false): string[] {
  const native = loadNative();
  const all = samples(quick);
  const progress = new Progress(all.length);
  const rows: Row[] = [];
  for (const sample of all) {
    progress.tick(`logs: ${sample.name}`);
    const engine = native.ok ? native.engine : jsEngine;
    const r = run(engine, sample.content);
    const err = lineRetention(sample.content, r.content, sample.error ?? []);
    const ctx = lineRetention(sample.content, r.content, sample.context ?? []);
    rows.push({
      sample,
      detected: r.kind,
      before: r.tokensBefore,
      after: r.tokensAfter,
      errorKept: err.present,
      errorTotal: err.total,
      contextKept: ctx.present,
      contextTotal: ctx.total,
      nativeMs: native.ok ? measure(() => run(native.engine, sample.content), budgetMs) : NaN,
      jsMs: measure(() => run(jsEngine, sample.content), budgetMs),
      nativeCountMs: native.ok ? measure(() => counts(native.engine, sample.content, r.content), budgetMs) : NaN,
      jsCountMs: measure(() => counts(jsEngine, sample.content, r.content), budgetMs),
    });
  }
  progress.finish();

  const fmtMBps = (bytes: number, ms: number): string => (Number.isFinite(ms) && ms > 0 ? (bytes / 1e6 / (ms / 1000)).toFixed(1) : '–');
  const lines = [
    `## Logs, search hits and diffs (maxBlockTokens ${OPTIONS.maxBlockTokens}, minTokens ${OPTIONS.minTokens}, o200k_base)`,
    '',
    'Retention: CI-log `E`/`C` ground-truth lines (groundtruth), diff changed lines and headers outside lockfiles. ' +
      'MB/s: `compressBlocks` of each file (detection, compression and the exact token counts before and after); ' +
      '"excl. counting" subtracts the time of those two counts, leaving detection and compression.',
    native.ok ? '' : `\nnative engine unavailable: ${native.reason}\n`,
    '| kind | files | MB | tokens before | tokens after | median reduction | error needles | context needles | native MB/s | JS MB/s | JS × slower | native MB/s excl. counting | JS MB/s excl. counting | JS × slower |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const kinds = [...new Set(rows.map((r) => r.sample.kind))];
  for (const kind of kinds) {
    const rs = rows.filter((r) => r.sample.kind === kind);
    const bytes = rs.reduce((n, r) => n + Buffer.byteLength(r.sample.content), 0);
    const nativeMs = rs.reduce((n, r) => n + r.nativeMs, 0);
    const jsMs = rs.reduce((n, r) => n + r.jsMs, 0);
    const nativeOwn = rs.reduce((n, r) => n + Math.max(0, r.nativeMs - r.nativeCountMs), 0);
    const jsOwn = rs.reduce((n, r) => n + Math.max(0, r.jsMs - r.jsCountMs), 0);
    const sum = (f: (r: Row) => number): number => rs.reduce((n, r) => n + f(r), 0);
    lines.push(
      `| ${kind} | ${rs.length} | ${(bytes / 1e6).toFixed(2)} | ${sum((r) => r.before)} | ${sum((r) => r.after)} | ${pct(median(rs.map((r) => 1 - r.after / r.before)), 1)} | ` +
        `${pct(sum((r) => r.errorKept), sum((r) => r.errorTotal))} | ${pct(sum((r) => r.contextKept), sum((r) => r.contextTotal))} | ` +
        `${fmtMBps(bytes, nativeMs)} | ${fmtMBps(bytes, jsMs)} | ${Number.isFinite(nativeMs) ? (jsMs / nativeMs).toFixed(1) : '–'} | ` +
        `${fmtMBps(bytes, nativeOwn)} | ${fmtMBps(bytes, jsOwn)} | ${Number.isFinite(nativeOwn) && nativeOwn > 0 ? (jsOwn / nativeOwn).toFixed(1) : '–'} |`,
    );
  }
  lines.push('', '| kind | file | detected | tokens before → after | reduction | error needles | context needles | native ms | JS ms |', '|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    lines.push(
      `| ${r.sample.kind} | ${r.sample.name} | ${r.detected} | ${r.before} → ${r.after} | ${pct(r.before - r.after, r.before)} | ` +
        `${r.errorTotal === 0 ? '–' : `${r.errorKept}/${r.errorTotal}`} | ${r.contextTotal === 0 ? '–' : `${r.contextKept}/${r.contextTotal}`} | ` +
        `${Number.isFinite(r.nativeMs) ? r.nativeMs.toFixed(2) : '–'} | ${r.jsMs.toFixed(2)} |`,
    );
  }
  return lines;
}
