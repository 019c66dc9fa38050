// The benchmark corpus, by layout: any directory shaped like ../shared/corpus works
// (HEADROOM_CORPUS=<dir>), with files added or removed. Unknown files are listed, never fatal.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export type CorpusKind = 'json' | 'log' | 'diff' | 'search' | 'trajectory';

export interface CorpusEntry {
  /** Path relative to the corpus root. */
  name: string;
  kind: CorpusKind;
  path: string;
  /** For CI logs: the ground-truth file next to it, when present. */
  groundtruth?: string;
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

const IGNORED = /(^|\/)(LICENSE|NOTICE|README)[^/]*$|\.(md|yaml|yml)$|(^|\/)groundtruth2?$|^trajectories\/.*\.json$/;

/** Classifies every file of the corpus by where it sits. */
export function loadCorpus(root = corpusRoot()): Corpus {
  const entries: CorpusEntry[] = [];
  const skipped: string[] = [];
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
    else skipped.push(name);
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
