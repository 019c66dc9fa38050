// The engine interface: the one seam between the TypeScript layer and the work done natively
// (headroom-core through headroom-node) or by the JS engine (src/engine/js, its TypeScript twin).

/** The BPE encodings headroom counts exactly. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

export const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

export interface Engine {
  readonly name: 'native' | 'js';
  /** Exact token count; `text` may contain lone surrogates (counted as U+FFFD). */
  countTokens(text: string, encoding: EncodingName): number;
  countTokensMany(texts: readonly string[], encoding: EncodingName): number[];
}
