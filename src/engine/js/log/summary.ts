// Lines that state a result (twin of summary.rs): test totals (`3 passed, 1 failed`), build
// results (`BUILD SUCCESS`), exit codes (`exited with code 1`, `non-zero exit`), total times.

import { C_BACKSLASH, C_SLASH, isAlnum, isAlpha, isDigit } from '../chars.js';
import { isBlank } from '../lines.js';

/** What a word means to the summary rule. */
const W = { Other: 0, Digits: 1, Build: 2, BuildResult: 3, Exit: 4, ExitKind: 5, Exited: 6, Non: 7, Zero: 8, Total: 9, Time: 10, Counted: 11, TotalOnly: 12 } as const;
type SummaryWord = (typeof W)[keyof typeof W];

const SUMMARY_WORDS: ReadonlyMap<string, SummaryWord> = new Map<string, SummaryWord>([
  ['build', W.Build],
  ...['success', 'successful', 'failure', 'succeeded'].map((w) => [w, W.BuildResult] as const),
  ...['exit', 'return'].map((w) => [w, W.Exit] as const),
  ...['code', 'status', 'value'].map((w) => [w, W.ExitKind] as const),
  ...['exited', 'exitcode'].map((w) => [w, W.Exited] as const),
  ['non', W.Non],
  ['zero', W.Zero],
  ['total', W.Total],
  ['time', W.Time],
  ...['passed', 'failed', 'passing', 'failing', 'tests', 'errors', 'error', 'warnings', 'warning', 'skipped', 'failures'].map((w) => [w, W.Counted] as const),
  ...['pending', 'ignored', 'xfailed', 'xpassed', 'deselected', 'run', 'executed'].map((w) => [w, W.TotalOnly] as const),
]);

/** Any summary word as a substring. */
const SUMMARY_SUBSTRINGS = new RegExp([...SUMMARY_WORDS.keys()].join('|'), 'i');

/** For each word length, the first letters of the summary words of that length. */
const SUMMARY_INITIALS: readonly number[] = (() => {
  const masks = new Array<number>(16).fill(0);
  for (const w of SUMMARY_WORDS.keys()) masks[w.length]! |= 1 << (w.charCodeAt(0) - 97);
  return masks;
})();

/** Test totals, build results, exit codes (words in paths and URLs do not count). */
export function isSummary(msg: string): boolean {
  const n = msg.length;
  // Paths and URLs (`tests/test_api.py::test_x PASSED`) name things; they hold no totals:
  // `spans` are the other tokens.
  const spans: number[] = [];
  let digit = false;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(msg.charCodeAt(i))) i++;
    if (i >= n) break;
    const s = i;
    let path = false;
    let d = false;
    while (i < n && !isBlank(msg.charCodeAt(i))) {
      const c = msg.charCodeAt(i);
      if (c === C_SLASH || c === C_BACKSLASH) path = true;
      else if (isDigit(c)) d = true;
      i++;
    }
    if (!path) {
      spans.push(s, i);
      digit ||= d;
    }
  }
  // Without a digit only `build …` can match; with one, some summary word must occur (cheap
  // first tests: they only ever let through lines the word rules then decide).
  if (!digit) {
    if (!/build/i.test(msg)) return false;
  } else if (!SUMMARY_SUBSTRINGS.test(msg)) return false;
  const distinct: string[] = [];
  let prev: SummaryWord = W.Other;
  let words = 0;
  for (let t = 0; t < spans.length && words < 48; t += 2) {
    const e = spans[t + 1]!;
    i = spans[t]!;
    // A number inside a name (`test_values[13] PASSED`) counts nothing.
    let named = false;
    for (let k = i; k < e && !named; k++) named = isAlpha(msg.charCodeAt(k));
    while (i < e && words < 48) {
      if (!isAlnum(msg.charCodeAt(i))) {
        i++;
        continue;
      }
      const s = i;
      let allDigits = true;
      while (i < e && isAlnum(msg.charCodeAt(i))) {
        if (!isDigit(msg.charCodeAt(i))) allDigits = false;
        i++;
      }
      words++;
      const len = i - s;
      const c = msg.charCodeAt(s) | 0x20;
      const candidate = !allDigits && len >= 3 && len <= 10 && c >= 97 && (SUMMARY_INITIALS[len]! & (1 << (c - 97))) !== 0;
      // ASCII letters and digits only: toLowerCase is ASCII lowercase here.
      const lower = candidate ? msg.slice(s, i).toLowerCase() : '';
      const tag: SummaryWord = allDigits ? (named ? W.Other : W.Digits) : (SUMMARY_WORDS.get(lower) ?? W.Other);
      const p = prev;
      prev = tag;
      if (p === W.Build && (tag === W.BuildResult || lower === 'failed')) return true;
      if (!digit) continue;
      if ((p === W.Exit && tag === W.ExitKind) || tag === W.Exited || (p === W.Non && tag === W.Zero) || (p === W.Total && tag === W.Time) || (p === W.Digits && tag === W.Counted)) {
        return true;
      }
      const total = tag === W.TotalOnly || tag === W.Total || (tag === W.Counted && lower !== 'warning') || lower === 'succeeded';
      if (total && !distinct.includes(lower)) {
        distinct.push(lower);
        if (distinct.length === 2) return true;
      }
    }
  }
  return false;
}
