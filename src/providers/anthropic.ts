// AnthropicProvider: Claude's context windows and token estimates (PRODUCT §5).

import type { EncodingName } from '../engine/types.js';
import { describe } from '../arguments.js';
import { limitsTable, lookup } from './table.js';
import type { CountRequest, LimitRequest, Provider } from './types.js';

/** Context windows by Claude model family (the fallback after `contextLimits` and the Models API). */
export const CLAUDE_CONTEXT_LIMITS: ReadonlyMap<string, number> = new Map([
  ['claude-opus-4-7', 1_000_000],
  ['claude-opus-4-6', 1_000_000],
  ['claude-opus-4-5', 200_000],
  ['claude-opus-4-1', 200_000],
  ['claude-opus-4', 200_000],
  ['claude-sonnet-4-5', 200_000],
  ['claude-sonnet-4', 200_000],
  ['claude-haiku-4-5', 200_000],
  ['claude-3-7-sonnet', 200_000],
  ['claude-3-5-sonnet', 200_000],
  ['claude-3-5-haiku', 200_000],
  ['claude-haiku-3-5', 200_000],
  ['claude-3-opus', 200_000],
  ['claude-3-sonnet', 200_000],
  ['claude-3-haiku', 200_000],
]);

/** Claude ids the table does not know. */
export const DEFAULT_CLAUDE_CONTEXT_LIMIT = 200_000;
/** The window with the 1M-context beta, and the families that accept it. */
export const CONTEXT_1M_LIMIT = 1_000_000;
const CONTEXT_1M_FAMILIES = new Set(['claude-sonnet-4', 'claude-sonnet-4-5']);

/** The parts of an Anthropic SDK client the provider uses (structural: any client with them works). */
export interface AnthropicClientLike {
  models?: { retrieve(modelId: string, params?: object, options?: { signal?: AbortSignal; maxRetries?: number }): PromiseLike<unknown> };
  messages?: { countTokens(params: { model: string; messages: readonly unknown[]; system?: unknown; tools?: readonly unknown[] }): PromiseLike<unknown> };
}

export interface AnthropicProviderOptions {
  /** Context windows by model id or family prefix; these win over everything else. */
  contextLimits?: Readonly<Record<string, number>>;
  /**
   * A client: its Models API (`max_input_tokens`) gives windows for models the table does not know,
   * asked once per model, with the request's abort signal and no retries of its own.
   */
  client?: AnthropicClientLike;
  /** Count a request exactly with `client.messages.countTokens` when deciding whether it fits. */
  exactCounting?: boolean;
  /** Claude has no public tokenizer: budgets use o200k_base counts times this (default 1.15), rounded up. */
  estimateFactor?: number;
}

/**
 * Claude models: o200k_base counts (reported as-is; budget checks scaled by `estimateFactor`),
 * context windows from `contextLimits`, the 1M-context beta, the table for the models it knows,
 * then the Models API for newer ids, then the table's family or 200 000.
 *
 * @example
 * ```ts
 * import { AnthropicProvider } from 'headroom-ai';
 * const provider = new AnthropicProvider();
 * provider.contextLimit('claude-sonnet-4-5-20250929'); // 200000
 * provider.contextLimit('claude-sonnet-4-5-20250929', { betas: ['context-1m-2025-08-07'] }); // 1000000
 * ```
 */
export class AnthropicProvider implements Provider {
  readonly name = 'anthropic';
  readonly estimateFactor: number;
  private readonly limits: Map<string, number>;
  private readonly client: AnthropicClientLike | undefined;
  private readonly exactCounting: boolean;
  /** Models API answers, once per model (a failure is remembered too: the table serves then). */
  private readonly fetched = new Map<string, Promise<number | undefined>>();
  private readonly answered = new Map<string, number | undefined>();
  /** `estimateFactor` in ten-thousandths, so rounding up is exact integer arithmetic. */
  private readonly factor: number;

  constructor(options: AnthropicProviderOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`AnthropicProvider: options must be an object, got ${describe(options)}`);
    }
    const { contextLimits, client, exactCounting = false, estimateFactor = 1.15 } = options;
    this.limits = limitsTable(contextLimits, 'AnthropicProvider');
    if (client !== undefined && (typeof client !== 'object' || client === null)) {
      throw new TypeError(`AnthropicProvider: options.client must be an Anthropic client, got ${describe(client)}`);
    }
    if (typeof exactCounting !== 'boolean') {
      throw new TypeError(`AnthropicProvider: options.exactCounting must be a boolean, got ${describe(exactCounting)}`);
    }
    if (exactCounting && typeof client?.messages?.countTokens !== 'function') {
      throw new TypeError('AnthropicProvider: options.exactCounting needs options.client with messages.countTokens');
    }
    if (typeof estimateFactor !== 'number' || !Number.isFinite(estimateFactor) || estimateFactor <= 0) {
      throw new RangeError(`AnthropicProvider: options.estimateFactor must be a positive finite number, got ${describe(estimateFactor)}`);
    }
    this.client = client;
    this.exactCounting = exactCounting;
    this.estimateFactor = estimateFactor;
    this.factor = Math.round(estimateFactor * 10_000);
  }

  encoding(model: string): EncodingName {
    void model;
    return 'o200k_base';
  }

  contextLimit(model: string, request?: LimitRequest): number {
    return this.known(model, request) ?? this.answered.get(model) ?? tableLimit(model);
  }

  async resolveContextLimit(model: string, request?: LimitRequest): Promise<number> {
    const known = this.known(model, request) ?? this.answered.get(model);
    if (known !== undefined) return known;
    if (tableKnows(model)) return tableLimit(model);
    return (await this.modelsApi(model, request?.signal)) ?? tableLimit(model);
  }

  estimateTokens(count: number): number {
    return Math.floor((count * this.factor + 9_999) / 10_000);
  }

  async countInputTokens(request: CountRequest): Promise<number | undefined> {
    const messages = this.client?.messages;
    if (!this.exactCounting || messages === undefined) return undefined;
    try {
      const answer = await messages.countTokens({
        model: request.model,
        messages: request.messages,
        ...(request.system === undefined ? {} : { system: request.system }),
        ...(request.tools === undefined ? {} : { tools: request.tools }),
      });
      const tokens = (answer as { input_tokens?: unknown } | null)?.input_tokens;
      return typeof tokens === 'number' && Number.isFinite(tokens) ? tokens : undefined;
    } catch {
      return undefined;
    }
  }

  /** What needs no remote answer: the caller's own limits, then the 1M-context beta. */
  private known(model: string, request: LimitRequest | undefined): number | undefined {
    const id = claudeId(model);
    const explicit = lookup(this.limits, model.toLowerCase()) ?? lookup(this.limits, id);
    if (explicit !== undefined) return explicit.value;
    const family = lookup(CLAUDE_CONTEXT_LIMITS, id)?.key;
    if (family !== undefined && CONTEXT_1M_FAMILIES.has(family) && wantsContext1m(request)) return CONTEXT_1M_LIMIT;
    return undefined;
  }

  private modelsApi(model: string, signal: AbortSignal | undefined): Promise<number | undefined> {
    const models = this.client?.models;
    if (models === undefined) return Promise.resolve(undefined);
    let pending = this.fetched.get(model);
    if (pending === undefined) {
      pending = (async () => {
        try {
          // One try: a failure falls back to the table, so retrying would only delay the request.
          const info = (await models.retrieve(model, {}, { maxRetries: 0, ...(signal === undefined ? {} : { signal }) })) as { max_input_tokens?: unknown } | null;
          const max = info?.max_input_tokens;
          return typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : undefined;
        } catch {
          // An aborted lookup is not an answer: the next request asks again.
          if (signal?.aborted === true) this.fetched.delete(model);
          return undefined;
        }
      })();
      this.fetched.set(model, pending);
      void pending.then((limit) => {
        if (this.fetched.get(model) === pending) this.answered.set(model, limit);
      });
    }
    return pending;
  }
}

/**
 * Whether the table knows `model` itself, not only a family it starts with: the family id alone or
 * followed by a date, `-latest`, or a platform suffix (`@…`, `:…`). `claude-sonnet-4-6` is not
 * `claude-sonnet-4`: a newer model, for the Models API.
 */
function tableKnows(model: string): boolean {
  const id = claudeId(model);
  const family = lookup(CLAUDE_CONTEXT_LIMITS, id)?.key;
  return family !== undefined && /^(?:$|[@:]|-\d{8}(?!\d)|-latest(?![a-z0-9]))/.test(id.slice(family.length));
}

/** The table's window for a Claude id (provider prefixes such as Bedrock's `anthropic.` ignored). */
function tableLimit(model: string): number {
  return lookup(CLAUDE_CONTEXT_LIMITS, claudeId(model))?.value ?? DEFAULT_CLAUDE_CONTEXT_LIMIT;
}

function claudeId(model: string): string {
  const id = model.toLowerCase();
  const at = id.indexOf('claude-');
  return at > 0 ? id.slice(at) : id;
}

function wantsContext1m(request: LimitRequest | undefined): boolean {
  if (request === undefined) return false;
  const names: string[] = [...(request.betas ?? [])];
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (key.toLowerCase() !== 'anthropic-beta' || value === null || value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) names.push(...v.split(','));
  }
  return names.some((n) => n.trim().startsWith('context-1m'));
}
