// Data a reader cannot use line by line (twin of opaque.rs): base64, hex dumps, minified code, one
// giant line. Detection asks `form` about the lines of a block's prefix; such a block, when above
// the budget, is summarised by its size, what it is, its head and its tail.

import type { Compressed } from '../types.js';
import { isAlnum, isDigit, isLower, isUpper, utf8Length, utf8Prefix, utf8Suffix } from './chars.js';
import { opaqueOmitted } from './marker.js';

/** Fewest bytes of non-empty prefix lines that may be opaque data. */
export const MIN_BYTES = 4 * 1024;
/** A line at least this long is a giant line. */
export const GIANT_LINE_BYTES = 16 * 1024;
/** Giant lines making up at least this share (percent) of the prefix make the block one. */
const GIANT_SHARE = 75;
/**
 * Other lines a block of giant lines may have (a licence comment, a shebang): more, and it is a log
 * or text with a long line in it.
 */
const FEW_OTHER_LINES = 8;
/** Lines of base64 (MIME wraps at 64 or 76) are at least this long, but for the last. */
const BASE64_LINE_BYTES = 40;
/** Share (percent) of non-empty lines that must be hex dump lines. */
const HEX_SHARE = 90;
/** Fewest groups of hex digits after the offset of a hex dump line. */
const HEX_GROUPS = 4;
/** A run of hex digits this long is hex data by itself. */
const HEX_RUN_BYTES = 32;
/** The most of the head and the tail a summary shows (UTF-8 bytes; a token is at least a byte). */
export const HEAD_BYTES = 512;
export const TAIL_BYTES = 256;

/** What form opaque data has. */
export type Form = 'base64' | 'hex' | 'minified' | 'line';

/** How the summary names each form. */
export const FORM_NAMES: Readonly<Record<Form, string>> = { base64: 'base64 data', hex: 'hex data', minified: 'minified code', line: 'one long line' };

/** The form of opaque data the (raw) lines of a block's prefix have, if they are opaque data. */
export function form(lines: readonly string[]): Form | undefined {
  let bytes = 0;
  let giant = 0;
  let nonempty = 0;
  let giantLines = 0;
  const sizes = lines.map(utf8Length);
  for (const n of sizes) {
    if (n === 0) continue;
    bytes += n;
    nonempty++;
    if (n >= GIANT_LINE_BYTES) {
      giant += n;
      giantLines++;
    }
  }
  if (bytes < MIN_BYTES) return undefined;
  if (giant * 100 >= bytes * GIANT_SHARE && nonempty - giantLines <= FEW_OTHER_LINES) {
    const giants = lines.filter((_, k) => sizes[k]! >= GIANT_LINE_BYTES);
    return base64(giants) ? 'base64' : hexRuns(giants) ? 'hex' : minified(giants, giant) ? 'minified' : 'line';
  }
  const all = lines.filter((_, k) => sizes[k]! > 0);
  const short = all.slice(0, -1).some((l) => l.length < BASE64_LINE_BYTES);
  if (!short && base64(all)) return 'base64';
  const dump = all.filter(hexDumpLine).length;
  return dump * 100 >= nonempty * HEX_SHARE ? 'hex' : undefined;
}

const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const allHex = (l: string): boolean => {
  for (let i = 0; i < l.length; i++) if (!isHex(l.charCodeAt(i))) return false;
  return true;
};
const hasDigit = (l: string): boolean => {
  for (let i = 0; i < l.length; i++) if (isDigit(l.charCodeAt(i))) return true;
  return false;
};

/** Only base64 characters (standard or URL-safe), with digits and both cases among them. */
function base64(lines: readonly string[]): boolean {
  let digit = false;
  let upper = false;
  let lower = false;
  for (const l of lines) {
    for (let i = 0; i < l.length; i++) {
      const c = l.charCodeAt(i);
      digit ||= isDigit(c);
      upper ||= isUpper(c);
      lower ||= isLower(c);
      if (!(isAlnum(c) || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2d || c === 0x5f)) return false;
    }
  }
  return digit && upper && lower;
}

/** Only hex digits, with digits among them. */
function hexRuns(lines: readonly string[]): boolean {
  return lines.every(allHex) && lines.some(hasDigit);
}

/** Dense code: statements and brackets, few spaces (`bytes`: the lines' UTF-8 length). */
function minified(lines: readonly string[], bytes: number): boolean {
  let semis = 0;
  let brackets = 0;
  let spaces = 0;
  for (const l of lines) {
    for (let i = 0; i < l.length; i++) {
      const c = l.charCodeAt(i);
      if (c === 0x3b) semis++;
      else if (c === 0x7b || c === 0x7d || c === 0x28 || c === 0x29) brackets++;
      else if (c === 0x20) spaces++;
    }
  }
  return semis * 300 >= bytes && brackets * 100 >= bytes && spaces * 100 <= bytes * 15;
}

/**
 * `00000010: 7f45 4c46 …`, `00000010  7f 45 4c 46 …  |.ELF|` (an offset, then groups of hex
 * digits), or a run of hex digits.
 */
function hexDumpLine(l: string): boolean {
  if (l.length >= HEX_RUN_BYTES && allHex(l)) return hasDigit(l);
  let offset = 0;
  while (offset < l.length && isHex(l.charCodeAt(offset))) offset++;
  if (offset < 4) return false;
  let rest = l.slice(offset);
  if (rest.startsWith(':')) rest = rest.slice(1);
  if (!rest.startsWith(' ')) return false;
  let groups = 0;
  for (const g of rest.split(' ')) {
    if (g === '') continue;
    if (g.length > 8 || !allHex(g)) break;
    groups++;
  }
  return groups >= HEX_GROUPS;
}

/** Summarises opaque data of the given form for a budget of `max` tokens. */
export function compress(content: string, f: Form, max: number): Compressed {
  const [text, omitted] = headAndTail(content, FORM_NAMES[f], HEAD_BYTES, TAIL_BYTES, max);
  return { content: text, strategy: `opaque:${f}`, omitted: [{ unit: 'bytes', count: omitted, summary: FORM_NAMES[f] }] };
}

/**
 * `text`'s head and tail (at most `head` and `tail` bytes, and within `max` tokens) around a marker
 * naming `what` it is and its size (whole lines where a line end falls inside the head or the
 * tail); the bytes left out.
 */
export function headAndTail(text: string, what: string, head: number, tail: number, max: number): [string, number] {
  const trailing = text.endsWith('\n');
  const body = trailing ? text.slice(0, -1) : text;
  let h = utf8Prefix(body, Math.min(head, Math.floor(max / 2))).length;
  const lastEnd = h > 0 ? body.lastIndexOf('\n', h - 1) : -1;
  if (lastEnd >= 0) h = lastEnd;
  let t = body.length - utf8Suffix(body, Math.min(tail, Math.floor(max / 4))).length;
  t = Math.max(t, h);
  const firstEnd = body.indexOf('\n', t);
  if (firstEnd >= 0) t = firstEnd + 1;
  let lines = 1;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
  const omitted = utf8Length(body.slice(h, t));
  const out = `${body.slice(0, h)}\n${opaqueOmitted(what, utf8Length(body), lines, omitted)}\n${body.slice(t)}${trailing ? '\n' : ''}`;
  return [out, omitted];
}
