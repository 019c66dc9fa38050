// Public token counting.

import { describe } from './arguments.js';
import { currentEngine } from './engine/loader.js';
import { ENCODINGS, type EncodingName } from './engine/types.js';
import { encodingForModel } from './providers/encodings.js';

export interface CountTokensOptions {
  /** Model id: picks the encoding (OpenAI families by name; Claude and unknown ids: o200k_base). */
  model?: string;
  /** Encoding to use; takes precedence over `model`. */
  encoding?: EncodingName;
}

/**
 * Exact token count for o200k_base or cl100k_base, equal to tiktoken's (special-token text such
 * as `<|endoftext|>` counts as ordinary text). Given an array, returns one count per text.
 *
 * @example
 * ```ts
 * import { countTokens } from 'headroom-ai';
 * countTokens('hello world'); // 2
 * countTokens(['a', 'b c'], { model: 'gpt-4' }); // [1, 2]
 * ```
 */
export function countTokens(text: string, options?: CountTokensOptions): number;
export function countTokens(texts: readonly string[], options?: CountTokensOptions): number[];
export function countTokens(text: string | readonly string[], options?: CountTokensOptions): number | number[] {
  const encoding = resolveEncoding(options);
  if (typeof text === 'string') return currentEngine().countTokens(text, encoding);
  if (!Array.isArray(text)) {
    throw new TypeError(`countTokens: text must be a string or an array of strings, got ${describe(text)}`);
  }
  text.forEach((t, i) => {
    if (typeof t !== 'string') throw new TypeError(`countTokens: text[${i}] must be a string, got ${describe(t)}`);
  });
  return currentEngine().countTokensMany(text, encoding);
}

/** The encoding named by `{ model, encoding }` options, validated. */
export function resolveEncoding(options: CountTokensOptions | undefined): EncodingName {
  if (options === undefined) return 'o200k_base';
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`countTokens: options must be an object, got ${describe(options)}`);
  }
  const { model, encoding } = options;
  if (encoding !== undefined) {
    if (typeof encoding !== 'string') {
      throw new TypeError(`countTokens: options.encoding must be a string, got ${describe(encoding)}`);
    }
    if (!ENCODINGS.includes(encoding)) {
      throw new RangeError(`countTokens: options.encoding must be one of ${ENCODINGS.join(', ')}, got ${describe(encoding)}`);
    }
    return encoding;
  }
  if (model !== undefined) {
    if (typeof model !== 'string') throw new TypeError(`countTokens: options.model must be a string, got ${describe(model)}`);
    return encodingForModel(model);
  }
  return 'o200k_base';
}
