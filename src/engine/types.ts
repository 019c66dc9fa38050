// The engine interface: the one seam between the TypeScript layer and the work done natively
// (headroom-core through headroom-node) or by the JS engine (src/engine/js, its TypeScript twin).

/** The BPE encodings headroom counts exactly. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

export const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

/**
 * The kinds of content detection tells apart; `code` and `text` pass through (unless far above the
 * budget); `opaque` is data not to be read line by line (base64, hex dumps, minified code, one
 * giant line).
 */
export type BlockKind = 'json' | 'log' | 'search' | 'diff' | 'code' | 'text' | 'opaque';

/** How one block is compressed (headroom-core's `BlockOptions`). */
export interface BlockOptions {
  encoding: EncodingName;
  /** The block's stable relevance query. */
  query: string;
  /** Blocks with fewer tokens pass through untouched. */
  minTokens: number;
  /** Above this many tokens (after lossless encoding) lossy selection may apply; `Infinity` = lossless only. */
  maxBlockTokens: number;
  /** Kinds whose compressor is switched off: such blocks pass through untouched (still counted). */
  disabled?: readonly BlockKind[];
}

export interface BlockInput {
  content: string;
  options: BlockOptions;
}

/** What a compressor left out, in the unit it dropped. */
export interface Omission {
  unit: string;
  count: number;
  summary: string;
}

/** A compressor's proposal for a block; `compressBlock` keeps it only if it has fewer tokens. */
export interface Compressed {
  content: string;
  strategy: string;
  omitted: Omission[];
  /** The content's exact token count, when the compressor has already made it. */
  tokens?: number;
}

/**
 * The outcome for one block. When `modified`, its strings share no storage with the input (the
 * memo keeps them as they are, and must not keep the caller's request alive through them).
 */
export interface BlockResult {
  /** The compressed text, or the input itself when `modified` is false. */
  content: string;
  kind: BlockKind;
  tokensBefore: number;
  tokensAfter: number;
  modified: boolean;
  /** Short stable tag naming what was done (`none` when untouched). */
  strategy: string;
  omitted: Omission[];
}

/** A block that passes through without having been compressed, and why. */
export interface BlockFailure {
  /** `stopped`: the deadline or the abort signal came before the block; `error`: the engine failed on it. */
  failure: 'stopped' | 'error';
  message: string;
}

/** What became of one block of a batch that can stop early. */
export type BlockOutcome = BlockResult | BlockFailure;

export function isFailure(outcome: BlockOutcome): outcome is BlockFailure {
  return 'failure' in outcome;
}

/**
 * A batch's outcomes put together from groups run side by side, made what one batch gives: the
 * compressed blocks are a prefix, and after a stopped block every block is stopped.
 */
export function stoppedAfterFirst(outcomes: BlockOutcome[]): BlockOutcome[] {
  const first = outcomes.findIndex((o) => isFailure(o) && o.failure === 'stopped');
  return first < 0 ? outcomes : [...outcomes.slice(0, first), ...outcomes.slice(first).map((): BlockOutcome => ({ failure: 'stopped', message: 'stopped' }))];
}

/** When a batch stops: checked before each block, so a block already started always finishes. */
export interface StopWhen {
  /** A `performance.now()` time after which no further block is started. */
  deadline?: number;
  signal?: AbortSignal;
}

export interface Engine {
  readonly name: 'native' | 'js';
  /** Exact token count; `text` may contain lone surrogates (counted as U+FFFD). */
  countTokens(text: string, encoding: EncodingName): number;
  countTokensMany(texts: readonly string[], encoding: EncodingName): number[];
  /** `countTokensMany` off the calling thread, where the engine can (absent: count synchronously). */
  countTokensManyAsync?(texts: readonly string[], encoding: EncodingName): Promise<number[]>;
  /** Compresses many blocks in one call (one crossing into Rust for the native engine). */
  compressBlocks(inputs: readonly BlockInput[]): BlockResult[];
  /** The detected kind of each text, in one call. */
  detectKinds(texts: readonly string[]): BlockKind[];
  /** `detectKinds` off the calling thread, where the engine can (absent: detect synchronously). */
  detectKindsAsync?(texts: readonly string[]): Promise<BlockKind[]>;
  /**
   * Compresses blocks in order until `stop`: from then on, blocks come back as `stopped` failures.
   * A block the engine fails on comes back as an `error` failure; the others are unaffected.
   */
  compressBlocksUntil(inputs: readonly BlockInput[], stop: StopWhen): BlockOutcome[];
  /**
   * The same work off the calling thread where the engine can: the native engine runs it on the
   * libuv thread pool (napi AsyncTask) and honours an abort between blocks and inside one; the JS engine's own
   * entry runs it on the calling thread, a block per event-loop turn (the loader's JS engine,
   * js-worker.ts, sends large batches to worker threads).
   */
  compressBlocksAsync(inputs: readonly BlockInput[], stop: StopWhen): Promise<BlockOutcome[]>;
}
