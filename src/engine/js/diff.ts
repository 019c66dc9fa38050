// The diff compressor: unified and git diffs, format-patch mails (twin of diff.rs).
//
// Every `+`/`-` line, every file header and every hunk header stays. Always: unchanged context
// lines beyond one on each side of a change fold into a marker with their count. Only above
// `maxBlockTokens`, in two steps: lockfiles are summarised as their name with added/removed
// counts (and binary patch data as its line count); then the remaining context lines fold too.

import type { BlockOptions, Compressed, Omission } from '../types.js';
import { isAbove } from './budget.js';
import { utf8Length } from './chars.js';
import { given, lineEnd, type Lines, splitRaw } from './lines.js';
import * as marker from './marker.js';

/** Context lines kept on each side of a change. */
export const CONTEXT_KEEP = 1;

/** Lockfiles: machine-written, summarised as counts when the diff is above the budget. */
export const LOCKFILES: readonly string[] = [
  'Cargo.lock', 'Gemfile.lock', 'Package.resolved', 'Pipfile.lock', 'Podfile.lock', 'bun.lock', 'composer.lock',
  'flake.lock', 'go.sum', 'mix.lock', 'npm-shrinkwrap.json', 'package-lock.json', 'packages.lock.json', 'pdm.lock',
  'pnpm-lock.yaml', 'poetry.lock', 'pubspec.lock', 'uv.lock', 'yarn.lock',
];

// The format: what detection asks (`isDiff`) and the header grammar compression reads too.

/** A diff's first file header must come within this many lines (a mail's preamble may precede it). */
const DIFF_HEADER_WITHIN = 150;

/** Share (in percent of the lines from the first file header on) of lines a diff is made of. */
const DIFF_SHARE = 80;

/** `@@ -12,7 +12,8 @@` */
function isHunkHeader(l: string): boolean {
  return /^@@ -[0-9]+(?:,[0-9]+)? \+[0-9]+(?:,[0-9]+)? @@/.test(l);
}

/** The lines of a git diff's extended header, and a few more a file header may carry. */
const HEADER_PREFIXES = [
  'index ', 'new file mode', 'deleted file mode', 'old mode', 'new mode', 'similarity index', 'dissimilarity index',
  'rename from', 'rename to', 'copy from', 'copy to', 'Binary files', '=====',
];

const DIFF_PREFIXES = ['diff ', 'Index: ', 'Only in ', 'GIT binary patch', ...HEADER_PREFIXES];

/** Lines a unified or git diff is made of (after its first file header). */
function isDiffShaped(l: string): boolean {
  if (l.length === 0) return true;
  if (' \t+-@\\'.includes(l[0]!)) return true;
  return DIFF_PREFIXES.some((p) => l.startsWith(p));
}

const GIT_HEADER_FOLLOWERS = ['--- ', 'index ', 'GIT binary patch', 'Binary files', 'rename from', 'similarity index', 'new file mode', 'deleted file mode', 'old mode'];

/**
 * Whether these lines (a block's prefix, as detection reads it) are a diff: a file header within
 * the first lines, then mostly lines a diff is made of.
 */
export function isDiff(lines: readonly string[]): boolean {
  const l = (k: number): string => lines[k] ?? '';
  let found = -1;
  for (let k = 0; k < Math.min(lines.length, DIFF_HEADER_WITHIN); k++) {
    const a = l(k);
    if (a.startsWith('--- ') && l(k + 1).startsWith('+++ ') && isHunkHeader(l(k + 2))) {
      found = k;
      break;
    }
    if (a.startsWith('diff --git ')) {
      let follows = false;
      for (let j = k + 1; j < k + 7 && !follows; j++) follows = GIT_HEADER_FOLLOWERS.some((p) => l(j).startsWith(p));
      if (follows) {
        found = k;
        break;
      }
    }
  }
  if (found < 0) return false;
  const rest = lines.slice(found);
  // The base85 lines of a `GIT binary patch` (up to a blank line) belong to the diff too.
  let binary = false;
  let shaped = 0;
  for (const x of rest) {
    binary = (binary && x.length > 0) || x.startsWith('GIT binary patch');
    if (binary || isDiffShaped(x)) shaped++;
  }
  return shaped * 100 >= rest.length * DIFF_SHARE;
}

const Tag = { Other: 0, FileHeader: 1, HunkHeader: 2, Add: 3, Del: 4, Context: 5, NoNewline: 6, Binary: 7 } as const;
type Tag = (typeof Tag)[keyof typeof Tag];

interface FileInfo {
  name: string;
  lockfile: boolean;
}

interface Parsed {
  tags: Tag[];
  /** The file section each line belongs to (-1 before the first). */
  file: number[];
  files: FileInfo[];
}

/** How hard to fold: lossless, lockfiles and binary data summarised, and no context. */
const Level = { Fold: 0, Summarise: 1, ChangesOnly: 2 } as const;
type Level = (typeof Level)[keyof typeof Level];

/**
 * `original` is the caller's text where `content` is its well-formed copy (lone surrogates made
 * U+FFFD, offsets unchanged): kept lines are emitted from it, as given.
 */
export function compress(content: string, options: BlockOptions, original: string = content): Compressed | undefined {
  const cut = splitRaw(content);
  const lines = cut.lines;
  if (lines.length === 0 || lines.some((l) => marker.isMarker(l))) return undefined;
  const parsed = parse(lines);
  let out = render(cut, original, parsed, Level.Fold);
  if (!Number.isFinite(options.maxBlockTokens) || options.maxBlockTokens < 0) return out;
  const max = Math.floor(options.maxBlockTokens);
  // Summarising only changes something when there is a lockfile or binary data.
  let summarisable = false;
  for (let k = 0; k < lines.length && !summarisable; k++) {
    const t = parsed.tags[k];
    const f = parsed.file[k]!;
    summarisable = t === Tag.Binary || (t === Tag.HunkHeader && f >= 0 && parsed.files[f]!.lockfile);
  }
  for (const level of [Level.Summarise, Level.ChangesOnly]) {
    if (level === Level.Summarise && !summarisable) continue;
    if (!isAbove(out.content, max, options.encoding)) break;
    out = render(cut, original, parsed, level);
  }
  return out;
}

function nameOf(path: string): string {
  let p = path.split('\t')[0]!.replace(/ +$/, '');
  if (p.startsWith('a/') || p.startsWith('b/')) p = p.slice(2);
  return p;
}

function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** A line count: plain digits (at most 15 of them), else 0. */
function parseCount(n: string): number {
  return n.length > 0 && n.length <= 15 && /^[0-9]+$/.test(n) ? Number(n) : 0;
}

/** `@@ -a,b +c,d @@` → [b, d], counts defaulting to 1. */
function hunkCounts(l: string): [number, number] {
  const counts: [number, number] = [1, 1];
  ['-', '+'].forEach((sign, k) => {
    const at = l.indexOf(` ${sign}`, 2);
    if (at < 0) return;
    const rest = l.slice(at + 2);
    const sp = rest.indexOf(' ');
    const range = sp < 0 ? rest : rest.slice(0, sp);
    const comma = range.indexOf(',');
    if (comma >= 0) counts[k] = parseCount(range.slice(comma + 1));
  });
  return counts;
}

function parse(lines: readonly string[]): Parsed {
  const n = lines.length;
  const p: Parsed = { tags: new Array<Tag>(n).fill(Tag.Other), file: new Array<number>(n).fill(-1), files: [] };
  let file = -1;
  // Header lines of the current file may follow (no hunk seen since it started).
  let inHeader = false;
  let oldLeft = 0;
  let newLeft = 0;
  let binary = false;
  const startFile = (name: string): number => {
    p.files.push({ name, lockfile: LOCKFILES.includes(basename(name)) });
    return p.files.length - 1;
  };
  let k = 0;
  while (k < n) {
    const l = lines[k]!;
    p.file[k] = file;
    if (oldLeft > 0 || newLeft > 0) {
      const c = l[0];
      let tag: Tag | undefined;
      // A tab: a context line whose leading space a mail client or editor ate.
      if ((c === undefined || c === ' ' || c === '\t') && oldLeft > 0 && newLeft > 0) {
        oldLeft--;
        newLeft--;
        tag = Tag.Context;
      } else if (c === '-' && oldLeft > 0) {
        oldLeft--;
        tag = Tag.Del;
      } else if (c === '+' && newLeft > 0) {
        newLeft--;
        tag = Tag.Add;
      } else if (c === '\\') tag = Tag.NoNewline;
      if (tag !== undefined) {
        p.tags[k] = tag;
        k++;
        continue;
      }
      // The hunk's counts do not fit this line: it ends here.
      oldLeft = 0;
      newLeft = 0;
    }
    if (binary) {
      if (l.length === 0) binary = false;
      else {
        p.tags[k] = Tag.Binary;
        k++;
        continue;
      }
    }
    if (l.startsWith('diff --git ') || l.startsWith('diff -') || l.startsWith('Index: ')) {
      const at = l.lastIndexOf(' b/');
      const name = at >= 0 && l.startsWith('diff --git ') ? nameOf(l.slice(at + 1)) : nameOf(l.slice(l.lastIndexOf(' ') + 1));
      file = startFile(name);
      p.file[k] = file;
      p.tags[k] = Tag.FileHeader;
      inHeader = true;
    } else if (l.startsWith('--- ') && (lines[k + 1] ?? '').startsWith('+++ ')) {
      const newName = nameOf(lines[k + 1]!.slice(4));
      const name = newName === '/dev/null' ? nameOf(l.slice(4)) : newName;
      if (!inHeader) file = startFile(name);
      for (const j of [k, k + 1]) {
        p.file[j] = file;
        p.tags[j] = Tag.FileHeader;
      }
      inHeader = true;
      k += 2;
      continue;
    } else if (file >= 0 && isHunkHeader(l)) {
      p.tags[k] = Tag.HunkHeader;
      [oldLeft, newLeft] = hunkCounts(l);
      inHeader = false;
    } else if (inHeader && l.startsWith('GIT binary patch')) {
      p.tags[k] = Tag.FileHeader;
      binary = true;
    } else if (inHeader && HEADER_PREFIXES.some((h) => l.startsWith(h))) {
      p.tags[k] = Tag.FileHeader;
    } else if (l.startsWith('\\') && k > 0 && (p.tags[k - 1] === Tag.Add || p.tags[k - 1] === Tag.Del || p.tags[k - 1] === Tag.Context)) {
      p.tags[k] = Tag.NoNewline;
    } else {
      inHeader = inHeader && l.length === 0;
    }
    k++;
  }
  return p;
}

const isChange = (t: Tag | undefined): boolean => t === Tag.Add || t === Tag.Del;

/** Kept lines as given (`lines.given`), each marker with the line end of the last line it stands for. */
function render(cut: Lines, original: string, p: Parsed, level: Level): Compressed {
  const lines = cut.lines;
  const n = lines.length;
  const out: string[] = [];
  let folded = 0;
  let lockHunks = 0;
  let lockFiles = 0;
  let binary = 0;
  let k = 0;
  while (k < n) {
    const tag = p.tags[k]!;
    const file = p.file[k]!;
    const lockfile = level >= Level.Summarise && file >= 0 && p.files[file]!.lockfile;
    if (lockfile && (tag === Tag.HunkHeader || tag === Tag.Add || tag === Tag.Del || tag === Tag.Context || tag === Tag.NoNewline)) {
      // Everything from here to the file's end (its hunks) becomes one summary.
      let hunks = 0;
      let added = 0;
      let removed = 0;
      const start = k;
      while (k < n && p.file[k] === file && p.tags[k] !== Tag.FileHeader && p.tags[k] !== Tag.Other) {
        const t = p.tags[k];
        if (t === Tag.HunkHeader) hunks++;
        else if (t === Tag.Add) added++;
        else if (t === Tag.Del) removed++;
        k++;
      }
      lockHunks += hunks;
      lockFiles++;
      out.push(marker.lockfileSummary(basename(p.files[file]!.name), hunks, added, removed, k - start) + lineEnd(cut, k - 1));
      continue;
    }
    if (tag === Tag.Binary && level >= Level.Summarise) {
      const start = k;
      while (k < n && p.tags[k] === Tag.Binary) k++;
      binary += k - start;
      out.push(marker.binaryPatch(k - start) + lineEnd(cut, k - 1));
      continue;
    }
    if (tag !== Tag.Context) {
      out.push(given(cut, k, original));
      k++;
      continue;
    }
    // A run of context lines: keep the ones next to a change.
    const start = k;
    while (k < n && p.tags[k] === Tag.Context) k++;
    const changeBefore = start > 0 && (isChange(p.tags[start - 1]) || p.tags[start - 1] === Tag.NoNewline);
    const changeAfter = k < n && isChange(p.tags[k]);
    const keep = level === Level.ChangesOnly ? 0 : CONTEXT_KEEP;
    const head = changeBefore ? keep : 0;
    // `\ No newline at end of file` speaks of the line above it: that line stays.
    const tail = Math.max(changeAfter ? keep : 0, k < n && p.tags[k] === Tag.NoNewline ? 1 : 0);
    const foldFrom = start + head;
    const foldTo = Math.max(Math.max(0, k - tail), foldFrom);
    let foldBytes = 0;
    for (let j = foldFrom; j < foldTo; j++) foldBytes += utf8Length(lines[j]!) + 1;
    const text = marker.unchangedLines(foldTo - foldFrom);
    const worth = foldTo > foldFrom && utf8Length(text) + 1 < foldBytes && (changeBefore || changeAfter);
    for (let j = start; j < k; j++) {
      if (worth && j === foldFrom) out.push(text + lineEnd(cut, foldTo - 1));
      if (!(worth && j >= foldFrom && j < foldTo)) out.push(given(cut, j, original));
    }
    if (worth) folded += foldTo - foldFrom;
  }
  const omitted: Omission[] = [];
  if (folded > 0) omitted.push({ unit: 'lines', count: folded, summary: 'unchanged context lines' });
  if (lockHunks > 0) omitted.push({ unit: 'hunks', count: lockHunks, summary: marker.lockfileOmissionSummary(lockFiles) });
  if (binary > 0) omitted.push({ unit: 'lines', count: binary, summary: 'binary patch data' });
  const strategy = level === Level.Fold ? 'diff:fold' : level === Level.Summarise ? 'diff:summarise' : 'diff:changes';
  return { content: out.join(''), strategy, omitted };
}
