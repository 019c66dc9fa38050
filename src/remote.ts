// Remote mode: compress through a headroom-compatible server, the protocol of the original
// Headroom proxy: `POST {baseUrl}/v1/compress` with `{ messages (OpenAI format), model }`, answered
// with `{ messages, tokens_before, tokens_after, tokens_saved, compression_ratio, transforms_applied }`.
//
// A server is trusted with tool output only: its answer is laid over the caller's messages, so
// every other block (assistant turns, thinking signatures, images, cache_control, ids) stays the
// caller's own, and a tool result or user text that did not get smaller is not replaced. An answer
// that changes the conversation's shape is refused, and the caller falls back to in-process.
//
// A server with retrieval on names a key in each lossy block's markers (`ccr_hashes` lists them).
// A marker never names a tool the model does not have: unless the caller offers `headroom_retrieve`
// (`keepKeys`), the notes are taken out of what the server sent. `RemoteStore` reads originals back
// through the server's `GET /v1/retrieve/:key`, so `retrieve(new RemoteStore(url), call)` answers
// the model's calls from any instance that shares the server's store.

import { countTokens } from './tokens.js';
import { anthropicToOpenAI, openAIToAnthropic } from './messages/convert.js';
import { isObj, type AnthropicBlock, type AnthropicMessage, type Obj, type OpenAIMessage } from './messages/types.js';
import { encodeRecord, KEY_PATTERN } from './retrieval/key.js';
import { RETRIEVE_TOOL_NAME } from './retrieval/markers.js';
import type { Store } from './retrieval/store.js';
import type { BlockKind } from './engine/types.js';

export interface RemoteResult {
  messages: AnthropicMessage[];
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  transformsApplied: string[];
  /** With `keepKeys`: the retrieval keys the markers name (the server's `ccr_hashes`). */
  keys: string[];
}

export interface RemoteCompressOptions {
  /** Keep the retrieval notes in markers: the caller offers `headroom_retrieve` and answers it (default false). */
  keepKeys?: boolean;
}

export type RemoteOutcome = { ok: true; result: RemoteResult } | { ok: false; reason: string };


export async function remoteCompress(
  baseUrl: string,
  messages: readonly AnthropicMessage[],
  model: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  options: RemoteCompressOptions = {},
): Promise<RemoteOutcome> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/compress`;
  const timeout = AbortSignal.timeout(timeoutMs);
  let body: unknown;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: anthropicToOpenAI(messages), model }),
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
    });
    if (!response.ok) return { ok: false, reason: `remote compression failed: HTTP ${response.status} from ${url}` };
    body = await response.json();
  } catch (err) {
    if (signal?.aborted) throw err;
    const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `remote compression failed: ${reason} (${url})` };
  }
  if (!isObj(body) || !Array.isArray(body['messages'])) {
    return { ok: false, reason: `remote compression failed: the answer from ${url} has no messages array` };
  }
  let converted: AnthropicMessage[];
  try {
    converted = openAIToAnthropic(body['messages'] as OpenAIMessage[]);
  } catch (err) {
    return { ok: false, reason: `remote compression failed: unreadable messages (${err instanceof Error ? err.message : String(err)})` };
  }
  const keepKeys = options.keepKeys === true;
  const merged = overlay(messages, keepKeys ? converted : withoutNotes(converted));
  if (merged === undefined) {
    return { ok: false, reason: 'remote compression failed: the answer changed the conversation’s structure' };
  }
  const num = (k: string): number => (typeof body[k] === 'number' ? (body[k] as number) : 0);
  const strings = (k: string): string[] => (Array.isArray(body[k]) ? body[k].filter((t): t is string => typeof t === 'string') : []);
  const keys = keepKeys ? strings('ccr_hashes').filter((k) => KEY_PATTERN.test(k)) : [];
  // Counts are the server's; without the notes the blocks are a little smaller still.
  return {
    ok: true,
    result: { messages: merged, tokensBefore: num('tokens_before'), tokensAfter: num('tokens_after'), tokensSaved: num('tokens_saved'), transformsApplied: strings('transforms_applied'), keys },
  };
}

const smaller = (after: unknown, before: unknown): boolean =>
  countTokens(JSON.stringify(after) ?? '') < countTokens(JSON.stringify(before) ?? '');

/** The caller's messages with the server's tool results and user text laid over them, or undefined. */
function overlay(original: readonly AnthropicMessage[], answer: readonly AnthropicMessage[]): AnthropicMessage[] | undefined {
  if (answer.length !== original.length) return undefined;
  const out: AnthropicMessage[] = [];
  for (let i = 0; i < original.length; i++) {
    const mine = original[i]!;
    const theirs = answer[i]!;
    if (!isObj(theirs) || theirs.role !== mine.role) return undefined;
    if (mine.role === 'assistant') {
      out.push(mine);
      continue;
    }
    if (typeof mine.content === 'string') {
      const text = typeof theirs.content === 'string' ? theirs.content : undefined;
      if (text === undefined) return undefined;
      out.push(text !== mine.content && text !== '' && smaller(text, mine.content) ? { ...mine, content: text } : mine);
      continue;
    }
    if (!Array.isArray(theirs.content) || theirs.content.length !== mine.content.length) return undefined;
    let changed = false;
    const blocks: AnthropicBlock[] = [];
    for (let k = 0; k < mine.content.length; k++) {
      const a = mine.content[k] as Obj;
      const b = theirs.content[k] as Obj;
      if (!isObj(b) || b['type'] !== a['type']) return undefined;
      if (a['type'] === 'tool_result' && b['tool_use_id'] === a['tool_use_id'] && b['content'] !== undefined && smaller(b['content'], a['content'])) {
        blocks.push({ ...a, type: 'tool_result', content: b['content'] } as AnthropicBlock);
        changed = true;
      } else if (a['type'] === 'text' && typeof b['text'] === 'string' && b['text'] !== '' && smaller(b['text'], a['text'])) {
        blocks.push({ ...a, type: 'text', text: b['text'] } as AnthropicBlock);
        changed = true;
      } else {
        if (a['type'] === 'tool_result' && b['tool_use_id'] !== a['tool_use_id']) return undefined;
        blocks.push(a as AnthropicBlock);
      }
    }
    out.push(changed ? { ...mine, content: blocks } : mine);
  }
  return out;
}

/** A retrieval note inside a marker: ` · headroom_retrieve key=hr_…` before its closing ` …]`. */
const NOTE = new RegExp(` · ${RETRIEVE_TOOL_NAME} key=hr_[a-z2-7]{16}(?= …\\])`, 'g');

/** The server's messages with the retrieval notes taken out of their text (the overlay then takes what got smaller). */
function withoutNotes(messages: readonly AnthropicMessage[]): AnthropicMessage[] {
  const strip = (text: string): string => (text.includes(RETRIEVE_TOOL_NAME) ? text.replace(NOTE, '') : text);
  const block = (b: unknown): unknown => {
    if (!isObj(b)) return b;
    if (b['type'] === 'text' && typeof b['text'] === 'string') return { ...b, text: strip(b['text']) };
    if (b['type'] === 'tool_result') {
      const c = b['content'];
      if (typeof c === 'string') return { ...b, content: strip(c) };
      if (Array.isArray(c)) return { ...b, content: c.map(block) };
    }
    return b;
  };
  return messages.map((m) => {
    if (!isObj(m) || m.role === 'assistant') return m;
    if (typeof m.content === 'string') return { ...m, content: strip(m.content) };
    return Array.isArray(m.content) ? ({ ...m, content: m.content.map(block) } as AnthropicMessage) : m;
  });
}

export interface RemoteStoreOptions {
  /** Longest wait for one read (default 5 000 ms); past it the read fails (the model is told). */
  timeoutMs?: number;
  /** Headers sent with each read (a proxy token, say). */
  headers?: Record<string, string>;
}

/**
 * The originals a headroom server keeps, read through its `GET /v1/retrieve/:key`. Read-only: the
 * server stores them when it compresses.
 *
 * @example
 * ```ts
 * import { RemoteStore, retrieve } from 'headroom-ai';
 * const answer = await retrieve(new RemoteStore('http://127.0.0.1:8787'), toolUseBlock);
 * ```
 */
export class RemoteStore implements Store {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, options: RemoteStoreOptions = {}) {
    if (typeof baseUrl !== 'string' || !/^https?:\/\//.test(baseUrl)) throw new TypeError(`RemoteStore: baseUrl must be an http(s) URL, got ${String(baseUrl)}`);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.headers = options.headers ?? {};
  }

  /** The record under `key` (as a store holds it), undefined when the server holds none; rejects when it cannot answer. */
  async get(key: string): Promise<string | undefined> {
    const url = `${this.baseUrl}/v1/retrieve/${encodeURIComponent(key)}`;
    const response = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} from ${url}`);
    }
    const body: unknown = await response.json();
    if (!isObj(body) || typeof body['content'] !== 'string' || typeof body['kind'] !== 'string') throw new Error(`the answer from ${url} has no kind and content`);
    return encodeRecord({ kind: body['kind'] as BlockKind, content: body['content'] });
  }

  set(): Promise<void> {
    return Promise.reject(new Error('RemoteStore is read-only: the server stores originals when it compresses'));
  }
}
