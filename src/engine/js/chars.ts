// Character classes and UTF-8 measures: what headroom-core takes from Rust's standard library
// (`u8::is_ascii_digit` and its kin, `to_ascii_lowercase`, `str::len`, `is_char_boundary`), so
// this module has no Rust twin. Classes are ASCII only (PRODUCT §9) and take UTF-16 code units.

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isUpper = (c: number): boolean => c >= 65 && c <= 90;
export const isLower = (c: number): boolean => c >= 97 && c <= 122;
export const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
export const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);

/** `t[s..e]` starts with the lowercase ASCII `prefix`, ignoring ASCII case. */
export function startsWithAsciiCi(t: string, s: number, e: number, prefix: string): boolean {
  if (e - s < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const c = t.charCodeAt(s + i);
    if ((isUpper(c) ? c | 0x20 : c) !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** How many ASCII digits run from `s[i]`. */
export function digitsAt(s: string, i: number): number {
  let d = 0;
  while (isDigit(s.charCodeAt(i + d))) d++;
  return d;
}

/** `s` without its leading spaces and tabs (`trim_start_matches([' ', '\t'])`). */
export function trimSpaceTab(s: string): string {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i > 0 ? s.slice(i) : s;
}

/** ASCII-only lowercase (PRODUCT §9: no Unicode case folding in selection rules). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** UTF-8 bytes of one UTF-16 code unit (a surrogate pair counts 2 + 2). */
export function utf8Units(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
}

/** Length of `s` in UTF-8 bytes (`str::len`). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += utf8Units(c) - 1;
  }
  return n;
}

/**
 * The longest prefix of `s` within `maxBytes` UTF-8 bytes that ends on a character boundary. A
 * surrogate pair is one 4-byte character; a lone surrogate counts the 3 bytes of the U+FFFD it
 * becomes, so the cut never splits a pair and never overruns on ill-formed text.
 */
export function utf8Prefix(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const pair = (c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const size = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i);
}

/** The longest suffix of `s` within `maxBytes` UTF-8 bytes that starts on a character boundary (`utf8Prefix` from the end). */
export function utf8Suffix(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  let bytes = 0;
  let i = s.length;
  while (i > 0) {
    const c = s.charCodeAt(i - 1);
    const pair = (c & 0xfc00) === 0xdc00 && i >= 2 && (s.charCodeAt(i - 2) & 0xfc00) === 0xd800;
    const size = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i -= pair ? 2 : 1;
  }
  return s.slice(i);
}

/** Character codes the grammars name. */
export const C_DIGIT0 = 48;
export const C_SPACE = 0x20;
export const C_COLON = 0x3a;
export const C_DOT = 0x2e;
export const C_COMMA = 0x2c;
export const C_DASH = 0x2d;
export const C_PLUS = 0x2b;
export const C_SLASH = 0x2f;
export const C_BACKSLASH = 0x5c;
export const C_EQ = 0x3d;
export const C_LBRACKET = 0x5b;
export const C_RBRACKET = 0x5d;
export const C_LPAREN = 0x28;
export const C_PIPE = 0x7c;
export const C_T = 0x54;
export const C_Z = 0x5a;
export const C_UNDERSCORE = 0x5f;
