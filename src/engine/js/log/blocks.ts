// The framing of error blocks (twin of log/blocks.rs): the lines that belong to an error and mean
// little without it, so lossy selection keeps them whenever it keeps the error.
//
// - Continuation: what follows an error line and hangs under it: deeper-indented lines (a
//   multi-line message, a test's output, `at …` frames), a compiler's gutter (`4 |     let x`,
//   ` --> src/main.rs:4:18`, `= note:`), caret and underline lines (`^~~~`), a numbered source
//   excerpt with its carets (tsc's `3 const x = 1;`), and blank lines inside all that. The line
//   just before an error that introduces it (ending with `:`) belongs to it too.
// - Boxes: a region fenced by two rules (`------`, buildkit's error box and its numbered
//   Dockerfile excerpt) or by `╷` … `╵` (terraform), whole, when it holds an error or sits next
//   to one (or to another such box: `------ … ------ / Dockerfile:32 / ---- … ---- / ERROR`).
// - Test sections: pytest's `____ test_x ____`, cargo test's `---- x stdout ----` and jest's
//   `● Suite › test` run to the next section; a failed go test is what follows its `=== RUN`
//   and `=== CONT` lines; a buildkit step is its `#9 ` lines. A section that holds an error or
//   a stack trace (a step: an error) is kept whole; one that never closes within
//   `SECTION_MAX` lines, up to its last error or stack-trace line.
//
// Every block is bounded (`CONTINUATION_MAX`, `BOX_MAX`, `SECTION_MAX` lines), so one error can
// never pin down a whole log. ASCII rules apart from the fences' own characters.

import { isAlnum, isDigit } from '../chars.js';
import { Class, type LineInfo } from './classify.js';

/** Most lines an error's continuation may run to. */
export const CONTINUATION_MAX = 80;
/** Most lines between the two fences of a box. */
export const BOX_MAX = 40;
/** Most lines between a box and the error (or box) it belongs to. */
export const BOX_GAP = 2;
/** Most lines of a test section kept whole. */
export const SECTION_MAX = 200;
/** Blank lines a continuation may hold in a row. */
const BLANKS_MAX = 2;
/**
 * Most lines a paragraph after an error may hold at the error's own indent (beyond that it is the
 * log going on, not the error's message).
 */
const PARAGRAPH_MAX = 8;

/** Marks `framed` on every line that belongs to the framing of an error block. */
export function mark(lines: readonly string[], info: LineInfo[]): void {
  const n = lines.length;
  const bodies = lines.map((l, k) => body(l, info[k]!));
  const framed = new Array<boolean>(n).fill(false);
  continuations(bodies, info, framed);
  sections(bodies, info, framed);
  boxes(bodies, info, framed);
  // Error and stack-trace lines inside a block keep their own rules (each distinct text kept,
  // its repeats counted).
  for (let k = 0; k < n; k++) {
    const li = info[k]!;
    // Info objects are shared between equal lines: replace, never mutate.
    if (framed[k] && li.cls !== Class.Error && li.cls !== Class.Frame) info[k] = { ...li, framed: true };
  }
}

/** Rust's `u8::is_ascii_whitespace`. */
const isAsciiWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;

function trimAscii(s: string): string {
  let from = 0;
  let end = s.length;
  while (from < end && isAsciiWhitespace(s.charCodeAt(from))) from++;
  while (end > from && isAsciiWhitespace(s.charCodeAt(end - 1))) end--;
  return s.slice(from, end);
}

/** A line's text after its timestamp and indent, without trailing blanks. */
function body(line: string, li: LineInfo): string {
  const from = Math.min(li.ts + li.indent, line.length);
  let end = line.length;
  while (end > from && isAsciiWhitespace(line.charCodeAt(end - 1))) end--;
  return line.slice(from, end);
}

const isError = (li: LineInfo): boolean => li.cls === Class.Error;

function continuations(bodies: readonly string[], info: readonly LineInfo[], framed: boolean[]): void {
  const n = bodies.length;
  for (let a = 0; a < n; a++) {
    const la = info[a]!;
    if (!isError(la)) continue;
    if (a > 0 && !info[a - 1]!.blank && bodies[a - 1]!.endsWith(':')) framed[a - 1] = true;
    // An error that announces its message (`AssertionError:`), or a level-tagged error in a run
    // of tagged lines, goes on in the paragraph after it, however indented: the lines with no
    // level tag of their own, up to the first blank line after them (at its own indent,
    // `PARAGRAPH_MAX` lines at most).
    let taggedRun = false;
    if (la.level !== undefined) {
      let j = a - 1;
      while (j >= 0 && info[j]!.blank) j--;
      taggedRun = j >= 0 && info[j]!.level !== undefined;
    }
    let paragraph = bodies[a]!.endsWith(':') || taggedRun;
    let k = a + 1;
    let blanks = 0;
    let seen = false;
    let flat = 0;
    while (k < n && k - a <= CONTINUATION_MAX) {
      const lk = info[k]!;
      if (lk.blank) {
        blanks++;
        paragraph = paragraph && !seen;
        if (blanks > BLANKS_MAX) break;
        k++;
        continue;
      }
      const ownRecord = la.level !== undefined && lk.level !== undefined;
      const under =
        lk.indent > la.indent ||
        lk.cls === Class.Frame ||
        isGutter(bodies[k]!) ||
        isCarets(bodies[k]!) ||
        (isExcerpt(bodies[k]!) && k + 1 < n && isCarets(bodies[k + 1]!));
      const inParagraph = paragraph && !ownRecord && lk.indent >= la.indent;
      if (!under && inParagraph) flat++;
      const hangs = under || (inParagraph && flat <= PARAGRAPH_MAX);
      if (!hangs || (isError(lk) && lk.indent <= la.indent)) break;
      // The blank lines before it are inside the block.
      framed.fill(true, k - blanks, k + 1);
      blanks = 0;
      seen = true;
      k++;
    }
  }
}

const leadingDigits = (b: string): number => {
  let d = 0;
  while (d < b.length && isDigit(b.charCodeAt(d))) d++;
  return d;
};

/** A compiler's source gutter: `4 |     let x`, `  |`, ` --> src/main.rs:4:18`, `::: path`, `= note: …`, `= help: …`. */
function isGutter(b: string): boolean {
  const digits = leadingDigits(b);
  let i = digits;
  while (i < b.length && b[i] === ' ') i++;
  if (b[i] === '|' && (i + 1 === b.length || b[i + 1] === ' ')) return true;
  return digits === 0 && (b.startsWith('--> ') || b.startsWith('::: ') || b.startsWith('= note:') || b.startsWith('= help:'));
}

/** A caret or underline line: `^`, `^~~~`, `---   ^^^`, `| ^`, nothing else. */
function isCarets(b: string): boolean {
  let mark = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === '^' || c === '~') mark = true;
    else if (c !== '-' && c !== '|' && c !== '_' && c !== ' ' && c !== '\t') return false;
  }
  return mark;
}

/** A numbered source line: `3 const x = 1;` (tsc), `12   foo();`. */
function isExcerpt(b: string): boolean {
  const digits = leadingDigits(b);
  return digits > 0 && b[digits] === ' ';
}

/** `----` and longer: a rule of dashes alone. */
function isRule(b: string): boolean {
  if (b.length < 4) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== '-') return false;
  return true;
}

function boxes(bodies: readonly string[], info: readonly LineInfo[], framed: boolean[]): void {
  const n = bodies.length;
  // Fenced regions, each `[first, last]` line, fences included.
  const found: Array<[number, number]> = [];
  let k = 0;
  while (k < n) {
    const b = bodies[k]!;
    const close = isRule(b) ? isRule : b.startsWith('╷') ? (x: string): boolean => x.startsWith('╵') : undefined;
    let end: number | undefined;
    if (close !== undefined) {
      for (let j = k + 1; j < Math.min(n, k + BOX_MAX + 2); j++) {
        if (close(bodies[j]!)) {
          end = j;
          break;
        }
      }
    }
    if (end === undefined) k++;
    else {
      found.push([k, end]);
      k = end + 1;
    }
  }
  // Boxes no more than `BOX_GAP` lines apart form one block (buildkit's step box, then
  // `Dockerfile:32` and its excerpt box); it joins an error block when it holds a line of one or
  // lies within `BOX_GAP` lines of one.
  const anchored = (j: number): boolean => framed[j]! || isError(info[j]!);
  const joins: Array<[number, number]> = [];
  let i = 0;
  while (i < found.length) {
    const first = found[i]![0];
    let last = found[i]![1];
    i++;
    while (i < found.length && found[i]![0] - last - 1 <= BOX_GAP) {
      last = found[i]![1];
      i++;
    }
    let inside = false;
    for (let j = first; j <= last && !inside; j++) inside = anchored(j);
    let before: number | undefined;
    for (let j = first - 1; j >= Math.max(0, first - BOX_GAP - 1); j--) {
      if (anchored(j)) {
        before = j;
        break;
      }
    }
    let after: number | undefined;
    for (let j = last + 1; j < Math.min(n, last + BOX_GAP + 2); j++) {
      if (anchored(j)) {
        after = j;
        break;
      }
    }
    if (inside || before !== undefined || after !== undefined) {
      joins.push([before === undefined ? first : before + 1, after === undefined ? last : after - 1]);
    }
  }
  for (const [from, to] of joins) framed.fill(true, from, to + 1);
}

/** What opens a test section, and so what closes it. */
const Section = { Pytest: 0, Cargo: 1, Jest: 2 } as const;
type Section = (typeof Section)[keyof typeof Section];

/** `___ text ___` with `c` as the fence character: the text between the fences. */
function banner(b: string, c: string): string | undefined {
  let lead = 0;
  while (lead < b.length && b[lead] === c) lead++;
  let trail = 0;
  while (trail < b.length && b[b.length - 1 - trail] === c) trail++;
  if (lead < 3 || trail < 3 || lead >= b.length) return undefined;
  const text = trimAscii(b.slice(lead, b.length - trail));
  for (let i = 0; i < text.length; i++) if (isAlnum(text.charCodeAt(i))) return text;
  return undefined;
}

function sectionStart(b: string): Section | undefined {
  if (banner(b, '_') !== undefined) return Section.Pytest;
  const cargo = banner(b, '-');
  if (cargo !== undefined && (cargo.endsWith(' stdout') || cargo.endsWith(' stderr'))) return Section.Cargo;
  if (b.startsWith('● ')) return Section.Jest;
  return undefined;
}

function sections(bodies: readonly string[], info: readonly LineInfo[], framed: boolean[]): void {
  const n = bodies.length;
  const closes = (s: Section, open: number, k: number): boolean => {
    const b = bodies[k]!;
    if (s === Section.Pytest) return banner(b, '_') !== undefined || banner(b, '=') !== undefined;
    if (s === Section.Cargo) return banner(b, '-') !== undefined || info[k]!.cls === Class.Summary;
    return !info[k]!.blank && info[k]!.indent <= info[open]!.indent;
  };
  let k = 0;
  while (k < n) {
    const s = sectionStart(bodies[k]!);
    if (s === undefined) {
      k++;
      continue;
    }
    const limit = Math.min(n, k + SECTION_MAX);
    let close: number | undefined;
    for (let j = k + 1; j < limit; j++) {
      if (closes(s, k, j)) {
        close = j;
        break;
      }
    }
    const end = close ?? limit;
    const signal = (j: number): boolean => info[j]!.cls === Class.Error || info[j]!.cls === Class.Frame;
    let last: number | undefined;
    if (close === undefined && limit < n) {
      // A section that never closes within `SECTION_MAX` lines has no known end: it is kept up
      // to its last error or stack-trace line.
      for (let j = end - 1; j >= k && last === undefined; j--) if (signal(j)) last = j;
    } else {
      let l = end - 1;
      while (l > k && info[l]!.blank) l--;
      for (let j = k; j <= l && last === undefined; j++) if (signal(j)) last = l;
    }
    if (last !== undefined) framed.fill(true, k, last + 1);
    k = end;
  }
  // buildkit's plain progress: a step's lines share its `#9 ` prefix (steps interleave); a step
  // that failed is kept whole when it is short enough, else its header line.
  const steps = new Map<string, number[]>();
  const failed: string[] = [];
  for (let j = 0; j < n; j++) {
    const step = stepId(bodies[j]!);
    if (step === undefined) continue;
    const [id, rest] = step;
    let lines = steps.get(id);
    if (lines === undefined) steps.set(id, (lines = []));
    if (rest.startsWith('[') && lines.length > 0) lines.length = 0; // the same number in a later build
    lines.push(j);
    if (isError(info[j]!)) failed.push(id);
  }
  for (const id of failed) {
    const lines = steps.get(id);
    if (lines === undefined) continue;
    const keep = lines.length <= SECTION_MAX ? lines : lines.slice(0, 1);
    for (const j of keep) framed[j] = true;
  }
  // go test -v: a test's lines follow its `=== RUN` or `=== CONT` line (parallel tests take
  // turns) up to the next `=== `/`--- ` line; those of a test that failed are kept.
  const segments: Array<[string, number, number]> = [];
  const failedTests = new Set<string>();
  for (let j = 0; j < n; j++) {
    const b = bodies[j]!;
    if (b.startsWith('--- FAIL: ')) failedTests.add(b.slice(10).split(' ')[0]!);
    const name = b.startsWith('=== RUN ') ? b.slice(8) : b.startsWith('=== CONT ') ? b.slice(9) : undefined;
    if (name === undefined) continue;
    const limit = Math.min(n, j + SECTION_MAX);
    let end = limit;
    for (let i = j + 1; i < limit; i++) {
      if (endsGoSegment(bodies[i]!)) {
        end = i;
        break;
      }
    }
    segments.push([trimAscii(name), j, end]);
  }
  for (const [name, start, end] of segments) if (failedTests.has(name)) framed.fill(true, start, end);
}

/** Where a go test's output stops: another test's turn, a result, the package's verdict. */
const endsGoSegment = (b: string): boolean => ['=== ', '--- ', 'FAIL', 'PASS', 'ok '].some((p) => b.startsWith(p));

/** buildkit's `#12 ` step prefix: the step number and the rest of the line. */
function stepId(b: string): [string, string] | undefined {
  if (!b.startsWith('#')) return undefined;
  const digits = leadingDigits(b.slice(1));
  if (digits === 0 || b[digits + 1] !== ' ') return undefined;
  return [b.slice(1, digits + 1), b.slice(digits + 2)];
}
