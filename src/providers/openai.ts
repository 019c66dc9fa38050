// OpenAIProvider: OpenAI models' encodings and published context windows (PRODUCT §5).

import type { EncodingName } from '../engine/types.js';
import { describe } from '../arguments.js';
import { encodingForModel } from './encodings.js';
import { limitsTable, lookup } from './table.js';
import type { LimitRequest, Provider } from './types.js';

/** Context windows by model family, as OpenAI publishes them. */
export const OPENAI_CONTEXT_LIMITS: ReadonlyMap<string, number> = new Map([
  ['gpt-5', 400_000],
  ['gpt-5-mini', 400_000],
  ['gpt-5-nano', 400_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-4.1-mini', 1_047_576],
  ['gpt-4.1-nano', 1_047_576],
  ['gpt-4.5-preview', 128_000],
  ['gpt-4o', 128_000],
  ['gpt-4o-mini', 128_000],
  ['chatgpt-4o-latest', 128_000],
  ['o1', 200_000],
  ['o1-pro', 200_000],
  ['o1-mini', 128_000],
  ['o1-preview', 128_000],
  ['o3', 200_000],
  ['o3-pro', 200_000],
  ['o3-mini', 200_000],
  ['o4-mini', 200_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4-turbo-preview', 128_000],
  ['gpt-4-1106-preview', 128_000],
  ['gpt-4-0125-preview', 128_000],
  ['gpt-4-vision-preview', 128_000],
  ['gpt-4-32k', 32_768],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_385],
  ['gpt-3.5-turbo-instruct', 4_096],
  ['gpt-oss-120b', 131_072],
  ['gpt-oss-20b', 131_072],
]);

/** Models the table does not know. */
export const DEFAULT_OPENAI_CONTEXT_LIMIT = 128_000;

export interface OpenAIProviderOptions {
  /** Context windows by model id or family prefix; these win over the table. */
  contextLimits?: Readonly<Record<string, number>>;
}

/**
 * OpenAI models: o200k_base for gpt-4o, gpt-4.1, o1/o3/o4 and gpt-5, cl100k_base for gpt-4 and
 * gpt-3.5; counts are exact, so estimates are the counts themselves.
 *
 * @example
 * ```ts
 * import { OpenAIProvider } from 'headroom-ai';
 * new OpenAIProvider().contextLimit('gpt-4o-2024-08-06'); // 128000
 * ```
 */
export class OpenAIProvider implements Provider {
  readonly name = 'openai';
  private readonly limits: Map<string, number>;

  constructor(options: OpenAIProviderOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`OpenAIProvider: options must be an object, got ${describe(options)}`);
    }
    this.limits = limitsTable(options.contextLimits, 'OpenAIProvider');
  }

  encoding(model: string): EncodingName {
    return encodingForModel(model);
  }

  contextLimit(model: string, request?: LimitRequest): number {
    void request;
    const id = model.toLowerCase();
    return lookup(this.limits, id)?.value ?? lookup(OPENAI_CONTEXT_LIMITS, id)?.value ?? DEFAULT_OPENAI_CONTEXT_LIMIT;
  }

  async resolveContextLimit(model: string, request?: LimitRequest): Promise<number> {
    return this.contextLimit(model, request);
  }

  estimateTokens(count: number): number {
    return count;
  }
}
