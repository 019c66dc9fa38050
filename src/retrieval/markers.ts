// Every word retrieval adds to what the model reads, in one place: the note a retrievable block's
// marker carries, the tool's description, and the answers to its calls. Notes and tails keep the
// one marker form (a text that begins with `[…` and ends with `…]`).

export const RETRIEVE_TOOL_NAME = 'headroom_retrieve';

const OPEN = '[…';
const CLOSE = '…]';

/**
 * The note on a retrievable block's first marker: `[… 412 lines omitted: 398 INFO, 14 DEBUG ·
 * headroom_retrieve key=hr_… …]`. Later markers of the block carry nothing: the key, named once,
 * is the whole block's, and each repetition would cost about 14 tokens.
 */
export function retrievalNote(key: string): string {
  return ` · ${RETRIEVE_TOOL_NAME} key=${key}`;
}

export const TOOL_DESCRIPTION =
  `Reads back what headroom left out of a compressed tool result: a marker ending in ` +
  `\`· ${RETRIEVE_TOOL_NAME} key=hr_… …]\` names the key of its whole block. Without query: the original text, ` +
  `a page of lines at a time; a last line \`[… N more lines … offset=… …]\` gives the next offset. With query: ` +
  `the lines (JSON: array items) containing every word, case-insensitive (a|b: either), with line numbers (JSON: paths).`;

export const PARAMETER_DESCRIPTIONS = {
  key: 'The key a marker names, e.g. hr_3f2a9c0d1b7e4g5h.',
  query: 'Words that every returned line (JSON: item) contains.',
  offset: 'Lines (with query: matches) to skip. A line over 4000 characters counts once per 4000.',
  limit: 'Most lines (with query: matches) to return; default 200 (50).',
} as const;

// ---- Answers ----

const count = (n: number): string => String(n);
const lines = (n: number): string => (n === 1 ? 'line' : 'lines');
const matches = (n: number): string => (n === 1 ? 'match' : 'matches');

/** The last line of a page that is not the last: where the rest is. Never part of the block. */
export function moreLines(key: string, remaining: number, nextOffset: number, total: number): string {
  return `${OPEN} ${count(remaining)} more ${lines(remaining)} (${nextOffset + 1}–${total} of ${total}): ${RETRIEVE_TOOL_NAME} key=${key} offset=${nextOffset} ${CLOSE}`;
}

export function pastTheEnd(key: string, offset: number, total: number): string {
  return `Block ${key} has ${count(total)} ${lines(total)}; offset=${offset} is past its end.`;
}

/** First line of a query answer. */
export function queryHeader(found: number, total: number, unit: 'line' | 'item', query: string, key: string): string {
  const of = unit === 'line' ? `${count(total)} ${lines(total)}` : `${count(total)} ${total === 1 ? 'item' : 'items'}`;
  if (found === 0) return `No ${unit} of block ${key} (${of}) matches ${JSON.stringify(query)}.`;
  return `${count(found)} of ${of} in block ${key} ${found === 1 ? 'matches' : 'match'} ${JSON.stringify(query)}:`;
}

/** The last line of a query answer that does not show every match. */
export function moreMatches(key: string, query: string, remaining: number, nextOffset: number): string {
  return `${OPEN} ${count(remaining)} more ${matches(remaining)}: ${RETRIEVE_TOOL_NAME} key=${key} query=${JSON.stringify(query)} offset=${nextOffset} ${CLOSE}`;
}

/** Past the offset of a query answer: no match left to show. */
export function noMoreMatches(found: number, offset: number): string {
  return `${OPEN} offset=${offset} is past the last of ${count(found)} ${matches(found)} ${CLOSE}`;
}

/** Appended to a matching line or item shown cut: its full length and how to read it whole. */
export function cutShort(totalChars: number, how: string): string {
  return ` ${OPEN} cut: ${count(totalChars)} characters in full; ${how} ${CLOSE}`;
}

export function readLine(key: string, lineNumber: number): string {
  return `read it with key=${key} offset=${lineNumber - 1} limit=1`;
}

export const READ_ITEM_WHOLE = 'page through the block without query to read it whole';

export function unknownKey(key: string): string {
  return (
    `Nothing is stored under key=${key}: it has expired or was never stored. ` +
    `Work from the compressed block as shown, or run the tool that produced it again.`
  );
}

export function storeUnavailable(key: string, reason: string): string {
  return `The content under key=${key} cannot be read right now (${reason}). Work from the compressed block as shown, or try again later.`;
}

export function invalidCall(problem: string): string {
  return `Invalid ${RETRIEVE_TOOL_NAME} call: ${problem}. Pass the key from a marker, e.g. {"key":"hr_3f2a9c0d1b7e4g5h"}.`;
}
