// Line-needle retention, as the corpus README defines it: a line needle counts as present when
// its text, after removing ANSI escape sequences and a leading timestamp and collapsing runs of
// whitespace, occurs in the output normalised the same way. Marker text (`[…` … `…]`) is ignored
// when looking for needles. Ground-truth line numbers are 1-based after splitting on `\n`,
// `\r\n` and lone `\r` (universal newlines).
//
// Written independently of the engines (plain regular expressions), so it can judge them.

const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]+[0-~]?|[0-~])?/g;
const LEADING_TIMESTAMP = new RegExp(
  '^\\s*\\[?(?:' +
    [
      '\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}(?:[T _]\\d{1,2}:\\d{2}(?::\\d{2})?(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?)?', // ISO-ish
      '\\d{2}[-/]\\d{2}(?:[-/]\\d{2})? \\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?', // 17/06/09 20:10:40, 03-17 16:13:38.811
      '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2}(?: \\d{4})?', // ctime
      '[A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2}', // syslog
      '\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?', // time of day
    ].join('|') +
    ')\\]?(?=\\s|$)',
);
const MARKER_TEXT = /\[….*?…\]/g;

/** Splits on `\r\n`, `\n` and lone `\r`, as the ground truth numbers lines. */
export function universalLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** A needle or output line as compared: no ANSI, no leading timestamp, whitespace runs collapsed. */
export function normaliseLine(line: string): string {
  return line.replace(ANSI, '').replace(LEADING_TIMESTAMP, '').replace(/\s+/g, ' ').trim();
}

/** The output as needles are looked for in it: markers removed, every line normalised. */
export function searchableOutput(output: string): string {
  return universalLines(output)
    .map((l) => normaliseLine(l.replace(MARKER_TEXT, ' ')))
    .join('\n');
}

export interface GroundTruth {
  /** The log flavour (first line of the file). */
  flavour: string;
  /** 1-based error line numbers. */
  error: number[];
  /** 1-based context line numbers. */
  context: number[];
}

/** Parses a corpus `groundtruth` file (`E 34-45`, `C 33`, …). */
export function parseGroundTruth(text: string): GroundTruth {
  const [flavour = '', ...rest] = text.split(/\r?\n/);
  const gt: GroundTruth = { flavour: flavour.trim(), error: [], context: [] };
  for (const row of rest) {
    const m = /^\s*([EC])\s+(\d+)(?:-(\d+))?\s*$/.exec(row);
    if (m === null) continue;
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    for (let k = from; k <= to; k++) (m[1] === 'E' ? gt.error : gt.context).push(k);
  }
  return gt;
}

export interface Retention {
  total: number;
  present: number;
  /** 1-based numbers of the needles not found. */
  missing: number[];
}

/**
 * How many of the given input lines (1-based, universal newlines) are present in `output`.
 * A needle that normalises to nothing (a blank line) cannot go missing and counts as present.
 */
export function lineRetention(input: string, output: string, lineNumbers: readonly number[]): Retention {
  const lines = universalLines(input);
  const haystack = searchableOutput(output);
  const missing: number[] = [];
  for (const k of lineNumbers) {
    const needle = normaliseLine(lines[k - 1] ?? '');
    if (needle.length > 0 && !haystack.includes(needle)) missing.push(k);
  }
  return { total: lineNumbers.length, present: lineNumbers.length - missing.length, missing };
}
