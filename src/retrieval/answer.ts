// Answering a `headroom_retrieve` call from a store: a page of the original block, exactly as it
// was, or the lines (in a JSON block, the array items) that match a query, with their positions.
// Every answer is bounded, and nothing the model sends can make it throw: a bad call, an unknown or
// expired key and an unreachable store each get a plain answer the model can act on.

import { isObj } from '../messages/types.js';
import { decodeRecord, KEY_PATTERN, type StoredBlock } from './key.js';
import { compactJson, jsonItems } from './items.js';
import {
  cutShort,
  invalidCall,
  moreLines,
  moreMatches,
  noMoreMatches,
  pastTheEnd,
  queryHeader,
  READ_ITEM_WHOLE,
  readLine,
  RETRIEVE_TOOL_NAME,
  storeUnavailable,
  unknownKey,
} from './markers.js';
import type { Store } from './store.js';

/** The arguments of a `headroom_retrieve` call. */
export interface RetrieveInput {
  /** The key a marker names (`hr_…`). */
  key: string;
  /** Words to look for: only the lines (JSON: array items) holding all of them come back. */
  query?: string;
  /** Lines to skip (with `query`: matches to skip). */
  offset?: number;
  /** Most lines (with `query`: matches) to return. */
  limit?: number;
}

/** An Anthropic `tool_use` block calling the tool. */
export interface RetrievalToolUse {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** An OpenAI chat tool call calling the tool. */
export interface RetrievalToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** What `retrieve` answers: the arguments themselves, a `tool_use` block, or an OpenAI tool call. */
export type RetrievalCall = RetrieveInput | RetrievalToolUse | RetrievalToolCall;

/** The reply to a `tool_use` block. */
export interface RetrievalToolResult {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: true;
}

/** The reply to an OpenAI tool call. */
export interface RetrievalToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

export interface RetrievalAnswer {
  /**
   * `ok`: content or matches (or none); `unknown`: nothing under the key (expired, evicted, never
   * stored); `invalid`: the call's arguments are wrong; `unavailable`: the store could not be read.
   */
  status: 'ok' | 'unknown' | 'invalid' | 'unavailable';
  /** What the model reads. */
  text: string;
  /** The key asked for, when the call named one. */
  key?: string;
  /** The reply to send back, when the call was a `tool_use` block or an OpenAI tool call. */
  reply?: RetrievalToolResult | RetrievalToolMessage;
}

/** A line longer than this counts as one line per this many characters (so a page stays bounded). */
export const ROW_CHARS = 4000;
/** Most characters of block text in one answer (about 6 000 tokens). */
export const PAGE_CHARS = 24_000;
/** Most characters of one matching line or item shown. */
const MATCH_CHARS = 2000;
/** A JSON item larger than this that holds arrays is searched by the items of those arrays. */
const ITEM_CHARS = 2000;
const DEFAULT_LINES = 200;
const DEFAULT_MATCHES = 50;
const MAX_LIMIT = 1000;

/** True when `call` is a `tool_use` block or an OpenAI tool call of `headroom_retrieve`. */
export function isRetrievalCall(call: unknown): call is RetrievalToolUse | RetrievalToolCall {
  if (!isObj(call)) return false;
  if (call['type'] === 'tool_use') return call['name'] === RETRIEVE_TOOL_NAME;
  const fn = call['function'];
  return isObj(fn) && fn['name'] === RETRIEVE_TOOL_NAME;
}

/**
 * Answers a `headroom_retrieve` call from `store`. Never throws: every problem is an answer.
 *
 * @example
 * ```ts
 * import { retrieve, RedisStore } from 'headroom-ai';
 * const answer = await retrieve(store, toolUseBlock); // answer.reply: the tool_result block to send back
 * ```
 */
export function retrieve(store: Store, call: RetrievalToolUse): Promise<RetrievalAnswer & { reply: RetrievalToolResult }>;
export function retrieve(store: Store, call: RetrievalToolCall): Promise<RetrievalAnswer & { reply: RetrievalToolMessage }>;
export function retrieve(store: Store, call: RetrievalCall): Promise<RetrievalAnswer>;
export async function retrieve(store: Store, call: RetrievalCall): Promise<RetrievalAnswer> {
  const { input, reply } = unwrap(call);
  const answer = await answerInput(store, input);
  if (reply === undefined) return answer;
  return { ...answer, reply: reply(answer) };
}

/**
 * The original block stored under `key`, whole, or undefined when the store does not hold it (a
 * store that fails rejects). For a server's `GET /v1/retrieve/:key`; the model goes through `retrieve`.
 *
 * @example
 * ```ts
 * import { readOriginal } from 'headroom-ai';
 * const original = await readOriginal(store, 'hr_3f2a9c0d1b7e4g5h');
 * ```
 */
export async function readOriginal(store: Store, key: string): Promise<string | undefined> {
  if (!KEY_PATTERN.test(key)) return undefined;
  const record = await store.get(key);
  return record === undefined ? undefined : decodeRecord(record)?.content;
}

type Reply = (answer: RetrievalAnswer) => RetrievalToolResult | RetrievalToolMessage;

function unwrap(call: unknown): { input: unknown; reply?: Reply } {
  if (!isObj(call)) return { input: call };
  if (call['type'] === 'tool_use' && typeof call['id'] === 'string') {
    const id = call['id'];
    const input = call['name'] === RETRIEVE_TOOL_NAME ? call['input'] : new NotOurs(call['name']);
    return {
      input,
      reply: (a) => ({ type: 'tool_result', tool_use_id: id, content: a.text, ...(a.status === 'invalid' ? { is_error: true as const } : {}) }),
    };
  }
  const fn = call['function'];
  if (isObj(fn) && typeof call['id'] === 'string') {
    const id = call['id'];
    let input: unknown = new NotOurs(fn['name']);
    if (fn['name'] === RETRIEVE_TOOL_NAME) {
      try {
        input = typeof fn['arguments'] === 'string' ? (JSON.parse(fn['arguments']) as unknown) : fn['arguments'];
      } catch {
        input = new Unreadable();
      }
    }
    return { input, reply: (a) => ({ role: 'tool', tool_call_id: id, content: a.text }) };
  }
  return { input: call };
}

class NotOurs {
  constructor(readonly name: unknown) {}
}
class Unreadable {}

async function answerInput(store: Store, input: unknown): Promise<RetrievalAnswer> {
  const invalid = (problem: string, key?: string): RetrievalAnswer => ({ status: 'invalid', text: invalidCall(problem), ...(key === undefined ? {} : { key }) });
  if (input instanceof NotOurs) return invalid(`this answers ${RETRIEVE_TOOL_NAME} calls, not ${JSON.stringify(input.name)}`);
  if (input instanceof Unreadable) return invalid('the arguments are not JSON');
  if (!isObj(input)) return invalid('the arguments must be an object');
  const rawKey = input['key'];
  if (typeof rawKey !== 'string' || rawKey.trim() === '') return invalid('key is missing');
  const key = rawKey.trim();
  const query = input['query'];
  if (query !== undefined && query !== null && typeof query !== 'string') return invalid('query must be a string', key);
  const offset = whole(input['offset'], 0);
  if (offset === undefined) return invalid('offset must be a whole number ≥ 0', key);
  const limit = whole(input['limit'], 1);
  if (limit === undefined) return invalid('limit must be a whole number ≥ 1', key);
  if (!KEY_PATTERN.test(key)) return { status: 'unknown', key, text: unknownKey(key) };
  let record: string | undefined;
  try {
    record = await store.get(key);
  } catch (err) {
    return { status: 'unavailable', key, text: storeUnavailable(key, err instanceof Error ? err.message : String(err)) };
  }
  const block = record === undefined ? undefined : decodeRecord(record);
  if (block === undefined) return { status: 'unknown', key, text: unknownKey(key) };
  const terms = typeof query === 'string' ? queryTerms(query) : [];
  if (terms.length === 0) return page(block, key, offset ?? 0, Math.min(limit ?? DEFAULT_LINES, MAX_LIMIT));
  return search(block, key, query as string, terms, offset ?? 0, Math.min(limit ?? DEFAULT_MATCHES, MAX_LIMIT));
}

/** A whole number ≥ `min` (a numeric string too; a fraction rounds down); null or absent → null. */
function whole(value: unknown, min: number): number | null | undefined {
  if (value === undefined || value === null) return null;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  const floored = Math.floor(n);
  return floored >= min ? floored : undefined;
}

// ---- Pages ----

/** The block's lines, each with its terminator, a line longer than ROW_CHARS split in rows. */
interface Rows {
  /** Start of each row, then the text's length. */
  starts: number[];
  /** For each line (universal newlines: \n, \r\n or a lone \r): its first row and its end without terminator. */
  lines: { row: number; start: number; end: number }[];
}

function rows(text: string): Rows {
  const starts: number[] = [];
  const lines: Rows['lines'] = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++;
    let next = end;
    if (next < text.length) next += text.charCodeAt(next) === 0x0d && text.charCodeAt(next + 1) === 0x0a ? 2 : 1;
    lines.push({ row: starts.length, start, end });
    for (let at = start; at < next; ) {
      starts.push(at);
      let cut = Math.min(at + ROW_CHARS, next);
      // Never between the halves of a surrogate pair.
      if (cut < next && (text.charCodeAt(cut) & 0xfc00) === 0xdc00 && (text.charCodeAt(cut - 1) & 0xfc00) === 0xd800) cut--;
      at = cut;
    }
    start = next;
  }
  starts.push(text.length);
  return { starts, lines };
}

function page(block: StoredBlock, key: string, offset: number, limit: number): RetrievalAnswer {
  const { starts } = rows(block.content);
  const total = starts.length - 1;
  if (offset >= total && !(offset === 0 && total === 0)) return { status: 'invalid', key, text: pastTheEnd(key, offset, total) };
  let end = offset;
  while (end < total && end - offset < limit && (end === offset || starts[end + 1]! - starts[offset]! <= PAGE_CHARS)) end++;
  const text = block.content.slice(starts[offset]!, starts[end]!);
  if (end === total) return { status: 'ok', key, text };
  return { status: 'ok', key, text: `${text}\n${moreLines(key, total - end, end, total)}` };
}

// ---- Queries ----

/** Each term: its alternatives (`a|b`), ASCII-lower-cased. */
function queryTerms(query: string): string[][] {
  return query
    .split(/[ \t\n\r]+/)
    .map((term) => term.split('|').filter((alt) => alt !== '').map(fold))
    .filter((alts) => alts.length > 0);
}

const fold = (text: string): string => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

function matchesAll(text: string, terms: readonly string[][]): boolean {
  const folded = fold(text);
  return terms.every((alts) => alts.some((alt) => folded.includes(alt)));
}

interface Match {
  /** `1203: ` or `$[17] ` */
  label: string;
  text: string;
  /** How to read the whole of it when it is shown cut. */
  whole: string;
}

function search(block: StoredBlock, key: string, query: string, terms: readonly string[][], offset: number, limit: number): RetrievalAnswer {
  const content = block.content;
  let found: Match[];
  let total: number;
  let unit: 'line' | 'item';
  const items = block.kind === 'json' ? jsonItems(content, ITEM_CHARS) : undefined;
  if (items !== undefined) {
    unit = 'item';
    total = items.length;
    found = [];
    for (const item of items) {
      const text = compactJson(content, item.start, item.end);
      if (matchesAll(text, terms)) found.push({ label: `${item.path()} `, text, whole: READ_ITEM_WHOLE });
    }
  } else {
    unit = 'line';
    const { lines } = rows(content);
    total = lines.length;
    found = [];
    for (const line of lines) {
      const text = content.slice(line.start, line.end);
      if (matchesAll(text, terms)) found.push({ label: `${line.row + 1}: `, text, whole: readLine(key, line.row + 1) });
    }
  }
  const header = queryHeader(found.length, total, unit, query, key);
  if (found.length === 0) return { status: 'ok', key, text: header };
  if (offset >= found.length) return { status: 'ok', key, text: `${header}\n${noMoreMatches(found.length, offset)}` };
  const out = [header];
  let chars = 0;
  let shown = offset;
  while (shown < found.length && shown - offset < limit) {
    const m = found[shown]!;
    const text = m.text.length > MATCH_CHARS ? m.text.slice(0, cutAt(m.text, MATCH_CHARS)) + cutShort(m.text.length, m.whole) : m.text;
    if (shown > offset && chars + text.length > PAGE_CHARS) break;
    out.push(m.label + text);
    chars += text.length;
    shown++;
  }
  if (shown < found.length) out.push(moreMatches(key, query, found.length - shown, shown));
  return { status: 'ok', key, text: out.join('\n') };
}

/** `at`, moved back one unit when it would split a surrogate pair. */
function cutAt(text: string, at: number): number {
  return (text.charCodeAt(at) & 0xfc00) === 0xdc00 && (text.charCodeAt(at - 1) & 0xfc00) === 0xd800 ? at - 1 : at;
}
