// The fields inside a log token (twin of log/fields.rs): `duration_ms=84` is the words
// `duration`, `ms`, punctuation and the number `84`; `/api/v1/orders/5000` ends in the number
// `5000`; `12ms` is a number with a unit; `06:55:09,187`, `10.0.0.1` and the `2.3` of `v1.2.3`
// are compounds (times, addresses, versions), never numbers; `v1`, `0x1f` and `T10` are
// identifiers. Template lines show a numeric field's range, and the outlier rules read its
// values. ASCII rules only: code units of other characters belong to words, so pieces never
// split a character (or a surrogate pair).

import { isAlpha, isDigit } from '../chars.js';

export const PieceKind = {
  /** Letters (and non-ASCII characters). */
  Word: 0,
  /** Digits, with at most one decimal fraction: `84`, `0.35`. */
  Number: 1,
  /** Letters and digits mixed: `v1`, `0x1f3a`, `sha256`. */
  Ident: 2,
  /** Digit groups joined by `.` `:` `,` `-` `/`: dates, times, addresses, versions. */
  Compound: 3,
  /** One ASCII character that is not a letter or digit (`_` included). */
  Punct: 4,
} as const;
export type PieceKind = (typeof PieceKind)[keyof typeof PieceKind];

/** Pieces as flat triples: kind, start, end (in code units of the token). */
export type Pieces = number[];

const isLetter = (c: number): boolean => isAlpha(c) || c >= 0x80;
const isSep = (c: number): boolean => c === 0x2e || c === 0x3a || c === 0x2c || c === 0x2d || c === 0x2f;

/** Cuts token `t` into pieces (into `out`, which is cleared first). */
export function pieces(t: string, out: Pieces): void {
  out.length = 0;
  const n = t.length;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    const start = i;
    if (isDigit(c)) {
      while (i < n && isDigit(t.charCodeAt(i))) i++;
      let seps = 0;
      let dotted = true;
      while (i + 1 < n && isSep(t.charCodeAt(i)) && isDigit(t.charCodeAt(i + 1))) {
        if (t.charCodeAt(i) !== 0x2e) dotted = false;
        seps++;
        i++;
        while (i < n && isDigit(t.charCodeAt(i))) i++;
      }
      // A group right after `1.` or `3:` continues a compound (`v1.2.3`).
      const continues = start >= 2 && isSep(t.charCodeAt(start - 1)) && isDigit(t.charCodeAt(start - 2));
      const number = !continues && (seps === 0 || (seps === 1 && dotted));
      let run = i;
      let unit = true;
      while (run < n && (isLetter(t.charCodeAt(run)) || isDigit(t.charCodeAt(run)))) {
        if (isDigit(t.charCodeAt(run))) unit = false;
        run++;
      }
      if (run > i) {
        // `12ms`, `1.5s`: a number and its unit.
        if (number && unit) out.push(PieceKind.Number, start, i, PieceKind.Word, i, run);
        else out.push(PieceKind.Ident, start, run);
        i = run;
        continue;
      }
      out.push(number ? PieceKind.Number : PieceKind.Compound, start, i);
    } else if (isLetter(c)) {
      let digits = false;
      while (i < n && (isLetter(t.charCodeAt(i)) || isDigit(t.charCodeAt(i)))) {
        if (isDigit(t.charCodeAt(i))) digits = true;
        i++;
      }
      out.push(digits ? PieceKind.Ident : PieceKind.Word, start, i);
    } else {
      i++;
      out.push(PieceKind.Punct, start, i);
    }
  }
}

/** Same kinds in the same order, and the same punctuation. */
export function sameShape(a: string, pa: Pieces, b: string, pb: Pieces): boolean {
  if (pa.length !== pb.length) return false;
  for (let k = 0; k < pa.length; k += 3) {
    if (pa[k] !== pb[k]) return false;
    if (pa[k] === PieceKind.Punct && a.charCodeAt(pa[k + 1]!) !== b.charCodeAt(pb[k + 1]!)) return false;
  }
  return true;
}

/** Compares two number pieces (`[0-9]+(\.[0-9]+)?`) by value, exactly. */
export function cmpNumber(a: string, b: string): number {
  const da = a.indexOf('.');
  const db = b.indexOf('.');
  let ai = da < 0 ? a : a.slice(0, da);
  let bi = db < 0 ? b : b.slice(0, db);
  const af = da < 0 ? '' : a.slice(da + 1);
  const bf = db < 0 ? '' : b.slice(db + 1);
  ai = ai.replace(/^0+/, '');
  bi = bi.replace(/^0+/, '');
  if (ai.length !== bi.length) return ai.length - bi.length;
  if (ai !== bi) return ai < bi ? -1 : 1; // ASCII digits: code unit order is code point order
  // Fractions digit by digit, a missing digit being 0.
  for (let k = 0; k < Math.max(af.length, bf.length); k++) {
    const x = k < af.length ? af.charCodeAt(k) : 48;
    const y = k < bf.length ? bf.charCodeAt(k) : 48;
    if (x !== y) return x - y;
  }
  return 0;
}
