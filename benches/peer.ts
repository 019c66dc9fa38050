// headroom against the original project's Python package on the same inputs: one tool result per
// request, tokens after (o200k_base, one counter for both), retention of the corpus needles
// (rules in the corpus README, scored by test/support/retention; for metric series, the labelled
// anomaly windows that keep a row), and time per input.
import { countTokens } from '../src/engine/js/tokens.js';
import { loadNative } from '../src/engine/native.js';
import { jsEngine } from '../src/engine/js/index.js';
import type { BlockOptions } from '../src/engine/types.js';
import { decodeOutput, jsonRetention, octokitNeedles, type JsonNeedle } from '../test/support/retention/json.js';
import { lineRetention, parseGroundTruth, searchableOutput } from '../test/support/retention/lines.js';
import { diffNeedles, read, windowsKept, type CorpusEntry } from './corpus.js';
import { runPythonPeer, type PeerInput } from './python-peer.js';
import type { Progress } from './timing.js';
import { readFileSync } from 'node:fs';

export interface Score {
  tokens: number;
  /** Needles present / total; error-class needles separately. */
  present: number;
  total: number;
  errorPresent: number;
  errorTotal: number;
  ms: number;
}

export interface PeerRow {
  name: string;
  kind: string;
  tokensBefore: number;
  headroom: Score;
  python: Score | { error: string };
}

export interface PeerSection {
  rows: PeerRow[];
  /** Why the Python column is empty, when it is. */
  pythonUnavailable?: string;
}

const OPTIONS: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

export interface Needles {
  score(output: string): Omit<Score, 'tokens' | 'ms'>;
}

/** Identifying values of a JSON needle on one line of any output format (for non-JSON outputs). */
function onOneLine(output: string, needle: JsonNeedle): boolean {
  const values = Object.values(needle.fields).map(String);
  return searchableOutput(output)
    .split('\n')
    .some((line) => values.every((v) => line.includes(v)));
}

function decodes(output: string): boolean {
  try {
    return decodeOutput(output) !== undefined;
  } catch {
    return false;
  }
}

export function needlesFor(entry: CorpusEntry, input: string): Needles | undefined {
  if (entry.kind === 'json' && entry.name.includes('octokit')) {
    const needles = octokitNeedles(JSON.parse(input));
    if (needles.length === 0) return undefined;
    return {
      score(output) {
        if (decodes(output)) {
          const r = jsonRetention(output, needles);
          return { present: r.present, total: r.total, errorPresent: r.errorPresent, errorTotal: r.errorTotal };
        }
        const ok = needles.map((n) => onOneLine(output, n));
        return {
          present: ok.filter(Boolean).length,
          total: needles.length,
          errorPresent: needles.filter((n, i) => n.error && ok[i]).length,
          errorTotal: needles.filter((n) => n.error).length,
        };
      },
    };
  }
  if (entry.kind === 'log' && entry.groundtruth !== undefined) {
    const gt = parseGroundTruth(readFileSync(entry.groundtruth, 'utf8'));
    return {
      score(output) {
        const e = lineRetention(input, output, gt.error);
        const c = lineRetention(input, output, gt.context);
        return { present: e.present + c.present, total: e.total + c.total, errorPresent: e.present, errorTotal: e.total };
      },
    };
  }
  if (entry.kind === 'diff') {
    const changed = diffNeedles(input);
    return {
      score(output) {
        const r = lineRetention(input, output, changed);
        return { present: r.present, total: r.total, errorPresent: 0, errorTotal: 0 };
      },
    };
  }
  if (entry.kind === 'metrics' && entry.windows !== undefined) {
    const windows = entry.windows;
    return {
      score(output) {
        const r = windowsKept(input, output, windows);
        return { present: r.kept, total: r.total, errorPresent: 0, errorTotal: 0 };
      },
    };
  }
  return undefined;
}

export function benchPeer(entries: readonly CorpusEntry[], progress: Progress, opts: { install: boolean }): PeerSection {
  const native = loadNative();
  const engine = native.ok ? native.engine : jsEngine;
  const inputs = entries.filter((e) => e.kind === 'json' || e.kind === 'log' || e.kind === 'diff' || e.kind === 'search' || e.kind === 'metrics');
  const texts = new Map(inputs.map((e) => [e.name, read(e)]));
  progress.tick('python peer: compress()');
  const peerInputs: PeerInput[] = inputs.map((e) => ({ name: e.name, content: texts.get(e.name)!, query: '' }));
  const python = runPythonPeer(peerInputs, { install: opts.install, timeoutMs: 8 * 60_000 });
  progress.tick('python peer: scoring');
  const rows: PeerRow[] = inputs.map((entry) => {
    const input = texts.get(entry.name)!;
    const needles = needlesFor(entry, input);
    const t0 = performance.now();
    const [out] = engine.compressBlocks([{ content: input, options: OPTIONS }]);
    const ms = performance.now() - t0;
    const score = (output: string, time: number): Score => ({
      tokens: countTokens(output, 'o200k_base'),
      ms: time,
      ...(needles?.score(output) ?? { present: 0, total: 0, errorPresent: 0, errorTotal: 0 }),
    });
    let peer: PeerRow['python'] = { error: python.ok ? 'no answer' : 'unavailable' };
    if (python.ok) {
      const o = python.outputs.get(entry.name);
      if (o !== undefined) peer = 'error' in o ? { error: o.error } : 'content' in o ? score(o.content, o.ms) : { error: 'no content in the answer' };
    }
    return { name: entry.name, kind: entry.kind, tokensBefore: out!.tokensBefore, headroom: score(out!.content, ms), python: peer };
  });
  return python.ok ? { rows } : { rows, pythonUnavailable: python.reason };
}

const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)} %`);

/** Per-kind totals as report rows. */
export function peerTotals(section: PeerSection): {
  kind: string;
  files: number;
  before: number;
  headroom: Score;
  python: Score | undefined;
}[] {
  const kinds = [...new Set(section.rows.map((r) => r.kind))];
  return kinds.map((kind) => {
    const rows = section.rows.filter((r) => r.kind === kind);
    const sum = (scores: Score[]): Score =>
      scores.reduce(
        (a, s) => ({
          tokens: a.tokens + s.tokens,
          present: a.present + s.present,
          total: a.total + s.total,
          errorPresent: a.errorPresent + s.errorPresent,
          errorTotal: a.errorTotal + s.errorTotal,
          ms: a.ms + s.ms,
        }),
        { tokens: 0, present: 0, total: 0, errorPresent: 0, errorTotal: 0, ms: 0 },
      );
    const peerScores = rows.map((r) => r.python).filter((p): p is Score => !('error' in p));
    return {
      kind,
      files: rows.length,
      before: rows.reduce((a, r) => a + r.tokensBefore, 0),
      headroom: sum(rows.map((r) => r.headroom)),
      python: peerScores.length === rows.length ? sum(peerScores) : undefined,
    };
  });
}

export function formatPeer(section: PeerSection): string[] {
  const totals = peerTotals(section);
  const cell = (s: Score | undefined, before: number): string[] =>
    s === undefined
      ? ['–', '–', '–', '–']
      : [String(s.tokens), pct(before - s.tokens, before), `${pct(s.present, s.total)} (errors ${pct(s.errorPresent, s.errorTotal)})`, `${s.ms.toFixed(0)}`];
  return [
    '## headroom vs the original Python package (PyPI `headroom-ai`, black box)',
    '',
    'One tool result per request, default options on both sides; tokens counted with o200k_base for both. ' +
      'Retention: needles present (octokit exchanges, CI-log E and C lines, diff changed lines, metric anomaly windows with a row kept), error-class needles in brackets. Time: total ms over the files.',
    ...(section.pythonUnavailable === undefined ? [] : ['', `Python peer not run: ${section.pythonUnavailable}`]),
    '',
    '| kind | files | tokens before | headroom after | headroom saved | headroom retention | headroom ms | python after | python saved | python retention | python ms |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|',
    ...totals.map((t) => `| ${t.kind} | ${t.files} | ${t.before} | ${[...cell(t.headroom, t.before), ...cell(t.python, t.before)].join(' | ')} |`),
    '',
  ];
}
