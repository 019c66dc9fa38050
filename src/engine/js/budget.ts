// A cheap token estimate that steers lossy selection toward `maxBlockTokens` (twin of budget.rs).
// Exact counting of every candidate line would cost a full tokenizer pass per block; selection
// only needs relative costs, and the caller rescales them against one exact count of the whole
// lossless form, then checks the result exactly.

const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** UTF-8 bytes of one UTF-16 code unit (a surrogate pair counts 2 + 2). */
export function utf8Units(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
}

/** Length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += utf8Units(c) - 1;
  }
  return n;
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

/**
 * Roughly how many BPE tokens `text` costs: letters in fours, digits in threes (o200k and
 * cl100k split digit runs into groups of at most three), punctuation runs in pairs, runs of
 * spaces beyond one as a token, other UTF-8 bytes in pairs.
 */
export function estimateTokens(text: string): number {
  let total = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    const start = i;
    i++;
    if (isAlpha(c)) {
      while (i < n && isAlpha(text.charCodeAt(i))) i++;
      total += ceilDiv(i - start, 4);
    } else if (isDigit(c)) {
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      total += ceilDiv(i - start, 3);
    } else if (c === 0x20) {
      while (i < n && text.charCodeAt(i) === 0x20) i++;
      if (i - start > 1) total += 1;
    } else if (c < 0x80) {
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x80 || isAlpha(d) || isDigit(d) || d === 0x20) break;
        i++;
      }
      total += ceilDiv(i - start, 2);
    } else {
      let bytes = utf8Units(c);
      while (i < n && text.charCodeAt(i) >= 0x80) bytes += utf8Units(text.charCodeAt(i++));
      total += ceilDiv(bytes, 2);
    }
  }
  return total;
}

/** `value * num / den` in integers (at least 1 when `value` is). */
export function scale(value: number, num: number, den: number): number {
  if (den === 0) return value;
  const r = Number((BigInt(value) * BigInt(num)) / BigInt(den));
  return value > 0 ? Math.max(r, 1) : 0;
}
