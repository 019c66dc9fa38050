// Retrieval inside the SDK wrappers: the policy both formats share. Which store a wrapped client
// uses, when the `headroom_retrieve` tool goes into a request, how the model's calls are answered
// and counted, and how the usage of several round trips adds up to one response's.
//
// The per-format round loops (anthropic-rounds.ts, chat-rounds.ts) decide when to answer and send
// again; everything they answer goes through `WrapperRetrieval.answer`, so stats and the bounds
// on rounds live in one place.

import { describe } from '../arguments.js';
import { currentEngine } from '../engine/loader.js';
import { isObj, type Obj } from '../messages/types.js';
import { isRetrievalCall, retrieve, type RetrievalToolCall, type RetrievalToolMessage, type RetrievalToolResult, type RetrievalToolUse } from '../retrieval/answer.js';
import type { Retrieval } from '../retrieval/run.js';
import { MemoryStore, type Store } from '../retrieval/store.js';
import type { HeadroomStats } from './session.js';

export const DEFAULT_MAX_RETRIEVAL_ROUNDS = 3;

/** The options a wrapper reads for retrieval. */
export interface WrapperRetrievalOptions {
  /** `false`: no retrieval keys in markers, no tool, no answers (default: on, with an in-memory store). */
  retrieval?: boolean;
  /** Most round trips the wrapper makes to answer `headroom_retrieve` before returning (default 3). */
  maxRetrievalRounds?: number;
}

/** What `onCompress` hears about retrieval for one request. */
export interface RetrievalReport {
  /** Keys named in the markers sent (the tool went out with the request when there was one). */
  keys: number;
  /** Lossy blocks sent without a key because the store refused their originals (fail open). */
  unstored: number;
  /** Why the store refused them. */
  error?: string;
}

let processStore: MemoryStore | undefined;

/** The store of every wrapped client given none: one MemoryStore per process, made on first use. */
function defaultStore(): MemoryStore {
  processStore ??= new MemoryStore();
  return processStore;
}

/** Checks the retrieval options at wrap time; the wrapper's retrieval, or undefined when it is off. */
export function wrapperRetrieval(fn: string, options: WrapperRetrievalOptions & { store?: unknown }): WrapperRetrieval | undefined {
  const { retrieval, maxRetrievalRounds, store } = options;
  if (retrieval !== undefined && typeof retrieval !== 'boolean') {
    throw new TypeError(`${fn}: options.retrieval must be a boolean (false turns retrieval off), got ${describe(retrieval)}`);
  }
  if (maxRetrievalRounds !== undefined && (typeof maxRetrievalRounds !== 'number' || !Number.isInteger(maxRetrievalRounds) || maxRetrievalRounds < 0)) {
    throw new RangeError(`${fn}: options.maxRetrievalRounds must be an integer ≥ 0, got ${describe(maxRetrievalRounds)}`);
  }
  if (retrieval === false) {
    if (store !== undefined) throw new TypeError(`${fn}: options.store needs retrieval on; drop one of store and retrieval: false`);
    return undefined;
  }
  return new WrapperRetrieval((store as Store | undefined) ?? defaultStore(), maxRetrievalRounds ?? DEFAULT_MAX_RETRIEVAL_ROUNDS);
}

/** One wrapped client's retrieval: its store and how many rounds it may make per request. */
export class WrapperRetrieval {
  constructor(
    readonly store: Store,
    readonly maxRounds: number,
  ) {}

  /** Answers the calls of one round (each call's reply, in order) and counts the round. */
  async answer(calls: readonly RetrievalToolUse[], stats: HeadroomStats): Promise<RetrievalToolResult[]>;
  async answer(calls: readonly RetrievalToolCall[], stats: HeadroomStats): Promise<RetrievalToolMessage[]>;
  async answer(calls: readonly (RetrievalToolUse | RetrievalToolCall)[], stats: HeadroomStats): Promise<(RetrievalToolResult | RetrievalToolMessage)[]> {
    const answers = await Promise.all(calls.map((call) => retrieve(this.store, call)));
    stats.retrievalRounds++;
    stats.retrievedTokens += answers.reduce((n, a) => n + currentEngine().countTokens(a.text, 'o200k_base'), 0);
    return answers.map((a) => a.reply!);
  }
}

/** The event's report of `result.retrieval`. */
export function retrievalReport(retrieval: Retrieval): RetrievalReport {
  return { keys: retrieval.keys.length, unstored: retrieval.unstored, ...(retrieval.error === undefined ? {} : { error: retrieval.error }) };
}

/** `params` with the retrieval tool at the end of `tools` when the sent markers name a key. */
export function withRetrievalTool(params: Obj, retrieval: Retrieval): Obj {
  if (retrieval.keys.length === 0) return params;
  const tools = Array.isArray(params['tools']) ? (params['tools'] as unknown[]) : undefined;
  return { ...params, tools: retrieval.withTool(tools) };
}

/** The calls of `blocks` (tool_use blocks or OpenAI tool calls) that are `headroom_retrieve`'s. */
export function retrievalCalls<T>(calls: readonly T[]): T[] {
  return calls.filter((c) => isRetrievalCall(c));
}

/**
 * Two usage objects added field by field: numbers summed, nested counters summed the same way,
 * anything else (a service tier) taken from the later one when it has it.
 */
export function sumUsage(a: unknown, b: unknown): unknown {
  if (!isObj(a)) return b;
  if (!isObj(b)) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (typeof v === 'number' && typeof prev === 'number') out[k] = prev + v;
    else if (isObj(v) && isObj(prev)) out[k] = sumUsage(prev, v);
    else if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}
