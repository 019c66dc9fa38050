// The benchmark corpus, by layout: any directory shaped like ../shared/corpus works
// (HEADROOM_CORPUS=<dir>), with files added or removed. Unknown files are listed, never fatal.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type CorpusKind = 'json' | 'log' | 'diff' | 'search' | 'trajectory' | 'metrics';

/** A labelled anomaly window of a metric series: first and last timestamp, inclusive. */
export type MetricWindow = [start: string, end: string];

export interface CorpusEntry {
  /** Path relative to the corpus root. */
  name: string;
  kind: CorpusKind;
  path: string;
  /** For CI logs: the ground-truth file next to it, when present. */
  groundtruth?: string;
  /** For metric series: the labelled anomaly windows, when a `combined_windows.json` above it lists the file. */
  windows?: MetricWindow[];
}

export interface Corpus {
  root: string;
  entries: CorpusEntry[];
  skipped: string[];
}

const ROOT = resolve(import.meta.dirname, '..');

export function corpusRoot(): string {
  const dir = process.env['HEADROOM_CORPUS'];
  return dir !== undefined && dir !== '' ? resolve(dir) : resolve(ROOT, '../shared/corpus');
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// Ground truth is read with the file it labels (groundtruth, swe-bench-*.json, combined_*.json).
const IGNORED = /(^|\/)(LICENSE|NOTICE|README)[^/]*$|\.(md|yaml|yml)$|(^|\/)groundtruth2?$|^(trajectories|metrics)\/.*\.json$/;

/**
 * The labelled windows of a metric series (NAB layout): the nearest `combined_windows.json` in a
 * folder between the series and `metrics/`, keyed by the series' path relative to that folder.
 */
function metricWindows(root: string, name: string, cache: Map<string, Record<string, MetricWindow[]> | undefined>): MetricWindow[] | undefined {
  const metrics = join(root, 'metrics');
  for (let dir = dirname(join(root, name)); dir.startsWith(metrics); dir = dirname(dir)) {
    const file = join(dir, 'combined_windows.json');
    if (!cache.has(file)) cache.set(file, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, MetricWindow[]>) : undefined);
    const windows = cache.get(file)?.[relative(dir, join(root, name)).split('\\').join('/')];
    if (windows !== undefined) return windows;
    if (dir === metrics) break;
  }
  return undefined;
}

/** Classifies every file of the corpus by where it sits. */
export function loadCorpus(root = corpusRoot()): Corpus {
  const entries: CorpusEntry[] = [];
  const skipped: string[] = [];
  const windowFiles = new Map<string, Record<string, MetricWindow[]> | undefined>();
  for (const path of walk(root)) {
    const name = relative(root, path).split('\\').join('/');
    if (IGNORED.test(name)) continue;
    const [top] = name.split('/');
    if (top === 'json' && name.endsWith('.json')) entries.push({ name, kind: 'json', path });
    else if (top === 'ci-logs' && name.endsWith('/fail.log')) {
      const gt = join(path, '..', 'groundtruth');
      entries.push({ name, kind: 'log', path, ...(existsSync(gt) ? { groundtruth: gt } : {}) });
    } else if (top === 'logs' && name.endsWith('.log')) entries.push({ name, kind: 'log', path });
    else if (top === 'diffs' && /\.(patch|diff)$/.test(name)) entries.push({ name, kind: 'diff', path });
    else if (top === 'grep' && name.endsWith('.txt')) entries.push({ name, kind: 'search', path });
    else if (top === 'trajectories' && name.endsWith('.traj')) entries.push({ name, kind: 'trajectory', path });
    else if (top === 'metrics' && name.endsWith('.csv')) {
      const windows = metricWindows(root, name, windowFiles);
      entries.push({ name, kind: 'metrics', path, ...(windows === undefined ? {} : { windows }) });
    }    else skipped.push(name);
  }
  return { root, entries, skipped };
}

export function read(entry: CorpusEntry): string {
  return readFileSync(entry.path, 'utf8');
}

const LOCKFILE = /(^|\/)(Cargo\.lock|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|poetry\.lock|Gemfile\.lock|composer\.lock)$/;

/**
 * The needles of a diff (corpus README): every changed line, hunk header and file header outside
 * lockfiles (which the compressor may summarise), as 1-based line numbers.
 */
export function diffNeedles(text: string): number[] {
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

/** The tool outputs inside a SWE-agent trajectory worth compressing (observations over 800 characters). */
export function trajectoryOutputs(text: string): string[] {
  try {
    const traj = JSON.parse(text) as { trajectory?: Array<{ observation?: unknown }> };
    return (traj.trajectory ?? []).flatMap((step) => (typeof step.observation === 'string' && step.observation.length > 800 ? [step.observation] : []));
  } catch {
    return [];
  }
}

/** Seconds resolution, so `2014-02-26 13:45:00` falls inside a window that starts at `2014-02-26 13:45:00.000000`. */
const instant = (timestamp: string): string => timestamp.trim().slice(0, 19);

/**
 * The rows of a metric series (`timestamp,value` lines) inside each labelled window, as 1-based
 * line numbers (universal newlines), one list per window.
 */
export function windowRows(text: string, windows: readonly MetricWindow[]): number[][] {
  const stamps = text.split(/\r\n|\n|\r/).map((l) => instant(l.split(',')[0]!));
  return windows.map(([start, end]) => {
    const [lo, hi] = [instant(start), instant(end)];
    return stamps.flatMap((t, k) => (/^\d/.test(t) && t >= lo && t <= hi ? [k + 1] : []));
  });
}

/**
 * Window recall: how many labelled windows keep at least one of their rows, verbatim, on a line
 * of the output. Stricter than the corpus README, which also accepts a marker naming a value from
 * the window: a marker's range says a value occurred, not when.
 */
export function windowsKept(input: string, output: string, windows: readonly MetricWindow[]): { kept: number; total: number } {
  const lines = input.split(/\r\n|\n|\r/);
  const shown = new Set(output.split(/\r\n|\n|\r/));
  const kept = windowRows(input, windows).filter((rows) => rows.some((k) => shown.has(lines[k - 1]!))).length;
  return { kept, total: windows.length };
}
