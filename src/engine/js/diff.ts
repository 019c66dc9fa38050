// The diff compressor: unified and git diffs, format-patch mails (twin of diff.rs).
//
// Every `+`/`-` line and every file header stays. Always: unchanged context lines beyond one on
// each side of a change fold into a marker with their count. Only above `maxBlockTokens`, in two
// steps: machine-written files are summarised, one marker line per file (the hunks of lockfiles,
// generated and vendored files as their added/removed counts under their kept file headers; a
// pure rename or a whole-file deletion, header and all, as one line; binary patch data as its line
// count; a mail's diffstat, whose counts the changes shown repeat, as its line count); then the
// remaining context lines fold too.
//
// Hunk headers stay as given, and the output stays truthful about where each shown line sits: a
// fold directly under its hunk's header or at the hunk's end is a marker with its count (the
// header locates it), and a fold between shown lines of a hunk names the old and new number of
// its first line, so the lines after it are located too. Every line that is not a marker is a
// line of the input.

import type { BlockOptions, Compressed, Omission } from '../types.js';
import { isAbove } from './budget.js';
import { utf8Length } from './chars.js';
import { given, lineEnd, type Lines, splitRaw } from './lines.js';
import * as marker from './marker.js';
import { poll } from './stop.js';

/** Context lines kept on each side of a change. */
export const CONTEXT_KEEP = 1;

/** Lockfiles: machine-written, summarised as counts when the diff is above the budget. */
export const LOCKFILES: readonly string[] = [
  'Cargo.lock', 'Gemfile.lock', 'Package.resolved', 'Pipfile.lock', 'Podfile.lock', 'bun.lock', 'composer.lock',
  'flake.lock', 'go.sum', 'mix.lock', 'npm-shrinkwrap.json', 'package-lock.json', 'packages.lock.json', 'pdm.lock',
  'pnpm-lock.yaml', 'poetry.lock', 'pubspec.lock', 'uv.lock', 'yarn.lock',
];

/** Generated files by name: minified bundles, source maps, protobuf and Dart codegen output. */
export const GENERATED_SUFFIXES: readonly string[] = ['.min.js', '.min.css', '.map', '.pb.go', '_pb2.py', '_pb2_grpc.py', '.g.dart'];

/** Generated files by a directory anywhere in their path: build output and test snapshots. */
export const GENERATED_DIRS: readonly string[] = ['dist', 'build', '__snapshots__'];

/** Vendored files: third-party code copied into the tree. */
export const VENDORED_DIRS: readonly string[] = ['vendor', 'third_party', 'node_modules'];

/** What code generators write at the top of their output (Go's `Code generated … DO NOT EDIT.`). */
const GENERATED_MARKS = ['@generated', 'DO NOT EDIT', 'Code generated'];

/** A generated-file mark counts within this many lines of the new file's top. */
const GENERATED_MARK_WITHIN = 10;

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

/** How a file is summarised above the budget: its hunks (under its headers), or all of it. */
const Summary = { None: 0, Lockfile: 1, Generated: 2, Vendored: 3, Renamed: 4, Deleted: 5 } as const;
type Summary = (typeof Summary)[keyof typeof Summary];

/** What a summary marker calls a file whose hunks it stands for, by `Summary`. */
const SUMMARY_WHAT: readonly string[] = ['', 'lockfile', 'generated file', 'vendored file'];

interface FileInfo {
  name: string;
  /** The line the file's section starts on. */
  start: number;
  summary: Summary;
  /** A pure rename's paths. */
  from: string;
  to: string;
  /** A deleted binary file (no lines to count). */
  binary: boolean;
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
  // Summarising only changes something when a file is summarised or there is binary data or a
  // diffstat.
  let summarisable = parsed.files.some((f) => f.summary === Summary.Renamed || f.summary === Summary.Deleted);
  for (let k = 0; k < lines.length && !summarisable; k++) {
    const t = parsed.tags[k];
    const f = parsed.file[k]!;
    summarisable = t === Tag.Binary || isDiffstat(t!, lines[k]!) || (t === Tag.HunkHeader && f >= 0 && parsed.files[f]!.summary !== Summary.None);
  }
  for (const level of [Level.Summarise, Level.ChangesOnly]) {
    if (level === Level.Summarise && !summarisable) continue;
    if (!isAbove(out.content, max, options.encoding)) break;
    out = render(cut, original, parsed, level);
  }
  return out;
}

/** A line of a format-patch mail's diffstat: ` path | 12 +++---`, ` path | 0`, ` path | Bin …`. */
function isDiffstat(tag: Tag, l: string): boolean {
  if (!l.startsWith(' ')) return false;
  const rest = l.slice(1);
  const bar = rest.indexOf(' | ');
  if (tag !== Tag.Other || bar <= 0 || rest.startsWith(' ')) return false;
  const stat = rest.slice(bar + 3).replace(/^ +/, '');
  if (stat.startsWith('Bin')) return stat.length === 3 || stat[3] === ' ';
  const digits = /^[0-9]*/.exec(stat)![0].length;
  const bars = stat.slice(digits);
  return digits > 0 && (bars.length === 0 || (bars.length > 1 && bars.startsWith(' ') && /^[+-]+$/.test(bars.slice(1))));
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

interface HunkRange {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

/** `@@ -a,b +c,d @@` → its numbers, counts defaulting to 1; undefined when one has over 15 digits. */
function hunkRange(l: string): HunkRange | undefined {
  const m = /^@@ -([0-9]+)(?:,([0-9]+))? \+([0-9]+)(?:,([0-9]+))? @@/.exec(l);
  if (m === null || [m[1], m[2], m[3], m[4]].some((x) => x !== undefined && x.length > 15)) return undefined;
  const num = (x: string | undefined): number => (x === undefined ? 1 : Number(x));
  return { oldStart: Number(m[1]), oldCount: num(m[2]), newStart: Number(m[3]), newCount: num(m[4]) };
}

/** Whether a path follows a convention of generated files. */
function generatedPath(path: string): boolean {
  const parts = path.split('/');
  const base = parts[parts.length - 1]!;
  return (
    GENERATED_SUFFIXES.some((x) => base.endsWith(x) && base.length > x.length) ||
    base.includes('.generated.') ||
    parts.slice(0, -1).some((d) => GENERATED_DIRS.includes(d))
  );
}

function vendoredPath(path: string): boolean {
  return path.split('/').slice(0, -1).some((d) => VENDORED_DIRS.includes(d));
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
  const startFile = (name: string, start: number): number => {
    p.files.push({ name, start, summary: Summary.None, from: '', to: '', binary: false });
    return p.files.length - 1;
  };
  let k = 0;
  while (k < n) {
    const l = lines[k]!;
    poll(l.length + 1);
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
      file = startFile(name, k);
      p.file[k] = file;
      p.tags[k] = Tag.FileHeader;
      inHeader = true;
    } else if (l.startsWith('--- ') && (lines[k + 1] ?? '').startsWith('+++ ')) {
      const newName = nameOf(lines[k + 1]!.slice(4));
      const name = newName === '/dev/null' ? nameOf(l.slice(4)) : newName;
      if (!inHeader) file = startFile(name, k);
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
  classify(lines, p);
  return p;
}

/** Decides each file's summary from its path and its lines. */
function classify(lines: readonly string[], p: Parsed): void {
  const facts = p.files.map(() => ({ deleted: false, renamed: false, other: false, body: 0, binary: false, data: false, mark: false }));
  let newLine = 0;
  for (let k = 0; k < lines.length; k++) {
    poll(lines[k]!.length + 1);
    const f = p.file[k]!;
    if (f < 0) continue;
    const l = lines[k]!;
    const x = facts[f]!;
    const info = p.files[f]!;
    switch (p.tags[k]) {
      case Tag.FileHeader:
        if (l.startsWith('deleted file mode') || (l.startsWith('+++ ') && nameOf(l.slice(4)) === '/dev/null')) x.deleted = true;
        if (l.startsWith('Binary files') || l.startsWith('GIT binary patch')) x.binary = true;
        if (l === 'similarity index 100%') x.renamed = true;
        else if (l.startsWith('rename from ')) info.from = l.slice('rename from '.length);
        else if (l.startsWith('rename to ')) info.to = l.slice('rename to '.length);
        else if (!l.startsWith('diff --git ')) x.other = true;
        break;
      case Tag.HunkHeader: {
        const r = hunkRange(l);
        newLine = r === undefined ? GENERATED_MARK_WITHIN + 1 : r.newStart + (r.newCount === 0 ? 1 : 0);
        x.body++;
        break;
      }
      case Tag.Add:
      case Tag.Context:
        x.body++;
        if (newLine <= GENERATED_MARK_WITHIN && GENERATED_MARKS.some((m) => l.includes(m))) x.mark = true;
        newLine++;
        break;
      case Tag.Binary:
        x.data = true;
        x.body++;
        break;
      case Tag.Other:
        break;
      default:
        x.body++;
    }
  }
  p.files.forEach((info, f) => {
    const x = facts[f]!;
    // Binary patch data of a deleted file may run past a blank line: its own summary covers it.
    if (x.deleted && !x.data) info.summary = Summary.Deleted;
    else if (x.renamed && !x.other && x.body === 0 && info.from !== '' && info.to !== '') info.summary = Summary.Renamed;
    else if (LOCKFILES.includes(basename(info.name))) info.summary = Summary.Lockfile;
    else if (vendoredPath(info.name)) info.summary = Summary.Vendored;
    else if (generatedPath(info.name) || x.mark) info.summary = Summary.Generated;
    info.binary = x.binary;
  });
}

const isChange = (t: Tag | undefined): boolean => t === Tag.Add || t === Tag.Del;

const isBody = (t: Tag | undefined): boolean => t === Tag.Add || t === Tag.Del || t === Tag.Context || t === Tag.NoNewline;

/** Kept lines as given (`lines.given`), each marker with the line end of the last line it stands for. */
function render(cut: Lines, original: string, p: Parsed, level: Level): Compressed {
  const lines = cut.lines;
  const n = lines.length;
  const out: string[] = [];
  const folded = { lines: 0 };
  // Per `Summary` kind: files and hunks summarised.
  const summarisedFiles = [0, 0, 0, 0, 0, 0];
  const summarisedHunks = [0, 0, 0, 0];
  let deletedLines = 0;
  let binary = 0;
  let diffstat = 0;
  const keep = level === Level.ChangesOnly ? 0 : CONTEXT_KEEP;
  let k = 0;
  while (k < n) {
    const tag = p.tags[k]!;
    const file = p.file[k]!;
    const info = level >= Level.Summarise && file >= 0 ? p.files[file] : undefined;
    const summary = info?.summary ?? Summary.None;
    if (info !== undefined && (summary === Summary.Renamed || summary === Summary.Deleted) && k === info.start) {
      // The whole section, headers and all, becomes one line.
      let removed = 0;
      while (k < n && p.file[k] === file && p.tags[k] !== Tag.Other) {
        poll(lines[k]!.length + 1);
        if (p.tags[k] === Tag.Del) removed++;
        k++;
      }
      summarisedFiles[summary]!++;
      if (summary === Summary.Renamed) out.push(marker.renamedFile(info.from, info.to) + lineEnd(cut, k - 1));
      else {
        deletedLines += removed;
        out.push(marker.deletedFile(info.name, removed, info.binary && removed === 0) + lineEnd(cut, k - 1));
      }
      continue;
    }
    if (info !== undefined && summary !== Summary.None && (tag === Tag.HunkHeader || isBody(tag))) {
      // Everything from here to the file's end (its hunks) becomes one summary.
      let hunks = 0;
      let added = 0;
      let removed = 0;
      const start = k;
      while (k < n && p.file[k] === file && p.tags[k] !== Tag.FileHeader && p.tags[k] !== Tag.Other) {
        poll(lines[k]!.length + 1);
        const t = p.tags[k];
        if (t === Tag.HunkHeader) hunks++;
        else if (t === Tag.Add) added++;
        else if (t === Tag.Del) removed++;
        k++;
      }
      summarisedHunks[summary]! += hunks;
      summarisedFiles[summary]!++;
      out.push(marker.fileChangesSummary(basename(info.name), SUMMARY_WHAT[summary]!, hunks, added, removed, k - start) + lineEnd(cut, k - 1));
      continue;
    }
    if (tag === Tag.Binary && level >= Level.Summarise) {
      const start = k;
      while (k < n && p.tags[k] === Tag.Binary) {
        poll(lines[k]!.length + 1);
        k++;
      }
      binary += k - start;
      out.push(marker.binaryPatch(k - start) + lineEnd(cut, k - 1));
      continue;
    }
    if (level >= Level.Summarise && isDiffstat(tag, lines[k]!)) {
      const start = k;
      while (k < n && isDiffstat(p.tags[k]!, lines[k]!)) {
        poll(lines[k]!.length + 1);
        k++;
      }
      diffstat += k - start;
      out.push(marker.diffstat(k - start) + lineEnd(cut, k - 1));
      continue;
    }
    if (tag === Tag.HunkHeader) {
      k = renderHunk(cut, original, p, k, keep, out, folded);
      continue;
    }
    poll(lines[k]!.length + 1);
    out.push(given(cut, k, original));
    k++;
  }
  const omitted: Omission[] = [];
  if (folded.lines > 0) omitted.push({ unit: 'lines', count: folded.lines, summary: 'unchanged context lines' });
  for (const s of [Summary.Lockfile, Summary.Generated, Summary.Vendored]) {
    if (summarisedHunks[s]! > 0) omitted.push({ unit: 'hunks', count: summarisedHunks[s]!, summary: marker.summarisedFilesOmission(summarisedFiles[s]!, SUMMARY_WHAT[s]!) });
  }
  if (summarisedFiles[Summary.Renamed]! > 0) omitted.push({ unit: 'files', count: summarisedFiles[Summary.Renamed]!, summary: marker.renamesOmission() });
  if (summarisedFiles[Summary.Deleted]! > 0) omitted.push({ unit: 'lines', count: deletedLines, summary: marker.deletedFilesOmission(summarisedFiles[Summary.Deleted]!) });
  if (binary > 0) omitted.push({ unit: 'lines', count: binary, summary: 'binary patch data' });
  if (diffstat > 0) omitted.push({ unit: 'lines', count: diffstat, summary: 'diffstat' });
  const strategy = level === Level.Fold ? 'diff:fold' : level === Level.Summarise ? 'diff:summarise' : 'diff:changes';
  return { content: out.join(''), strategy, omitted };
}

/**
 * One hunk, its header (at `h`) kept as given: context runs fold (`keep` lines kept next to each
 * change), each into a marker that locates the lines after it (`foldMarker`). Returns the line
 * after the hunk.
 */
function renderHunk(cut: Lines, original: string, p: Parsed, h: number, keep: number, out: string[], folded: { lines: number }): number {
  const lines = cut.lines;
  const n = lines.length;
  let e = h + 1;
  while (e < n && isBody(p.tags[e])) e++;
  out.push(given(cut, h, original));
  const range = hunkRange(lines[h]!);
  if (range === undefined) {
    for (let i = h + 1; i < e; i++) {
      poll(lines[i]!.length + 1);
      out.push(given(cut, i, original));
    }
    return e;
  }
  // Each body line's number in the old and the new file (a side the line is not on: the next line's).
  const oldAt = new Array<number>(e - h).fill(0);
  const newAt = new Array<number>(e - h).fill(0);
  let oldLine = range.oldStart + (range.oldCount === 0 ? 1 : 0);
  let newLine = range.newStart + (range.newCount === 0 ? 1 : 0);
  for (let i = h + 1; i < e; i++) {
    poll(lines[i]!.length + 1);
    const t = p.tags[i];
    oldAt[i - h] = oldLine;
    newAt[i - h] = newLine;
    if (t === Tag.Context || t === Tag.Del) oldLine++;
    if (t === Tag.Context || t === Tag.Add) newLine++;
  }
  // Under the header (which locates it) or at the hunk's end (no line after it to locate), a
  // fold's count is enough; between shown lines it also names where it starts.
  const foldMarker = (from: number, to: number): string =>
    from === h + 1 || to === e ? marker.unchangedLines(to - from) : marker.unchangedRange(to - from, oldAt[from - h]!, newAt[from - h]!);
  const fold = new Array<boolean>(e - h).fill(false);
  let j = h + 1;
  while (j < e) {
    if (p.tags[j] !== Tag.Context) {
      j++;
      continue;
    }
    const start = j;
    while (j < e && p.tags[j] === Tag.Context) {
      poll(lines[j]!.length + 1);
      j++;
    }
    const changeBefore = start > h + 1 && (isChange(p.tags[start - 1]) || p.tags[start - 1] === Tag.NoNewline);
    const changeAfter = j < e && isChange(p.tags[j]);
    const head = changeBefore ? keep : 0;
    // `\ No newline at end of file` speaks of the line above it: that line stays.
    const tail = Math.max(changeAfter ? keep : 0, j < e && p.tags[j] === Tag.NoNewline ? 1 : 0);
    const foldFrom = start + head;
    const foldTo = Math.max(j - tail, foldFrom);
    if (foldTo === foldFrom || !(changeBefore || changeAfter)) continue;
    let foldBytes = 0;
    for (let i = foldFrom; i < foldTo; i++) foldBytes += utf8Length(lines[i]!) + 1;
    if (utf8Length(foldMarker(foldFrom, foldTo)) + 1 < foldBytes) fold.fill(true, foldFrom - h, foldTo - h);
  }
  j = h + 1;
  while (j < e) {
    poll(lines[j]!.length + 1);
    if (!fold[j - h]) {
      out.push(given(cut, j, original));
      j++;
      continue;
    }
    const start = j;
    while (j < e && fold[j - h]) {
      poll(lines[j]!.length + 1);
      j++;
    }
    out.push(foldMarker(start, j) + lineEnd(cut, j - 1));
    folded.lines += j - start;
  }
  return e;
}
