// The engine interface: the one seam between the TypeScript layer and the work done natively
// (headroom-core through headroom-node) or by the JS engine (src/engine/js, its TypeScript twin).

/** The BPE encodings headroom counts exactly. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

export const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

/** The kinds of content detection tells apart; `code` and `text` pass through. */
export type BlockKind = 'json' | 'log' | 'search' | 'diff' | 'code' | 'text';

/** How one block is compressed (headroom-core's `BlockOptions`). */
export interface BlockOptions {
  encoding: EncodingName;
  /** The block's stable relevance query. */
  query: string;
  /** Blocks with fewer tokens pass through untouched. */
  minTokens: number;
  /** Above this many tokens (after lossless encoding) lossy selection may apply; `Infinity` = lossless only. */
  maxBlockTokens: number;
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

/** The outcome for one block. */
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

export interface Engine {
  readonly name: 'native' | 'js';
  /** Exact token count; `text` may contain lone surrogates (counted as U+FFFD). */
  countTokens(text: string, encoding: EncodingName): number;
  countTokensMany(texts: readonly string[], encoding: EncodingName): number[];
  /** Compresses many blocks in one call (one crossing into Rust for the native engine). */
  compressBlocks(inputs: readonly BlockInput[]): BlockResult[];
}
