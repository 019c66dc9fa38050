// How a block is cut into lines, with the normalisation no reader needs (twin of lines.rs):
// - `\r\n` ends a line like `\n`; a block without any `\n` uses lone `\r` as its line end;
// - otherwise a line holding lone `\r`s is a terminal progress line that overwrote itself: only
//   its final state (the last `\r`-separated segment with a visible character) is kept, and it
//   counts as one line;
// - ANSI escape sequences (colours, cursor movement, OSC titles and links) are removed.
//
// Every count shown in a marker is in these lines. Normalisation is for deciding and for lines
// that carried terminal control (escapes, overwrites): every other line is emitted as given
// (`given`), its line end and every byte included.

/** A block cut into normalised lines. */
export interface Lines {
  lines: string[];
  /** The block ended with a line end (not counted as an extra empty line). */
  trailingNewline: boolean;
  /** The text that was cut. */
  text: string;
  /**
   * Where each line starts in `text`, then the text's length: line `k` with its line end is
   * `text.slice(starts[k], starts[k + 1])`.
   */
  starts: number[];
}

/** Line `k`'s line end (`\n`, `\r\n`, `\r`), or `''` for a last line without one. */
export function lineEnd(l: Lines, k: number): string {
  const end = l.starts[k + 1]!;
  const t = l.text;
  if (end > l.starts[k]! && t.charCodeAt(end - 1) === 0x0a) return end - 1 > l.starts[k]! && t.charCodeAt(end - 2) === 0x0d ? '\r\n' : '\n';
  return end > l.starts[k]! && t.charCodeAt(end - 1) === 0x0d ? '\r' : '';
}

/**
 * Line `k` as the output carries it, with its line end: the caller's own text (`original`, which
 * has the offsets of the text cut: the JS engine cuts a copy whose lone surrogates are U+FFFD),
 * or, for a line that normalisation changed, the normalised line with its original line end.
 */
export function given(l: Lines, k: number, original: string = l.text): string {
  const start = l.starts[k]!;
  const end = lineEnd(l, k);
  const bodyEnd = l.starts[k + 1]! - end.length;
  if (bodyEnd - start === l.lines[k]!.length && l.text.startsWith(l.lines[k]!, start)) return original.slice(start, l.starts[k + 1]);
  return l.lines[k]! + end;
}

/** Joins the given lines back the way the block was laid out. */
export function joinLines(out: readonly string[], trailingNewline: boolean): string {
  const text = out.join('\n');
  return trailingNewline && out.length > 0 ? text + '\n' : text;
}

/** Cuts `content` into normalised lines. */
export function split(content: string): Lines {
  return splitWith(content, true);
}

/**
 * Like `split`, but a lone `\r` inside a line is content, not a progress overwrite (diffs and
 * search hits quote files, whose bytes are not terminal output).
 */
export function splitRaw(content: string): Lines {
  return splitWith(content, false);
}

function splitWith(content: string, progress: boolean): Lines {
  if (content.length === 0) return { lines: [], trailingNewline: false, text: content, starts: [0] };
  const lines: string[] = [];
  const starts: number[] = [0];
  const ends = (pieces: readonly string[]): number[] => {
    let at = 0;
    for (let k = 0; k + 1 < pieces.length; k++) starts.push((at += pieces[k]!.length + 1));
    starts.push(content.length);
    return starts;
  };
  if (!content.includes('\n')) {
    // Classic Mac line ends: every `\r` ends a line.
    const trailingNewline = content.endsWith('\r');
    const body = trailingNewline ? content.slice(0, -1) : content;
    const pieces = body.split('\r');
    for (const piece of pieces) lines.push(stripAnsi(piece));
    return { lines, trailingNewline, text: content, starts: ends(pieces) };
  }
  const trailingNewline = content.endsWith('\n');
  const body = trailingNewline ? content.slice(0, -1) : content;
  const pieces = body.split('\n');
  // Most blocks have no `\r` or no escape at all: then no line needs looking at twice.
  if (!body.includes('\r') && !body.includes('\x1b')) return { lines: pieces, trailingNewline, text: content, starts: ends(pieces) };
  for (let piece of pieces) {
    if (piece.endsWith('\r')) piece = piece.slice(0, -1);
    lines.push(progress && piece.includes('\r') ? finalState(piece) : stripAnsi(piece));
  }
  return { lines, trailingNewline, text: content, starts: ends(pieces) };
}

/** The last `\r`-separated segment with a visible character (ANSI removed), or an empty line. */
function finalState(piece: string): string {
  const segments = piece.split('\r');
  for (let k = segments.length - 1; k >= 0; k--) {
    const s = stripAnsi(segments[k]!);
    for (let i = 0; i < s.length; i++) if (!isBlank(s.charCodeAt(i))) return s;
  }
  return '';
}

/** Space, tab, vertical tab, form feed: the ASCII blanks inside a line. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c;
}

/** Blank-separated tokens of `b` as [start, end) index pairs. */
export function tokens(b: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const n = b.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(b.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isBlank(b.charCodeAt(i))) i++;
    out.push([start, i]);
  }
  return out;
}

/**
 * Removes ANSI escape sequences: CSI (`ESC [` … final byte), OSC/DCS/PM/APC strings (up to BEL
 * or `ESC \`), character-set designations and the other two-byte escapes. Every code unit it
 * inspects is ASCII, so it cuts exactly where the byte-wise Rust twin does.
 */
export function stripAnsi(s: string): string {
  let i = s.indexOf('\x1b');
  if (i < 0) return s;
  let out = '';
  let start = 0;
  while (i >= 0) {
    out += s.slice(start, i);
    start = escapeEnd(s, i);
    i = s.indexOf('\x1b', start);
  }
  return out + s.slice(start);
}

function escapeEnd(s: string, i: number): number {
  const n = s.length;
  if (i + 1 >= n) return i + 1;
  const next = s.charCodeAt(i + 1);
  if (next === 0x5b) {
    // `[`
    let j = i + 2;
    while (j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x3f) j++;
    while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
    if (j < n && s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e) j++;
    return j;
  }
  if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) {
    // `]` `P` `X` `^` `_`: a string up to BEL or ST (`ESC \`), or to the end of the line.
    let j = i + 2;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 0x07) return j + 1;
      if (c === 0x1b) return s.charCodeAt(j + 1) === 0x5c ? j + 2 : j;
      j++;
    }
    return j;
  }
  if (next >= 0x20 && next <= 0x2f) {
    // nF escapes such as `ESC ( B`: intermediates, then one final byte.
    let j = i + 1;
    while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
    if (j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x7e) j++;
    return j;
  }
  if (next >= 0x30 && next <= 0x7e) return i + 2;
  return i + 1;
}
