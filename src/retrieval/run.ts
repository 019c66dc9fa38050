// Retrieval inside one compress() call: the pipeline's hook that names a lossy block's key in its
// markers, the writes that put the originals in the store, and `result.retrieval`.
//
// Annotation is decided per block and memoised like compression (same text, same settings → same
// key, same bytes on every turn). The originals of the blocks actually sent are written after the
// pipeline: a key already held is only renewed (`touch`), so a resent conversation costs a renewal
// per block, not its text. A block whose original the store refuses is sent without its key (fail
// open): the pipeline runs again with those keys refused, from the memo.

import type { BlockResult, EncodingName, Engine } from '../engine/types.js';
import type { MemoAccess } from '../messages/memo.js';
import { isObj, type MessageFormat } from '../messages/types.js';
import { describe } from '../arguments.js';
import { annotateMarkers } from './annotate.js';
import {
  retrieve,
  type RetrievalAnswer,
  type RetrievalCall,
  type RetrievalToolCall,
  type RetrievalToolMessage,
  type RetrievalToolResult,
  type RetrievalToolUse,
} from './answer.js';
import { encodeRecord, retrievalKey, type StoredBlock } from './key.js';
import type { Store } from './store.js';
import { declaresRetrieval, retrievalTool, type RetrievalTool } from './tool.js';

export const DEFAULT_RETRIEVAL_TTL_MS = 60 * 60 * 1000;

/** Reversible compression for compress() users: what `result.retrieval` holds when `store` was given. */
export interface Retrieval {
  /** The `headroom_retrieve` tool in the request's format. Offer it when `keys` is not empty. */
  readonly tool: RetrievalTool;
  /** Keys named in the returned messages' markers, in order: the blocks the model can retrieve. */
  readonly keys: readonly string[];
  /** Lossy blocks sent without a key because the store refused their originals (fail open). */
  readonly unstored: number;
  /** Why the store refused them (the first error), when it did. */
  readonly error?: string;
  /**
   * A copy of `tools` with the retrieval tool at the end when `keys` is not empty and `tools` does
   * not declare it already (undefined stays undefined when there is nothing to add). The tool is in
   * the request's format, so it is typed as your tools are.
   */
  withTool<T>(tools: readonly T[]): T[];
  withTool<T>(tools: readonly T[] | undefined): T[] | undefined;
  /**
   * Answers a call from the store: a `tool_use` block (the reply is its `tool_result`), an OpenAI
   * tool call (the reply is its `tool` message), or the call's arguments. Never throws.
   */
  retrieve(call: RetrievalToolUse): Promise<RetrievalAnswer & { reply: RetrievalToolResult }>;
  retrieve(call: RetrievalToolCall): Promise<RetrievalAnswer & { reply: RetrievalToolMessage }>;
  retrieve(call: RetrievalCall): Promise<RetrievalAnswer>;
}

/** A compressed result whose markers name its retrieval key. */
interface RetrievableResult extends BlockResult {
  retrievalKey: string;
}

/** The retrieval key a compressed block's markers name, if any. */
export function retrievalKeyOf(result: BlockResult): string | undefined {
  const key = (result as Partial<RetrievableResult>).retrievalKey;
  return typeof key === 'string' ? key : undefined;
}

/** Memo settings suffix of annotated results: kept apart from the engine's own results. */
const MEMO_SUFFIX = '\u0000retrieval';

/** A lossy block's site, as the hook sees it. */
export interface LossySite {
  /** The original text. */
  text: string;
  /** The memo's settings key of its compression. */
  settings: string;
}

/** Retrieval state of one compress() call. */
export class RetrievalRun {
  private readonly refused = new Set<string>();
  private readonly originals = new Map<string, StoredBlock>();
  private unstored = 0;
  private error: string | undefined;

  constructor(
    readonly store: Store,
    readonly ttlMs: number,
    readonly format: MessageFormat,
  ) {}

  /**
   * The pipeline's hook: replaces each lossy result in `results` (by site) with its annotated form,
   * memoised, unless its key was refused by the store in this call or annotating would not shrink it.
   */
  annotate(results: Map<number, BlockResult>, site: (k: number) => LossySite, engine: Engine, memo: MemoAccess, encoding: EncodingName): void {
    for (const [k, r] of results) {
      if (!r.modified || r.omitted.length === 0) continue;
      const { text, settings } = site(k);
      let annotated = memo.result(text, settings + MEMO_SUFFIX);
      if (annotated === undefined) {
        annotated = annotateResult(r, text, settings, engine, encoding);
        memo.setResult(text, settings + MEMO_SUFFIX, annotated);
      }
      const key = retrievalKeyOf(annotated);
      if (key === undefined || this.refused.has(key)) continue;
      results.set(k, annotated);
      this.originals.set(key, { kind: r.kind, content: text });
    }
  }

  /**
   * Stores the originals of the keys `blocks` name (renewing those already held). True when the
   * store refused some: the caller compresses again, and those blocks go without their keys.
   */
  async commit(blocks: readonly { retrievalKey?: string }[]): Promise<boolean> {
    const keys = [...new Set(blocks.flatMap((b) => (b.retrievalKey === undefined ? [] : [b.retrievalKey])))];
    const outcomes = await Promise.all(keys.map((key) => this.write(key)));
    let refused = false;
    keys.forEach((key, i) => {
      const error = outcomes[i];
      if (error === undefined) return;
      refused = true;
      this.refused.add(key);
      this.unstored += blocks.filter((b) => b.retrievalKey === key).length;
      this.error ??= error;
    });
    return refused;
  }

  /** `result.retrieval` for the blocks sent. */
  outcome(blocks: readonly { retrievalKey?: string }[]): Retrieval {
    const keys = [...new Set(blocks.flatMap((b) => (b.retrievalKey === undefined ? [] : [b.retrievalKey])))];
    const { format, store } = this;
    const tool = retrievalTool(format);
    return {
      tool,
      keys,
      unstored: this.unstored,
      ...(this.error === undefined ? {} : { error: this.error }),
      withTool: (<T>(tools: readonly T[] | undefined): (T | RetrievalTool)[] | undefined => {
        if (keys.length === 0 || tools?.some(declaresRetrieval) === true) return tools === undefined ? undefined : [...tools];
        return [...(tools ?? []), retrievalTool(format)];
      }) as Retrieval['withTool'],
      retrieve: ((call: RetrievalCall) => retrieve(store, call)) as Retrieval['retrieve'],
    };
  }

  /** Puts one original in the store; the error message when the store refuses it. */
  private async write(key: string): Promise<string | undefined> {
    const block = this.originals.get(key);
    if (block === undefined) return 'the original of this block was not seen in this call';
    try {
      if (this.store.touch !== undefined && (await this.store.touch(key, this.ttlMs))) return undefined;
      await this.store.set(key, encodeRecord(block), this.ttlMs);
      return undefined;
    } catch (err) {
      return `the store refused the original: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}

function annotateResult(r: BlockResult, text: string, settings: string, engine: Engine, encoding: EncodingName): BlockResult {
  const key = retrievalKey(text, settings);
  const content = annotateMarkers(r.content, text, key);
  if (content === undefined) return r;
  const tokensAfter = engine.countTokens(content, encoding);
  // Never inflates: a block the note would not leave smaller goes without it.
  if (tokensAfter >= r.tokensBefore) return r;
  const annotated: RetrievableResult = { ...r, content, tokensAfter, retrievalKey: key };
  return annotated;
}

/** Reads `store` and `retrievalTtlMs` from compress() options: a RetrievalRun, or undefined without a store. */
export function retrievalRun(fn: string, options: object, format: MessageFormat): RetrievalRun | undefined {
  const o = options as { store?: unknown; retrievalTtlMs?: unknown };
  const ttl = o.retrievalTtlMs;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 1)) {
    throw new RangeError(`${fn}: options.retrievalTtlMs must be a number of milliseconds ≥ 1, got ${typeof ttl === 'number' ? ttl : describe(ttl)}`);
  }
  const store = o.store;
  if (store === undefined) return undefined;
  if (!isObj(store) || typeof store['get'] !== 'function' || typeof store['set'] !== 'function') {
    throw new TypeError(`${fn}: options.store must be a Store (e.g. new MemoryStore()), got ${describe(store)}`);
  }
  if (fn === 'compressSync') throw new TypeError('compressSync: options.store needs compress(): writing to a store is asynchronous');
  return new RetrievalRun(store as unknown as Store, ttl ?? DEFAULT_RETRIEVAL_TTL_MS, format);
}
