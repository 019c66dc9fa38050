// Why a kept line or item was kept, as far as the two texts tell. The engine reports what it
// dropped (markers, `omitted`) but not why it kept each line, so these reasons are inferred from
// the kept text by the same kinds of rule the compressors follow (errors and warnings first,
// then query hits, changes, the framing of errors, the first of each shape) and are labelled as
// inferred wherever they are shown.

import type { BlockKind } from '../index.js';
import type { JsonNode } from './json.js';

export const REASONS = [
  'error',
  'warning',
  'stack trace',
  'summary',
  'query hit',
  'change',
  'diff header',
  'outlier',
  'first of its file',
  'first or last',
  'context',
  'first of its category',
  'rare shape',
  'first of its shape',
  'budget filler',
  'lossless',
] as const;

export type Reason = (typeof REASONS)[number];

/** A sentence for each reason, for the report's legend. */
export const REASON_TEXT: Readonly<Record<Reason, string>> = {
  error: 'carries an error, failure, exception, fatal or non-2xx status',
  warning: 'carries a warning or deprecation',
  'stack trace': 'a stack frame or the cause line of a trace',
  summary: 'a result or summary line (tests run, build result, totals)',
  'query hit': 'contains a word of the query',
  change: 'an added or removed line of a diff',
  'diff header': 'a file or hunk header of a diff',
  outlier: 'holds the largest or smallest value of a numeric field',
  'first of its file': 'the first kept hit of its file',
  'first or last': 'the first or last line or item of the block',
  context: 'next to a change of a diff, or within a few lines of an error or stack trace',
  'first of its category': 'the first item with its value of a low-cardinality field',
  'rare shape': 'a line whose shape occurs at most twice in the block',
  'first of its shape': 'the first kept line of a frequent shape',
  'budget filler': 'kept because the budget had room',
  lossless: 'the block was re-encoded without dropping anything',
};

const ERROR_WORDS =
  /\b(errors?|err|exceptions?|fatal|fail|failed|failures?|failing|panic(?:ked)?|traceback|critical|crash(?:ed)?|denied|refused|unreachable|abort(?:ed)?|segmentation fault|timed out|killed|not found|no such file)\b/i;
const ERROR_STATUS = /\b(?:HTTP\/\d(?:\.\d)?|status(?:[ _]?code)?[=: ]+)\s*[45]\d\d\b|\bexit(?:ed)?(?: with)?(?: code| status)?[=: ]+[1-9]\d*\b/i;
const WARNING_WORDS = /\b(warn|warning|warnings|deprecat\w*)\b/i;
/** A level word near the start of a line decides before the words after it. */
const LEVEL = /^.{0,40}?\b(ERROR|FATAL|CRITICAL|SEVERE|WARN|WARNING)\b/;
/** `Failures: 0`, `errors in tests: 0`: a count of nothing is no error. */
const ZERO_COUNT = /\b(errors?|failures?|failed|failing|warnings?)\b[^,;:=\n]{0,24}[:=]\s*0(?![\d.])/gi;
const SUMMARY = /\b(tests? run:|\d+ (passed|failed|skipped|errors?)\b|BUILD (SUCCESS|FAILURE|FAILED)|total time|ran \d+ tests?)/i;
const STACK_LINE = /^\s+at\s|^\s*File "[^"]*", line \d+|^\s*\.\.\. \d+ more|^\s*Caused by:|^\s+#\d+\s/;
const DIFF_HEADER = /^(diff --git |index [0-9a-f]+\.\.|--- |\+\+\+ |@@ |new file mode|deleted file mode|rename (from|to) )/;

/** Lines after and before an error kept as its context by the log compressor. */
const CONTEXT_AFTER = 10;
const CONTEXT_BEFORE = 3;

/** A few function words a query term never is. */
const STOP = new Set(['the', 'and', 'for', 'with', 'what', 'why', 'how', 'are', 'was', 'were', 'this', 'that', 'from', 'which', 'who', 'our', 'any']);

/** The query's words worth matching: three letters or more, not function words. */
export function queryTerms(query: string | undefined): string[] {
  if (query === undefined) return [];
  return [...new Set((query.toLowerCase().match(/[a-z0-9_]{3,}/g) ?? []).filter((t) => !STOP.has(t)))];
}

const hasTerm = (text: string, terms: readonly string[]): boolean => {
  if (terms.length === 0) return false;
  const lower = text.toLowerCase();
  return terms.some((t) => lower.includes(t));
};

export function isErrorText(text: string): boolean {
  const level = LEVEL.exec(text)?.[1];
  if (level !== undefined) return !level.startsWith('WARN');
  const counted = text.replace(ZERO_COUNT, '');
  return ERROR_WORDS.test(counted) || ERROR_STATUS.test(counted);
}

const isWarningText = (text: string): boolean => LEVEL.exec(text)?.[1]?.startsWith('WARN') ?? WARNING_WORDS.test(text.replace(ZERO_COUNT, ''));

/** A line's shape: its numbers and hex runs replaced, so `took 12ms` and `took 48ms` are one shape. */
const shapeOf = (line: string): string => line.replace(/\b(?:0x)?[0-9a-f]*\d[0-9a-f]*\b/gi, '#').replace(/\s+/g, ' ').trim();

/** The path of a grep hit line (`path:12:` or `path-12-`). */
const hitPath = (line: string): string | undefined => /^(.+?)[:-]\d+[:-]/.exec(line)?.[1];

/** The reasons of a block's kept lines (`undefined` for lines not kept). */
export function lineReasons(lines: ReadonlyArray<{ text: string; fate: string }>, kind: BlockKind, query: string | undefined, lossless: boolean): Array<Reason | undefined> {
  const terms = queryTerms(query);
  const n = lines.length;
  const shapes = lines.map((l) => shapeOf(l.text));
  const shapeCount = new Map<string, number>();
  for (const s of shapes) shapeCount.set(s, (shapeCount.get(s) ?? 0) + 1);
  const troubled = lines.map((l) => isErrorText(l.text) || STACK_LINE.test(l.text));
  // Distance to the nearest error or stack line before (for context after it) and after.
  const nearError = new Array<boolean>(n).fill(false);
  troubled.forEach((t, k) => {
    if (!t) return;
    for (let j = Math.max(0, k - CONTEXT_BEFORE); j <= Math.min(n - 1, k + CONTEXT_AFTER); j++) nearError[j] = true;
  });
  const seenShapes = new Set<string>();
  const seenFiles = new Set<string>();
  return lines.map((l, k): Reason | undefined => {
    if (l.fate !== 'kept') return undefined;
    if (lossless) return 'lossless';
    const text = l.text;
    if (kind === 'diff') {
      if (DIFF_HEADER.test(text)) return 'diff header';
      if (/^[+-]/.test(text)) return 'change';
    }
    if (isErrorText(text)) return 'error';
    if (isWarningText(text)) return 'warning';
    if (STACK_LINE.test(text)) return 'stack trace';
    if (SUMMARY.test(text)) return 'summary';
    if (hasTerm(text, terms)) return 'query hit';
    if (kind === 'search') {
      const path = hitPath(text);
      if (path !== undefined && !seenFiles.has(path)) {
        seenFiles.add(path);
        return 'first of its file';
      }
    }
    if (kind === 'diff') return 'context';
    if (k === 0 || k === n - 1) return 'first or last';
    if (nearError[k]) return 'context';
    const shape = shapes[k]!;
    if ((shapeCount.get(shape) ?? 0) <= 2) return 'rare shape';
    if (!seenShapes.has(shape)) {
      seenShapes.add(shape);
      return 'first of its shape';
    }
    return 'budget filler';
  });
}

// ---- JSON items ----

const ERROR_KEY = /(^|[^a-z])(errors?|exceptions?|failures?|failed|fault|fatal|panic|traceback|stacktrace|crash(ed)?)([^a-z]|$)/i;
const SETTING_KEY = /(timeout|retry|retries|policy|config|threshold|limit|mode|enabled|handler|url|uri)$/i;
const STATE_KEY = /^(status|state|conclusion|result|outcome|level|severity|phase|health)$/i;
const FAILING_STATE = /^(fail|failed|failure|failing|error|errored|crashed|fatal|critical|timed_out|timeout|unhealthy|down)$/i;
const SUCCESS_KEY = /^(ok|success|succeeded|successful|passed|healthy)$/i;
const STATUS_KEY = /^(status|status_?code|statusCode|http_?status|code)$/i;
const EXIT_KEY = /^(exit_?code|exitCode|returncode|return_code|rc)$/i;

/** Whether a JSON value is "present": not null, false, 0, empty. */
const present = (n: JsonNode): boolean =>
  n.kind === 'object' || n.kind === 'array' ? (n.children?.length ?? 0) > 0 : n.value !== null && n.value !== false && n.value !== 0 && n.value !== '';

/** Whether one member says something failed: an error-named key with a value, a failing state, a 4xx/5xx status, a non-zero exit code. */
function failingMember(key: string, v: JsonNode): boolean {
  if (ERROR_KEY.test(key) && !SETTING_KEY.test(key) && present(v)) return true;
  if (SUCCESS_KEY.test(key) && v.value === false) return true;
  if (STATE_KEY.test(key) && typeof v.value === 'string' && FAILING_STATE.test(v.value)) return true;
  const num = typeof v.value === 'number' ? v.value : typeof v.value === 'string' && /^\d{3}$/.test(v.value) ? Number(v.value) : undefined;
  if (STATUS_KEY.test(key) && num !== undefined && Number.isInteger(num) && num >= 400 && num <= 599) return true;
  return EXIT_KEY.test(key) && typeof v.value === 'number' && v.value !== 0;
}

/** Whether an item carries error-class signal anywhere inside (walked without recursion). */
export function itemHasError(item: JsonNode): boolean {
  const work: JsonNode[] = [item];
  for (let node = work.pop(); node !== undefined; node = work.pop()) {
    if (node.kind === 'object') {
      for (let i = 0; i < node.keys!.length; i++) {
        if (failingMember(node.keys![i]!, node.children![i]!)) return true;
        work.push(node.children![i]!);
      }
    } else if (node.kind === 'array') {
      work.push(...node.children!);
    }
  }
  return false;
}

const itemHasTerm = (text: string, terms: readonly string[]): boolean => hasTerm(text, terms);

/** The reasons of the kept items of one array (`original` is the block's text). */
export function itemReasons(array: JsonNode, keptIndices: readonly number[], original: string, query: string | undefined): Map<number, Reason> {
  const items = array.children!;
  const terms = queryTerms(query);
  const out = new Map<number, Reason>();
  // Numeric fields of object items: which item holds each field's extremes.
  const extremes = new Set<number>();
  const categoryFirsts = new Set<number>();
  const fields = new Map<string, Array<[number, JsonNode]>>();
  items.forEach((item, i) => {
    if (item.kind !== 'object') return;
    item.keys!.forEach((k, c) => {
      const list = fields.get(k) ?? [];
      list.push([i, item.children![c]!]);
      fields.set(k, list);
    });
  });
  for (const values of fields.values()) {
    const numbers = values.filter(([, v]) => v.kind === 'number');
    if (items.length >= 8 && numbers.length >= items.length / 2) {
      let lo = numbers[0]!;
      let hi = numbers[0]!;
      for (const e of numbers) {
        if ((e[1].value as number) < (lo[1].value as number)) lo = e;
        if ((e[1].value as number) > (hi[1].value as number)) hi = e;
      }
      if (lo[1].value !== hi[1].value) extremes.add(lo[0]).add(hi[0]);
    }
    const strings = values.filter(([, v]) => v.kind === 'string');
    const distinct = new Set(strings.map(([, v]) => v.value));
    if (strings.length >= 20 && distinct.size >= 2 && distinct.size <= 12) {
      const seen = new Set<unknown>();
      for (const [i, v] of strings) {
        if (seen.has(v.value)) continue;
        seen.add(v.value);
        categoryFirsts.add(i);
      }
    }
  }
  for (const i of keptIndices) {
    const item = items[i]!;
    const text = original.slice(item.start, item.end);
    let reason: Reason;
    if (itemHasError(item)) reason = 'error';
    else if (itemHasTerm(text, terms)) reason = 'query hit';
    else if (extremes.has(i)) reason = 'outlier';
    else if (i === 0 || i === items.length - 1) reason = 'first or last';
    else if (categoryFirsts.has(i)) reason = 'first of its category';
    else reason = 'budget filler';
    out.set(i, reason);
  }
  return out;
}
