// Every omission marker's wording, in one place (twin of marker.rs).
// A marker is a text line, or a whole JSON string element, that begins with `[…` and ends with `…]`.

export const OPEN = '[…';
export const CLOSE = '…]';

/** `one` for a count of 1, else `many`. */
const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** True when `text` has the one recognisable marker form. */
export function isMarker(text: string): boolean {
  return text.startsWith(OPEN) && text.endsWith(CLOSE) && text.length >= OPEN.length + CLOSE.length;
}

/**
 * How many lines of the original a log marker line stands for (`[… 12 lines omitted …]`, `[… the
 * 3 lines above repeat 4 more times (12 lines) …]`, `[… the line above repeats 4 more times: 5 in
 * a row …]`): 0 for any other line.
 */
export function linesTold(text: string): number {
  if (!isMarker(text)) return 0;
  let rest = text.slice(OPEN.length);
  if (rest.startsWith(' ')) rest = rest.slice(1);
  const number = (s: string): [number, number] => {
    let d = 0;
    while (d < s.length && s.charCodeAt(d) >= 0x30 && s.charCodeAt(d) <= 0x39) d++;
    return [d === 0 ? 0 : Number(s.slice(0, d)), d];
  };
  if (rest.startsWith(LINE_REPEATS)) {
    const after = rest.slice(LINE_REPEATS.length);
    if (after.startsWith('once more')) return 1;
    const [more, d] = number(after);
    return after.slice(d).startsWith(' more times') ? more : 0;
  }
  if (rest.startsWith('the ')) {
    const after = rest.slice(4);
    const [period, d] = number(after);
    const tail = after.slice(d);
    if (tail.startsWith(' lines above repeat once more')) return period;
    const at = tail.indexOf(' more times (');
    return at < 0 ? 0 : number(tail.slice(at + ' more times ('.length))[0];
  }
  const [n, d] = number(rest);
  return d > 0 && rest.slice(d).startsWith(' line') ? n : 0;
}

/** A marker that speaks of the lines above it (a repeat): it reads right only right after them. */
export function refersAbove(text: string): boolean {
  return isMarker(text) && text.startsWith(`${OPEN} the `);
}

/** True when some line of `text` is a marker: the text is compressed output. */
export function hasMarkerLine(text: string): boolean {
  return text.includes(OPEN) && text.split('\n').some((l) => isMarker(l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** A dropped run of JSON array items, as one string element in the run's place. */
export function jsonItemsOmitted(count: number, summary: string): string {
  const noun = plural(count, 'item', 'items');
  return summary === '' ? `${OPEN} ${count} ${noun} omitted ${CLOSE}` : `${OPEN} ${count} ${noun} omitted: ${summary} ${CLOSE}`;
}

/** Appended to the kept prefix of a cut JSON string: the string's full length. */
export function jsonStringCut(totalBytes: number): string {
  return `${OPEN} string cut: ${totalBytes} bytes in full ${CLOSE}`;
}

/** One value's count in a JSON run summary: `ok×37`. */
export function jsonValueCount(value: string, count: number): string {
  return `${value}×${count}`;
}

/** A range in a JSON run summary, from the original texts of its ends: `12–48`. */
export function jsonRange(min: string, max: string): string {
  return min === max ? min : `${min}–${max}`;
}

/** An unnamed position of tuple rows (`[ts, value]` items) in a JSON run summary: `[1]`. */
export function jsonPosition(position: number): string {
  return `[${position}]`;
}

/** How many values a JSON run summary leaves unnamed: `+3 more`. */
export function jsonMoreValues(count: number): string {
  return `+${count} more`;
}

/** Kinds of JSON values, in the order of the tape's `Kind`, for a run summary with no field to describe: `objects×12`. */
export const JSON_KINDS = ['nulls', 'false', 'true', 'numbers', 'strings', 'arrays', 'objects'] as const;

/** After a reduced TOON array's header, whose count is what the reader gets: how many items the array has in full, `[… 682 items in all …]` (the header already says how many are shown). */
export function jsonItemsInAll(total: number): string {
  return `${OPEN} ${total} items in all ${CLOSE}`;
}

// ---- Logs ----

const LINE_REPEATS = 'the line above repeats ';

/** `once more`, `4 more times`. */
const moreTimes = (more: number): string => (more === 1 ? 'once more' : `${more} more times`);

/** On its own line after a line that stood `n` (≥ 2) times in a row: `[… the line above repeats 4 more times: 5 in a row …]`. */
export function lineRepeats(n: number): string {
  return `${OPEN} ${LINE_REPEATS}${moreTimes(n - 1)}: ${n} in a row ${CLOSE}`;
}

/**
 * On its own line after the kept occurrence of a signal line (standing `here` times in a row)
 * whose other occurrences were dropped: it occurred `total` times in all (the dropped ones are
 * counted by the markers where they stood).
 */
export function lineInAll(here: number, total: number): string {
  if (here === 1) return `${OPEN} the line above occurs ${total} times in all ${CLOSE}`;
  return `${OPEN} ${LINE_REPEATS}${moreTimes(here - 1)}: ${here} in a row, ${total} in all ${CLOSE}`;
}

/** A template standing for `n` lines; `body` is the first line with its variable fields replaced by slots. */
export function templateLine(n: number, body: string): string {
  return `${OPEN} ${n} lines like: ${body} ${CLOSE}`;
}

/** A numeric field's range in a template. */
export function slotRange(min: string, max: string): string {
  return `{${min}–${max}}`;
}

/** A field's first and last value in a template. */
export function slotSpan(first: string, last: string): string {
  return `{${first} … ${last}}`;
}

/** The `period` lines above repeat `more` more times. */
export function blockRepeat(period: number, more: number): string {
  if (more === 1) return `${OPEN} the ${period} lines above repeat once more ${CLOSE}`;
  return `${OPEN} the ${period} lines above repeat ${more} more times (${period * more} lines) ${CLOSE}`;
}

/** Dropped log lines; `parts` summarise them (level counts, time span, most common template). */
export function linesOmitted(n: number, parts: readonly string[]): string {
  const unit = plural(n, 'line', 'lines');
  if (parts.length === 0) return `${OPEN} ${n} ${unit} omitted ${CLOSE}`;
  return `${OPEN} ${n} ${unit} omitted: ${parts.join('; ')} ${CLOSE}`;
}

/** Level counts of dropped lines: `398 INFO, 14 DEBUG`. */
export function levelCounts(counts: ReadonlyArray<readonly [number, string]>): string {
  return counts.map(([n, name]) => `${n} ${name}`).join(', ');
}

export function timeSpan(first: string, last: string): string {
  return first === last ? `at ${first}` : `${first} … ${last}`;
}

export function mostCommon(template: string, n: number): string {
  return `most common "${template}" ×${n}`;
}

/**
 * A template a marker names, with its count in the run and, when it differs, in the block:
 * `"session opened for user <*>" ×3 (40 in all)`.
 */
export function templateCount(template: string, here: number, total: number): string {
  return here === total ? `"${template}" ×${here}` : `"${template}" ×${here} (${total} in all)`;
}

/** The templates a dropped run holds that no kept line shows: named ones, then how many more. */
export function templatesNamed(names: readonly string[], more: number): string {
  if (names.length === 0) return `${more} other ${plural(more, 'template', 'templates')}`;
  let s = plural(names.length + more, 'template ', 'templates ') + names.join(', ');
  if (more > 0) s += `, ${more} more`;
  return s;
}

/** What a dropped run of blank lines is. */
export function blankLines(): string {
  return 'blank';
}

export function repeatedSignalLines(n: number): string {
  return n === 1 ? '1 repeat of a kept line' : `${n} repeats of kept lines`;
}

/** `Omission.summary` for lines folded into template lines. */
export function templatedSummary(templates: number): string {
  return `folded into ${templates} ${plural(templates, 'template line', 'template lines')}`;
}

/** `Omission.summary` for a log block's dropped lines. */
export function logOmissionSummary(levels: string, markers: number): string {
  const places = plural(markers, 'place', 'places');
  return levels.length === 0 ? `in ${markers} ${places}` : `${levels} in ${markers} ${places}`;
}

// ---- Metric series ----

/**
 * An omitted run of `timestamp,value` rows: its value range and time span,
 * `[… 412 rows omitted: value 3.1–7.9, 2014-02-14 10:00 – 2014-02-17 08:55 …]`.
 */
export function metricRowsOmitted(n: number, name: string, min: string, max: string, first: string, last: string): string {
  const unit = plural(n, 'row', 'rows');
  const span = first === last ? `at ${first}` : `${first} – ${last}`;
  return `${OPEN} ${n} ${unit} omitted: ${name} ${jsonRange(min, max)}, ${span} ${CLOSE}`;
}

/** `Omission.summary` for a metric series' omitted rows. */
export function metricOmissionSummary(markers: number): string {
  return `in ${markers} ${plural(markers, 'place', 'places')}`;
}

// ---- Search hits ----

/** How many line ranges a search marker names before it says how many more matches there are. */
export const SEARCH_RANGES = 8;
/** Matches at most this many lines apart share a range in a search marker. */
export const SEARCH_RANGE_GAP = 20;

/**
 * Where dropped matches were, compactly: their line numbers (in the order grep printed them),
 * those at most `SEARCH_RANGE_GAP` lines apart as one range from the first to the last, at most
 * `SEARCH_RANGES` ranges and then how many more matches: `lines 120–188, 240 and 6 more`.
 */
export function matchLines(lines: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < lines.length && parts.length < SEARCH_RANGES) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1]! >= lines[j]! && lines[j + 1]! - lines[j]! <= SEARCH_RANGE_GAP) j++;
    parts.push(lines[j] === lines[i] ? `${lines[i]}` : `${lines[i]}–${lines[j]}`);
    i = j + 1;
  }
  const listed = parts.join(', ');
  const single = parts.length === 1 && i === lines.length && !listed.includes('–');
  const at = `${single ? 'line' : 'lines'} ${listed}`;
  return i < lines.length ? `${at} and ${lines.length - i} more` : at;
}

/**
 * Dropped hits inside one file's group: how many matches (and where, `matchLines`) and how many
 * context lines, `[… 3 matches and 4 context lines omitted: matches in lines 120–126, 240 …]`.
 */
export function searchOmitted(matches: readonly number[], context: number): string {
  const n = matches.length;
  const c = plural(context, 'context line', 'context lines');
  if (n === 0) return `${OPEN} ${context} ${c} omitted ${CLOSE}`;
  const m = plural(n, 'match', 'matches');
  if (context === 0) return `${OPEN} ${n} ${m} omitted in ${matchLines(matches)} ${CLOSE}`;
  return `${OPEN} ${n} ${m} and ${context} ${c} omitted: ${m} in ${matchLines(matches)} ${CLOSE}`;
}

/** `Omission.summary` for dropped matches. */
export function searchOmissionSummary(files: number): string {
  return `in ${files} ${plural(files, 'file', 'files')}`;
}

// ---- Diffs ----

/** Unchanged context lines folded away inside a hunk. */
export function unchangedLines(n: number): string {
  return `${OPEN} ${n} unchanged ${plural(n, 'line', 'lines')} ${CLOSE}`;
}

/**
 * Unchanged context lines folded away between shown lines of a hunk, with the old and the new
 * file's number of the first of them in a hunk header's notation, so the lines after it are
 * located: `[… 10 unchanged lines at -128 +131 …]`.
 */
export function unchangedRange(n: number, oldFrom: number, newFrom: number): string {
  return `${OPEN} ${n} unchanged ${plural(n, 'line', 'lines')} at -${oldFrom} +${newFrom} ${CLOSE}`;
}

/** The hunks of a machine-written file (`what`: lockfile, generated file, vendored file), summarised. */
export function fileChangesSummary(name: string, what: string, hunks: number, added: number, removed: number, lines: number): string {
  const h = plural(hunks, 'hunk', 'hunks');
  return `${OPEN} ${name}: ${what} changes omitted, ${added} lines added and ${removed} removed in ${hunks} ${h} (${lines} lines) ${CLOSE}`;
}

/**
 * A format-patch mail's diffstat lines (one per file), above the budget: the changes they count
 * are all shown, or counted by their files' summaries.
 */
export function diffstat(n: number): string {
  return `${OPEN} ${n} diffstat ${plural(n, 'line', 'lines')} ${CLOSE}`;
}

/** A file renamed with its content unchanged, its whole section as one line. */
export function renamedFile(from: string, to: string): string {
  return `${OPEN} renamed ${from} → ${to} ${CLOSE}`;
}

/** A deleted file, its whole section as one line: how many lines it had, or that it was binary. */
export function deletedFile(name: string, removed: number, binary: boolean): string {
  if (binary) return `${OPEN} deleted ${name} (binary) ${CLOSE}`;
  return `${OPEN} deleted ${name}: ${removed} ${plural(removed, 'line', 'lines')} removed ${CLOSE}`;
}

/** The data lines of a `GIT binary patch`. */
export function binaryPatch(n: number): string {
  return `${OPEN} ${n} ${plural(n, 'line', 'lines')} of binary patch data ${CLOSE}`;
}

/** `Omission.summary` for the hunks of summarised files (`what`: lockfile, generated file, vendored file). */
export function summarisedFilesOmission(files: number, what: string): string {
  return `in ${files} ${what}${files === 1 ? '' : 's'}`;
}

/** `Omission.summary` for pure renames, each shown as one line. */
export function renamesOmission(): string {
  return 'pure renames, one line each';
}

/** `Omission.summary` for the lines of deleted files. */
export function deletedFilesOmission(files: number): string {
  return `of ${files} deleted ${plural(files, 'file', 'files')}`;
}

// ---- Opaque data and the budget's cut ----

/** Between the head and the tail of opaque data: what it is, its size and what was left out. */
export function opaqueOmitted(what: string, bytes: number, lines: number, omitted: number): string {
  return `${OPEN} ${what}, ${bytes} bytes in ${lines} ${plural(lines, 'line', 'lines')}: ${omitted} bytes omitted between head and tail ${CLOSE}`;
}

/** Lines cut by position where a block stayed far above its budget (`errors` of them error lines). */
export function linesCut(n: number, errors: number): string {
  const unit = plural(n, 'line', 'lines');
  return errors === 0 ? `${OPEN} ${n} ${unit} cut to fit the token budget ${CLOSE}` : `${OPEN} ${n} ${unit} cut to fit the token budget, ${errors} of them with errors ${CLOSE}`;
}

/** `Omission.summary` for lines cut to the budget. */
export function cutSummary(places: number): string {
  return `cut by position to fit the budget in ${places} ${plural(places, 'place', 'places')}`;
}
