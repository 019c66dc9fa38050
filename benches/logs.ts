// Logs, CI output, search hits, diffs and metric series: tokens before/after, retention of the
// ground-truth needles, the quality figure of each kind (template coverage, window recall), what
// keeping only the labelled lines would cost (the oracle), and throughput of both engines, per
// file and per kind.
//
// Targets (benchmark, not test): median CI-log reduction ≥ 85 %; native ≥ 200 MB/s on logs
// (the compressor itself, see crates/headroom-core/benches/logs.rs; compressBlocks below also
// counts tokens before and after, which bounds it by the tokenizer); JS within 5× of native.
import { readFileSync } from 'node:fs';
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';
import type { BlockKind, BlockOptions, Engine } from '../src/engine/types.js';
import { countTokens } from '../src/engine/js/tokens.js';
import { lineRetention, parseGroundTruth, universalLines } from '../test/support/retention/lines.js';
import { SYSTEM_LOG_STYLES, systemLog, visibleTemplates, type SystemLog } from '../test/support/system-logs.js';
import { diffNeedles, read, trajectoryOutputs, windowRows, windowsKept, type CorpusEntry, type MetricWindow } from './corpus.js';
import { measure, type Progress } from './timing.js';

const OPTIONS: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

export interface Sample {
  kind: string;
  name: string;
  content: string;
  /** 1-based needle lines (error-class first), when the corpus gives them. */
  error?: number[];
  context?: number[];
  /** A generated system log: its templates, for template coverage. */
  system?: SystemLog;
  /** A metric series: its labelled anomaly windows, for window recall. */
  windows?: MetricWindow[];
  /** 1-based lines a labeller marked (CI-log error lines, rows inside anomaly windows): the oracle keeps only these. */
  labelled?: number[];
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
  templatesShown: number;
  templatesTotal: number;
  windowsKept: number;
  windowsTotal: number;
  /** Tokens of the labelled lines alone, one per line; null when the file has no labels. */
  oracleTokens: number | null;
  nativeMs: number;
  jsMs: number;
  /** Time of the two exact token counts (input and output) within each. */
  nativeCountMs: number;
  jsCountMs: number;
}

/** `grep -n -C1 <word>` over some texts, written the way grep writes it. */
function grepOutput(files: readonly [string, string][], word: RegExp): string {
  const out: string[] = [];
  for (const [f, text] of files) {
    const lines = text.split('\n');
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

/**
 * The inputs by kind: CI logs with their ground truth, other logs, diffs, grep output (the corpus's
 * own `grep/*.txt`, else grep runs over its logs and diffs), and trajectory tool outputs.
 */
export function samples(entries: readonly CorpusEntry[], quick: boolean): Sample[] {
  const pick = <T>(xs: T[]): T[] => (quick ? xs.slice(0, 6) : xs);
  const out: Sample[] = [];
  for (const e of pick(entries.filter((e) => e.kind === 'log'))) {
    const gt = e.groundtruth === undefined ? undefined : parseGroundTruth(readFileSync(e.groundtruth, 'utf8'));
    const name = e.name.replace(/^(ci-logs|logs)\//, '').replace(/\/fail\.log$/, '');
    out.push({ kind: gt === undefined ? 'log' : 'ci-log', name, content: read(e), ...(gt === undefined ? {} : { error: gt.error, context: gt.context, labelled: gt.error }) });
  }
  for (const e of pick(entries.filter((e) => e.kind === 'metrics'))) {
    const content = read(e);
    const name = e.name.replace(/^metrics\//, '');
    out.push({ kind: 'metrics', name, content, ...(e.windows === undefined ? {} : { windows: e.windows, labelled: windowRows(content, e.windows).flat() }) });
  }
  for (const e of pick(entries.filter((e) => e.kind === 'diff'))) {
    const content = read(e);
    out.push({ kind: 'diff', name: e.name.replace(/^diffs\//, ''), content, error: diffNeedles(content) });
  }
  const grep = entries.filter((e) => e.kind === 'search');
  for (const e of pick(grep)) out.push({ kind: 'search', name: e.name, content: read(e) });
  if (grep.length === 0) {
    for (const [name, kind, word] of [
      ['grep -C1 error (logs)', 'log', /error/i],
      ['grep -C1 include (diffs)', 'diff', /include/],
    ] as const) {
      const files = entries.filter((e) => e.kind === kind).slice(0, quick ? 4 : undefined);
      if (files.length > 0) out.push({ kind: 'search', name, content: grepOutput(files.map((e) => [e.name, read(e)]), word) });
    }
  }
  for (const e of entries.filter((e) => e.kind === 'trajectory')) {
    trajectoryOutputs(read(e)).forEach((content, k) => out.push({ kind: 'tool output', name: `${e.name.replace(/^trajectories\//, '')}#${k}`, content }));
  }
  return out;
}

/** System logs with many event types (the corpus has none): generated, seeded, 2 000 lines each. */
function systemSamples(quick: boolean): Sample[] {
  return SYSTEM_LOG_STYLES.flatMap((style) =>
    (quick ? [150] : [50, 150, 300]).map((templates): Sample => {
      const system = systemLog(style, templates, 2000, 3 + templates);
      return { kind: 'system-log (generated)', name: `${style}, ${templates} templates`, content: system.text, system };
    }),
  );
}

/** The oracle: tokens of a file's labelled lines alone, in order, one per line. */
export function oracleTokens(content: string, labelled: readonly number[]): number {
  const lines = universalLines(content);
  return countTokens([...new Set(labelled)].sort((a, b) => a - b).map((k) => lines[k - 1] ?? '').join('\n'), OPTIONS.encoding);
}

/** The quality figures of one output: template coverage, window recall and the oracle's tokens. */
export function quality(sample: Sample, output: string): Pick<Row, 'templatesShown' | 'templatesTotal' | 'windowsKept' | 'windowsTotal' | 'oracleTokens'> {
  const shown = sample.system === undefined ? [] : visibleTemplates(sample.system, output);
  const windows = sample.windows === undefined ? { kept: 0, total: 0 } : windowsKept(sample.content, output, sample.windows);
  return {
    templatesShown: shown.filter(Boolean).length,
    templatesTotal: shown.length,
    windowsKept: windows.kept,
    windowsTotal: windows.total,
    oracleTokens: sample.labelled === undefined ? null : oracleTokens(sample.content, sample.labelled),
  };
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

export type LogsRow = Omit<Row, 'sample'> & { kind: string; name: string; bytes: number };

export interface LogsSection {
  rows: LogsRow[];
  nativeUnavailable?: string;
}

/** How many inputs `benchLogs` will time (for the progress bar). */
export function logSampleCount(entries: readonly CorpusEntry[], quick: boolean): number {
  return samples(entries, quick).length + systemSamples(quick).length;
}

/** Per-file figures for logs, search hits, diffs and tool outputs. `budgetMs` is the timing budget per file and engine. */
export function benchLogs(entries: readonly CorpusEntry[], progress: Progress, budgetMs: number, quick = false): LogsSection {
  const native = loadNative();
  const all = [...samples(entries, quick), ...systemSamples(quick)];
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
      ...quality(sample, r.content),
      nativeMs: native.ok ? measure(() => run(native.engine, sample.content), budgetMs) : NaN,
      jsMs: measure(() => run(jsEngine, sample.content), budgetMs),
      nativeCountMs: native.ok ? measure(() => counts(native.engine, sample.content, r.content), budgetMs) : NaN,
      jsCountMs: measure(() => counts(jsEngine, sample.content, r.content), budgetMs),
    });
  }
  const flat = rows.map(({ sample, ...r }) => ({ kind: sample.kind, name: sample.name, bytes: Buffer.byteLength(sample.content), ...r }));
  return native.ok ? { rows: flat } : { rows: flat, nativeUnavailable: native.reason };
}

/**
 * The oracle over some rows: its tokens and the cut from those files' tokens before, counting only
 * the files that have labels (how many, when not all of them do).
 */
function oracleCell(rows: readonly LogsRow[]): string {
  const labelled = rows.filter((r) => r.oracleTokens !== null);
  if (labelled.length === 0) return '–';
  const tokens = labelled.reduce((n, r) => n + r.oracleTokens!, 0);
  const before = labelled.reduce((n, r) => n + r.before, 0);
  const partial = labelled.length < rows.length ? `, ${labelled.length} of ${rows.length} files` : '';
  return `${tokens} (cut ${pct(before - tokens, before)}${partial})`;
}

export interface LogsQuality {
  kind: string;
  files: number;
  tokensBefore: number;
  tokensAfter: number;
  templatesShown: number;
  templatesTotal: number;
  windowsKept: number;
  windowsTotal: number;
  /** Over the files with labels only: their count, tokens before, and the oracle's tokens. */
  labelledFiles: number;
  labelledBefore: number;
  oracleTokens: number;
}

/** Per-kind token cut, quality figures and oracle: the summary's view of the section. */
export function logsQuality(section: LogsSection): LogsQuality[] {
  return [...new Set(section.rows.map((r) => r.kind))].map((kind) => {
    const rs = section.rows.filter((r) => r.kind === kind);
    const labelled = rs.filter((r) => r.oracleTokens !== null);
    const sum = (xs: readonly LogsRow[], f: (r: LogsRow) => number): number => xs.reduce((n, r) => n + f(r), 0);
    return {
      kind,
      files: rs.length,
      tokensBefore: sum(rs, (r) => r.before),
      tokensAfter: sum(rs, (r) => r.after),
      templatesShown: sum(rs, (r) => r.templatesShown),
      templatesTotal: sum(rs, (r) => r.templatesTotal),
      windowsKept: sum(rs, (r) => r.windowsKept),
      windowsTotal: sum(rs, (r) => r.windowsTotal),
      labelledFiles: labelled.length,
      labelledBefore: sum(labelled, (r) => r.before),
      oracleTokens: sum(labelled, (r) => r.oracleTokens!),
    };
  });
}

/** `logsQuality` as a markdown table: the cut, each kind's quality figure beside it, and the oracle. */
export function qualityMarkdown(section: LogsSection): string[] {
  return [
    '| kind | files | tokens before | tokens after | saved | templates shown | windows kept | oracle tokens (labelled lines only) | oracle saved |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...logsQuality(section).map((q) => {
      const oracle = q.labelledFiles === 0 ? ['–', '–'] : [`${q.oracleTokens}${q.labelledFiles < q.files ? ` (${q.labelledFiles} of ${q.files} files)` : ''}`, pct(q.labelledBefore - q.oracleTokens, q.labelledBefore)];
      return (
        `| ${q.kind} | ${q.files} | ${q.tokensBefore} | ${q.tokensAfter} | ${pct(q.tokensBefore - q.tokensAfter, q.tokensBefore)} | ` +
        `${pct(q.templatesShown, q.templatesTotal)} | ${pct(q.windowsKept, q.windowsTotal)} | ${oracle.join(' | ')} |`
      );
    }),
  ];
}

/** The section as markdown lines. */
export function formatLogs(section: LogsSection): string[] {
  const rows = section.rows;
  const fmtMBps = (bytes: number, ms: number): string => (Number.isFinite(ms) && ms > 0 ? (bytes / 1e6 / (ms / 1000)).toFixed(1) : '–');
  const lines = [
    `## Logs, search hits, diffs and metric series (maxBlockTokens ${OPTIONS.maxBlockTokens}, minTokens ${OPTIONS.minTokens}, o200k_base)`,
    '',
    'Retention: CI-log `E`/`C` ground-truth lines (groundtruth), diff changed lines and headers outside lockfiles. ' +
      'Templates: for generated system logs, the share of templates a kept line shows or a marker names with its count. ' +
      'Windows: for metric series, the share of labelled anomaly windows with at least one row kept verbatim. ' +
      'Oracle: tokens of the labelled lines alone (CI-log `E` lines, metric rows inside labelled windows), one per line, and the cut that would be. ' +
      'MB/s: `compressBlocks` of each file (detection, compression and the exact token counts before and after); ' +
      '"excl. counting" subtracts the time of those two counts, leaving detection and compression.',
    section.nativeUnavailable === undefined ? '' : `\nnative engine unavailable: ${section.nativeUnavailable}\n`,
    '| kind | files | MB | tokens before | tokens after | median reduction | templates shown | windows kept | oracle tokens | error needles | context needles | native MB/s | JS MB/s | JS × slower | native MB/s excl. counting | JS MB/s excl. counting | JS × slower |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const kinds = [...new Set(rows.map((r) => r.kind))];
  for (const kind of kinds) {
    const rs = rows.filter((r) => r.kind === kind);
    const bytes = rs.reduce((n, r) => n + r.bytes, 0);
    const nativeMs = rs.reduce((n, r) => n + r.nativeMs, 0);
    const jsMs = rs.reduce((n, r) => n + r.jsMs, 0);
    const nativeOwn = rs.reduce((n, r) => n + Math.max(0, r.nativeMs - r.nativeCountMs), 0);
    const jsOwn = rs.reduce((n, r) => n + Math.max(0, r.jsMs - r.jsCountMs), 0);
    const sum = (f: (r: LogsRow) => number): number => rs.reduce((n, r) => n + f(r), 0);
    lines.push(
      `| ${kind} | ${rs.length} | ${(bytes / 1e6).toFixed(2)} | ${sum((r) => r.before)} | ${sum((r) => r.after)} | ${pct(median(rs.map((r) => 1 - r.after / r.before)), 1)} | ` +
        `${pct(sum((r) => r.templatesShown), sum((r) => r.templatesTotal))} | ${pct(sum((r) => r.windowsKept), sum((r) => r.windowsTotal))} | ${oracleCell(rs)} | ` +
        `${pct(sum((r) => r.errorKept), sum((r) => r.errorTotal))} | ${pct(sum((r) => r.contextKept), sum((r) => r.contextTotal))} | ` +
        `${fmtMBps(bytes, nativeMs)} | ${fmtMBps(bytes, jsMs)} | ${Number.isFinite(nativeMs) ? (jsMs / nativeMs).toFixed(1) : '–'} | ` +
        `${fmtMBps(bytes, nativeOwn)} | ${fmtMBps(bytes, jsOwn)} | ${Number.isFinite(nativeOwn) && nativeOwn > 0 ? (jsOwn / nativeOwn).toFixed(1) : '–'} |`,
    );
  }
  lines.push(
    '',
    '| kind | file | detected | tokens before → after | reduction | templates shown | windows kept | oracle tokens | error needles | context needles | native ms | JS ms |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of rows) {
    lines.push(
      `| ${r.kind} | ${r.name} | ${r.detected} | ${r.before} → ${r.after} | ${pct(r.before - r.after, r.before)} | ` +
        `${r.templatesTotal === 0 ? '–' : `${r.templatesShown}/${r.templatesTotal}`} | ${r.windowsTotal === 0 ? '–' : `${r.windowsKept}/${r.windowsTotal}`} | ${oracleCell([r])} | ` +
        `${r.errorTotal === 0 ? '–' : `${r.errorKept}/${r.errorTotal}`} | ${r.contextTotal === 0 ? '–' : `${r.contextKept}/${r.contextTotal}`} | ` +
        `${Number.isFinite(r.nativeMs) ? r.nativeMs.toFixed(2) : '–'} | ${r.jsMs.toFixed(2)} |`,
    );
  }
  return lines;
}
