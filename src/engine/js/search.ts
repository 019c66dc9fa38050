// The search-hit compressor: grep and ripgrep output, `path:line:text` matches and
// `path-line-text` context lines (twin of search.rs).
//
// Lossless: consecutive hits in one file are grouped under their path, written once, as
// ripgrep's `--heading` layout does (`12:text` for a match, `12-text` for context).
// Lossy, only above `maxBlockTokens`: every file stays with its first and last match, every
// match with an error word stays, then, while the budget lasts, the matches with the rarest query
// terms (`query.termWeights`: grep's own pattern, on every match, weighs nothing) and more matches
// (the first ones of every file before the later ones). A match is kept with its context (the
// lines grep printed around it, `-B`/`-A`/`-C`), and what that context costs is part of what the
// match costs; a separator stays between kept hunks. Each dropped run leaves a marker counting its
// matches and context lines and naming the matches' line numbers.

import type { BlockOptions, Compressed, Omission } from '../types.js';
import { estimateTokens, fit, losslessAbove } from './budget.js';
import { digitsAt, isAlpha, isDigit, trimSpaceTab } from './chars.js';
import { lineEnd, type Lines, splitRaw } from './lines.js';
import * as marker from './marker.js';
import { queryScore, queryTerms, termWeights } from './query.js';
import { lineSignal, Signal } from './signal.js';
import { poll } from './stop.js';
import { countTokens } from './tokens.js';

// The format: what detection asks (`isSearch`), grep's line prefixes, and compilers'
// diagnostics (`path:12:5: error: …`), which look like grep hits but are not.

/** Share (in percent of the non-empty lines) of grep lines search output is made of. */
const SEARCH_SHARE = 70;

/** `path:12:` (a match) → the end of the path (-1 if none); the path must look like one. */
function matchPrefix(l: string): number {
  const from = l.length > 2 && isAlpha(l.charCodeAt(0)) && l[1] === ':' && (l[2] === '\\' || l[2] === '/') ? 2 : 0;
  const p = l.indexOf(':', from);
  if (p < 0 || !plausiblePath(l.slice(0, p))) return -1;
  const d = digitsAt(l, p + 1);
  return d >= 1 && d <= 9 && l[p + 1 + d] === ':' && !timeOfDayAt(l, p) ? p : -1;
}

/**
 * A time of day (`13:53:08`) whose first colon is `l[p]`: the end of a name with a stamp in it
 * (`nova-api.log.1.2017-05-16_13:53:08 …`), not a path and line number.
 */
function timeOfDayAt(l: string, p: number): boolean {
  let hour = 0;
  while (hour < p && isDigit(l.charCodeAt(p - 1 - hour))) hour++;
  return hour >= 1 && hour <= 2 && digitsAt(l, p + 1) === 2 && l[p + 3] === ':' && digitsAt(l, p + 4) === 2;
}

/** `path-12-` (a context line) → the end of the path (-1 if none). */
function contextPrefix(l: string): number {
  let limit = 0;
  while (limit < l.length && pathChar(l.charCodeAt(limit))) limit++;
  const dated = startsWithDate(l);
  let letter = false;
  for (let q = 0; q < limit; q++) {
    if (l[q] === '-' && letter && !dated) {
      const d = digitsAt(l, q + 1);
      if (d >= 1 && d <= 9 && l[q + 1 + d] === '-') return q;
    }
    if (isAlpha(l.charCodeAt(q))) letter = true;
  }
  return -1;
}

function pathChar(c: number): boolean {
  return c >= 0x80 || isAlpha(c) || isDigit(c) || '._/\\@+~#%-:'.includes(String.fromCharCode(c));
}

/** `2024-…` at the start, or a date-time `dddd-dd-ddT` anywhere: a timestamp, not a path. */
function startsWithDate(b: string): boolean {
  return /^[0-9]{4}-/.test(b) || /[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(b);
}

/** A file path as grep prints it: no blanks or quoting characters, at least one letter, and not the start of a timestamp. */
function plausiblePath(p: string): boolean {
  if (p.length === 0 || startsWithDate(p)) return false;
  let letter = false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (!pathChar(c)) return false;
    if (isAlpha(c)) letter = true;
  }
  return letter;
}

// ripgrep's `--heading` layout: a file's path on a line of its own, then its rows without it
// (`12:match`, `13-context`, `--` between hunks), and a blank line before the next file.

/** `12:` or `12-` at the start of a row under a heading: the digits' length (0 if none). */
function headedRow(l: string): number {
  const d = digitsAt(l, 0);
  return d >= 1 && d <= 9 && (l[d] === ':' || l[d] === '-') ? d : 0;
}

/** A heading: a line that is a path (and no grep line), followed by a row. */
function isHeading(l: string, next: string | undefined): boolean {
  return next !== undefined && headedRow(next) > 0 && matchPrefix(l) < 0 && contextPrefix(l) < 0 && plausiblePath(l);
}

/**
 * Whether these lines (a block's prefix, as detection reads it) are grep or ripgrep output: mostly
 * `path:12:` matches and `path-12-` context lines (or rows under `--heading` paths), and not a
 * compiler's report.
 */
export function isSearch(lines: readonly string[]): boolean {
  let matches = 0;
  let diagnostics = 0;
  let others = 0;
  let nonempty = 0;
  // Rows under headings; a numbered listing of one file is no search: more than one heading, a
  // context row or a separator says it is.
  let headed = false;
  let headings = 0;
  let headedMatches = 0;
  let headedOthers = 0;
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.length === 0) {
      headed = false;
      continue;
    }
    nonempty++;
    if (headed && (l === '--' || headedRow(l) > 0)) {
      if (l !== '--' && l[headedRow(l)] === ':') headedMatches++;
      else headedOthers++;
      continue;
    }
    headed = false;
    if (matchPrefix(l) >= 0) {
      matches++;
      if (isDiagnostic(l)) diagnostics++;
    } else if (l === '--' || contextPrefix(l) >= 0) others++;
    else if (isHeading(l, lines[k + 1])) {
      headed = true;
      headings++;
    }
  }
  if (headings >= 2 || headedOthers > 0) {
    matches += headedMatches;
    others += headings + headedOthers;
  }
  // `path:12:5: error: …` is a compiler's (or linter's) report, not a grep hit.
  return matches >= 2 && diagnostics * 2 <= matches && (matches + others) * 100 >= nonempty * SEARCH_SHARE;
}

/** Words compilers and linters name a diagnostic's severity with. */
const SEVERITIES = ['error', 'fatal', 'help', 'info', 'note', 'remark', 'warning'];

/** `path:12`, `path:12:5`, `path(12)`, `path(12,5)` at the start of `u`: where it ends (-1 if none). */
function locationEnd(u: string): number {
  const from = u.length > 2 && isAlpha(u.charCodeAt(0)) && u[1] === ':' && (u[2] === '\\' || u[2] === '/') ? 2 : 0;
  let p = from;
  while (p < u.length && u[p] !== ':' && u[p] !== '(') p++;
  if (p >= u.length || !plausiblePath(u.slice(0, p))) return -1;
  const d = digitsAt(u, p + 1);
  if (d === 0 || d > 9) return -1;
  let i = p + 1 + d;
  if (u[p] === '(') {
    if (u[i] === ',') {
      const d2 = digitsAt(u, i + 1);
      if (d2 === 0) return -1;
      i += 1 + d2;
    }
    return u[i] === ')' ? i + 1 : -1;
  }
  if (u[i] === ':') {
    const d2 = digitsAt(u, i + 1);
    if (d2 > 0) i += 1 + d2;
  }
  return i;
}

/** `u` has a severity word at `at` (then anything but a letter or digit). */
function severityAt(u: string, at: number): boolean {
  return SEVERITIES.some((w) => u.startsWith(w, at) && !(isAlpha(u.charCodeAt(at + w.length)) || isDigit(u.charCodeAt(at + w.length))));
}

/**
 * A compiler's or linter's diagnostic line: `path:12:5: error: …`, `path:12: note: …`,
 * `path(12,5): error TS2322: …`, `path:12:5 - error TS2322: …`, and rustc's `--> path:12:5`
 * and `= note: …` (all after the line's indentation).
 */
export function isDiagnostic(u: string): boolean {
  for (const arrow of ['--> ', '::: ']) {
    if (u.startsWith(arrow)) {
      const rest = u.slice(arrow.length);
      return locationEnd(rest) === rest.length;
    }
  }
  if (u.startsWith('= ')) return SEVERITIES.some((w) => u.startsWith(w, 2) && u[2 + w.length] === ':');
  const e = locationEnd(u);
  if (e < 0) return false;
  let i: number;
  if (u[e] === ':') i = e + 1;
  else if (u[e] === ' ' && u[e + 1] === '-') i = e + 2;
  else return false;
  let j = i;
  while (u[j] === ' ' || u[j] === '\t') j++;
  return j > i && severityAt(u, j);
}

/**
 * The gutter under a diagnostic's source excerpt: `|`, alone or with carets, dashes or a
 * further `|` under the code (`  |     ^^^ expected i32`), but not a table row (`| a | b |`).
 */
export function isDiagnosticGutter(u: string): boolean {
  if (u[0] !== '|') return false;
  const rest = u.slice(1);
  const r = trimSpaceTab(rest);
  if (r.length === 0) return true;
  return r.length < rest.length && '^~-|_'.includes(r[0]!) && !r.endsWith('|');
}

/** Estimated cost of an omission marker line. */
const MARKER_COST = 12;

const RowKind = { Match: 0, Context: 1, Separator: 2 } as const;
type RowKind = (typeof RowKind)[keyof typeof RowKind];

/** One grep line inside a file group: where its line number and text start. */
interface Row {
  line: number;
  kind: RowKind;
  /** Range of the line number; the text starts one past its end (after `:` or `-`). */
  num: [number, number];
}

/** A path reference: the line it is read from and its length. */
type PathRef = [number, number];

type Entry = { other: number } | { path: PathRef; rows: Row[] };

export function compress(content: string, options: BlockOptions): Compressed | undefined {
  const cut = splitRaw(content);
  const lines = cut.lines;
  if (lines.length === 0 || lines.some((l) => marker.isMarker(l))) return undefined;
  const entries = parse(lines);
  const lossless: Compressed = { content: render(entries, cut, undefined), strategy: 'search:group', omitted: [] };
  if (!Number.isFinite(options.maxBlockTokens) || options.maxBlockTokens < 0) return lossless;
  const max = Math.floor(options.maxBlockTokens);
  const plan = new Plan(entries, lines, queryTerms(options.query));
  const estimated = plan.estimatedTotal();
  const start = losslessAbove(lossless.content, estimated, max, options.encoding);
  if (start === undefined) return lossless;
  return fit(max, start, estimated, (b): [Compressed, number] => {
    const keep = plan.select(b);
    const text = render(entries, cut, keep);
    const tokens = countTokens(text, options.encoding);
    return [{ content: text, strategy: 'search:select', omitted: plan.omissions(keep), tokens }, tokens];
  });
}

/** Groups consecutive hits of one file. */
function parse(lines: readonly string[]): Entry[] {
  // The path of the next match line at or after each line: context lines before a file's first
  // match are read against it (paths may themselves contain `-12-`).
  const nextMatch: Array<PathRef | undefined> = new Array<PathRef | undefined>(lines.length + 1).fill(undefined);
  for (let k = lines.length - 1; k >= 0; k--) {
    poll(lines[k]!.length + 1);
    const p = matchPrefix(lines[k]!);
    nextMatch[k] = p >= 0 ? [k, p] : nextMatch[k + 1];
  }
  const pathOf = (r: PathRef): string => lines[r[0]]!.slice(0, r[1]);
  const entries: Entry[] = [];
  let current: PathRef | undefined;
  let pendingSep: number | undefined;
  // The current group is a `--heading` one: its rows carry no path.
  let headed = false;
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    poll(l.length + 1);
    if (l === '--') {
      pendingSep = k;
      continue;
    }
    const last = entries[entries.length - 1];
    const d = headedRow(l);
    if (headed && d > 0 && last !== undefined && 'rows' in last) {
      if (pendingSep !== undefined) last.rows.push({ line: pendingSep, kind: RowKind.Separator, num: [0, 0] });
      pendingSep = undefined;
      last.rows.push({ line: k, kind: l[d] === ':' ? RowKind.Match : RowKind.Context, num: [0, d] });
      continue;
    }
    headed = false;
    let hit: [PathRef, RowKind, number] | undefined;
    const p = matchPrefix(l);
    if (p >= 0) hit = [[k, p], RowKind.Match, p + 1];
    else {
      const known = [current, nextMatch[k]].find((r) => r !== undefined && contextAfter(l, pathOf(r)) >= 0);
      if (known !== undefined) hit = [known, RowKind.Context, known[1] + 1];
      else {
        const q = contextPrefix(l);
        if (q >= 0) hit = [[k, q], RowKind.Context, q + 1];
      }
    }
    if (hit === undefined) {
      if (pendingSep !== undefined) entries.push({ other: pendingSep });
      pendingSep = undefined;
      if (isHeading(l, lines[k + 1])) {
        current = [k, l.length];
        entries.push({ path: current, rows: [] });
        headed = true;
      } else {
        entries.push({ other: k });
        current = undefined;
      }
      continue;
    }
    const [path, kind, numStart] = hit;
    let digits = 0;
    while (numStart + digits < l.length && l.charCodeAt(numStart + digits) >= 48 && l.charCodeAt(numStart + digits) <= 57) digits++;
    const row: Row = { line: k, kind, num: [numStart, numStart + digits] };
    if (current !== undefined && last !== undefined && 'rows' in last && pathOf(current) === pathOf(path)) {
      if (pendingSep !== undefined) last.rows.push({ line: pendingSep, kind: RowKind.Separator, num: [0, 0] });
      pendingSep = undefined;
      last.rows.push(row);
    } else {
      // A separator between two files is implied by the new path.
      pendingSep = undefined;
      entries.push({ path, rows: [row] });
      current = path;
    }
  }
  if (pendingSep !== undefined) entries.push({ other: pendingSep });
  return entries;
}

/** `path-12-…` for a known path: where the line number starts (-1 if it is not that). */
function contextAfter(l: string, path: string): number {
  if (!l.startsWith(path) || l[path.length] !== '-') return -1;
  let d = 0;
  const from = path.length + 1;
  while (l.charCodeAt(from + d) >= 48 && l.charCodeAt(from + d) <= 57) d++;
  return d >= 1 && d <= 9 && l[from + d] === '-' ? from : -1;
}

function rowText(row: Row, line: string): string {
  if (row.kind === RowKind.Separator) return '--';
  const num = line.slice(row.num[0], row.num[1]);
  return `${num}${row.kind === RowKind.Match ? ':' : '-'}${line.slice(row.num[1] + 1)}`;
}

/** A row's line number (0 for a separator). */
function lineNumber(row: Row, line: string): number {
  return row.kind === RowKind.Separator ? 0 : Number(line.slice(row.num[0], row.num[1]));
}

/**
 * The output; `keep` (one flag per row, in entry order) selects rows in the lossy form, and each
 * dropped run leaves a marker naming its matches' line numbers. Each line ends as the line it
 * comes from (a heading as its first row, a marker as the last row it stands for), and the last
 * as the block does, so `\r\n` blocks stay so.
 */
function render(entries: readonly Entry[], cut: Lines, keep: readonly boolean[] | undefined): string {
  const lines = cut.lines;
  const out: string[] = [];
  const from: number[] = [];
  const push = (text: string, line: number): void => {
    out.push(text);
    from.push(line);
  };
  let r = 0;
  let last = 0;
  const flush = (matches: readonly number[], context: number): void => {
    if (matches.length + context > 0) push(marker.searchOmitted(matches, context), last);
  };
  for (const e of entries) {
    if ('other' in e) {
      push(lines[e.other]!, e.other);
      continue;
    }
    push(lines[e.path[0]]!.slice(0, e.path[1]), e.path[0]);
    let matches: number[] = [];
    let context = 0;
    for (const row of e.rows) {
      const kept = keep === undefined || keep[r]!;
      r++;
      poll(lines[row.line]!.length + 1);
      if (kept) {
        flush(matches, context);
        matches = [];
        context = 0;
        push(rowText(row, lines[row.line]!), row.line);
      } else {
        last = row.line;
        if (row.kind === RowKind.Match) matches.push(lineNumber(row, lines[row.line]!));
        else if (row.kind === RowKind.Context) context++;
      }
    }
    flush(matches, context);
  }
  if (from.length > 0) from[from.length - 1] = lines.length - 1;
  let text = '';
  for (let k = 0; k < out.length; k++) text += out[k]! + lineEnd(cut, from[k]!);
  return text;
}

type Rank = [number, number, number];
const cmpRank = (a: Rank, b: Rank): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** What lossy selection knows about every row, in entry order. */
class Plan {
  readonly kinds: RowKind[] = [];
  readonly costs: number[] = [];
  readonly must: boolean[] = [];
  /** Keeping order for the others: lower first. */
  readonly rank: Rank[] = [];
  /** Index of the row's group, and the group count. */
  readonly group: number[] = [];
  groups = 0;
  otherCost = 0;
  /**
   * The rows a match is kept with (its context, as far as grep printed it around this match), as
   * a first and last row; a context line of no match spans itself.
   */
  readonly span: Array<[number, number]> = [];
  /** Whether a context line belongs to some match's span. */
  readonly owned: boolean[] = [];

  constructor(entries: readonly Entry[], lines: readonly string[], terms: readonly string[]) {
    const body = (row: Row): string => lines[row.line]!.slice(row.num[1] + 1);
    const bodies: string[] = [];
    for (const e of entries) if (!('other' in e)) for (const row of e.rows) if (row.kind === RowKind.Match) bodies.push(body(row));
    const weights = termWeights(terms, bodies);
    // Per row: is first/last match, query score, has an error word.
    const facts: Array<[boolean, number, boolean]> = [];
    // Per row: its hunk (rows printed as one run of consecutive lines, between separators).
    const hunk: number[] = [];
    let hunks = 0;
    let matches = 0;
    let errors = 0;
    for (const e of entries) {
      if ('other' in e) {
        this.otherCost += estimateTokens(lines[e.other]!) + 1;
        continue;
      }
      this.otherCost += estimateTokens(lines[e.path[0]]!.slice(0, e.path[1])) + 1;
      let first = -1;
      let last = -1;
      e.rows.forEach((row, i) => {
        if (row.kind === RowKind.Match) {
          if (first < 0) first = i;
          last = i;
        }
      });
      // A hunk starts with the group, after a separator and where the line numbers jump.
      let previous = -1;
      e.rows.forEach((row, i) => {
        const line = lines[row.line]!;
        poll(line.length + 1);
        this.kinds.push(row.kind);
        this.costs.push(estimateTokens(rowText(row, line)) + 1);
        this.group.push(this.groups);
        const number = lineNumber(row, line);
        if (row.kind === RowKind.Separator) {
          hunks++;
          previous = -1;
        } else {
          if (previous < 0 || number !== previous + 1) hunks++;
          previous = number;
        }
        hunk.push(hunks);
        const text = body(row);
        const isMatch = row.kind === RowKind.Match;
        const query = isMatch ? queryScore(text, terms, weights) : 0;
        const error = isMatch && lineSignal(text) === Signal.Error;
        if (isMatch) matches++;
        if (error) errors++;
        facts.push([i === first || i === last, query, error]);
      });
      this.groups++;
    }
    const n = this.kinds.length;
    // Error words mark the exceptional hits; when most hits carry one, the search was for them
    // and they rank first instead of all being kept.
    const errorsRare = errors * 2 <= matches;
    let nth = 0;
    for (let r = 0; r < n; r++) {
      if (r > 0 && this.group[r] !== this.group[r - 1]) nth = 0;
      const [edge, query, error] = facts[r]!;
      // Query hits compete for the budget (relevance is not signal), rarest terms first.
      this.must.push(edge || (error && errorsRare));
      const kind = this.kinds[r]!;
      if (kind === RowKind.Match) {
        nth++;
        this.rank.push(error ? [0, nth, r] : query === 0 ? [2, nth, r] : [1, Number.MAX_SAFE_INTEGER - query, r]);
      } else this.rank.push([kind === RowKind.Context ? 3 : 4, 0, r]);
    }
    // Context lines nearest a kept match come first.
    const dist: number[] = new Array<number>(n).fill(Number.MAX_SAFE_INTEGER);
    let lastMust = -1;
    for (let r = 0; r < n; r++) {
      if (r > 0 && this.group[r] !== this.group[r - 1]) lastMust = -1;
      if (this.must[r]) lastMust = r;
      else if (lastMust >= 0) dist[r] = r - lastMust;
    }
    let nextMust = -1;
    for (let r = n - 1; r >= 0; r--) {
      if (r + 1 < n && this.group[r] !== this.group[r + 1]) nextMust = -1;
      if (this.must[r]) nextMust = r;
      else if (nextMust >= 0) dist[r] = Math.min(dist[r]!, nextMust - r);
      if (this.kinds[r] === RowKind.Context) this.rank[r]![1] = dist[r]!;
    }
    // How many lines grep printed before and after a match (`-B`, `-A`): the longest runs of
    // context that open and close a hunk.
    let before = 0;
    let after = 0;
    for (let r = 0; r < n; ) {
      let end = r;
      while (end < n && hunk[end] === hunk[r]) end++;
      let lead = 0;
      while (r + lead < end && this.kinds[r + lead] === RowKind.Context) lead++;
      let trail = 0;
      while (end - 1 - trail >= r && this.kinds[end - 1 - trail] === RowKind.Context) trail++;
      if (lead < end - r) {
        before = Math.max(before, lead);
        after = Math.max(after, trail);
      }
      r = end;
    }
    for (let r = 0; r < n; r++) {
      this.span.push([r, r]);
      this.owned.push(false);
    }
    // A hunk's rows are consecutive lines: its rows `before` up and `after` down are the lines
    // grep printed around the match (other matches among them are not its context).
    for (let r = 0; r < n; r++) {
      if (this.kinds[r] !== RowKind.Match) continue;
      const inHunk = (q: number): boolean => q >= 0 && q < n && hunk[q] === hunk[r];
      let lo = r;
      while (r - lo < before && inHunk(lo - 1)) lo--;
      let hi = r;
      while (hi - r < after && inHunk(hi + 1)) hi++;
      this.span[r] = [lo, hi];
      for (let q = lo; q <= hi; q++) if (this.kinds[q] === RowKind.Context) this.owned[q] = true;
    }
    // A kept match keeps its context.
    for (let r = 0; r < n; r++) if (this.kinds[r] === RowKind.Match && this.must[r]) this.keepWith(r, this.must);
  }

  /** Marks `r` and the context lines of its span kept. */
  keepWith(r: number, keep: boolean[]): void {
    const [lo, hi] = this.span[r]!;
    for (let q = lo; q <= hi; q++) if (q === r || this.kinds[q] === RowKind.Context) keep[q] = true;
  }

  estimatedTotal(): number {
    let t = this.otherCost;
    for (const c of this.costs) t += c;
    return t;
  }

  /**
   * Rows to keep within `budget`: the must-keep ones, then matches by rank, each with its
   * context, while they fit, then context lines of no match; a separator stays between kept rows.
   */
  select(budget: number): boolean[] {
    const n = this.kinds.length;
    const keep = [...this.must];
    let used = this.otherCost;
    for (let r = 0; r < n; ) {
      let end = r;
      while (end < n && this.group[end] === this.group[r]) end++;
      used += this.cost(r, end - 1, keep);
      r = end;
    }
    const order: number[] = [];
    for (let r = 0; r < n; r++) {
      const kind = this.kinds[r];
      if (!keep[r] && (kind === RowKind.Match || (kind === RowKind.Context && !this.owned[r]))) order.push(r);
    }
    order.sort((a, b) => cmpRank(this.rank[a]!, this.rank[b]!));
    for (const r of order) {
      poll(16);
      const [lo, hi] = this.span[r]!;
      // The rows whose cost changes: the span, its neighbours and the separators between.
      const a = this.sameGroup(this.neighbour(lo, false), r) ?? lo;
      const b = this.sameGroup(this.neighbour(hi, true), r) ?? hi;
      const was = this.cost(a, b, keep);
      const saved = keep.slice(lo, hi + 1);
      this.keepWith(r, keep);
      const now = this.cost(a, b, keep);
      if (used - was + now <= budget) used += now - was;
      else for (let q = lo; q <= hi; q++) keep[q] = saved[q - lo]!;
    }
    for (let r = 0; r < n; r++) if (this.kinds[r] === RowKind.Separator) keep[r] = this.separatorKept(r, keep);
    return keep;
  }

  /** `q` when it is a row of `r`'s group. */
  sameGroup(q: number, r: number): number | undefined {
    return q >= 0 && this.group[q] === this.group[r] ? q : undefined;
  }

  /** A separator is kept when the rows on both sides of it are. */
  separatorKept(r: number, keep: readonly boolean[]): boolean {
    const before = this.sameGroup(this.neighbour(r, false), r);
    const after = this.sameGroup(this.neighbour(r, true), r);
    return before !== undefined && after !== undefined && keep[before]! && keep[after]!;
  }

  /** Estimated cost of rows `a..=b` of one group as `keep` renders them: kept rows, kept separators, one marker per dropped run. */
  cost(a: number, b: number, keep: readonly boolean[]): number {
    let t = 0;
    for (let r = a; r <= b; r++) {
      if (this.kinds[r] === RowKind.Separator) {
        if (this.separatorKept(r, keep)) t += this.costs[r]!;
      } else if (keep[r]) t += this.costs[r]!;
      else {
        const before = this.sameGroup(this.neighbour(r, false), r);
        if (before === undefined || keep[before]) t += MARKER_COST;
      }
    }
    return t;
  }

  /** The nearest non-separator row before or after `r` (-1 if none). */
  neighbour(r: number, after: boolean): number {
    let q = r;
    for (;;) {
      q += after ? 1 : -1;
      if (q < 0 || q >= this.kinds.length) return -1;
      if (this.kinds[q] !== RowKind.Separator) return q;
    }
  }

  omissions(keep: readonly boolean[]): Omission[] {
    const files = new Set<number>();
    let matches = 0;
    let context = 0;
    keep.forEach((k, r) => {
      if (k) return;
      if (this.kinds[r] === RowKind.Match) {
        matches++;
        files.add(this.group[r]!);
      } else if (this.kinds[r] === RowKind.Context) context++;
    });
    const out: Omission[] = [];
    if (matches > 0) out.push({ unit: 'matches', count: matches, summary: marker.searchOmissionSummary(files.size) });
    if (context > 0) out.push({ unit: 'lines', count: context, summary: 'context lines' });
    return out;
  }
}
