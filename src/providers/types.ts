// What the message layer needs to know about a model: how to count its tokens and how many fit.

import type { EncodingName } from '../engine/types.js';

/** The parts of a request that change the context window (Anthropic's 1M-context beta). */
export interface LimitRequest {
  /** The request's `betas` parameter. */
  betas?: readonly string[];
  /** The request's headers (`anthropic-beta` is read, any case). */
  headers?: Readonly<Record<string, string | readonly string[] | null | undefined>>;
  /** The request's abort signal: a remote lookup of the window (the Models API) stops with it. */
  signal?: AbortSignal;
}

/** A request as the provider may count it exactly. */
export interface CountRequest {
  model: string;
  messages: readonly unknown[];
  system?: unknown;
  tools?: readonly unknown[];
}

/** A model provider: tokenizer, context window, and how its token estimates are made. */
export interface Provider {
  readonly name: string;
  /** The encoding headroom counts this model's text with (and reports savings in). */
  encoding(model: string): EncodingName;
  /** The context window from what the provider knows without asking anyone (synchronous). */
  contextLimit(model: string, request?: LimitRequest): number;
  /** The context window, asking a remote source first where the provider has one (Models API). */
  resolveContextLimit(model: string, request?: LimitRequest): Promise<number>;
  /** The provider's estimate of the model's tokens for `count` tokens in `encoding(model)`. */
  estimateTokens(count: number): number;
  /** The exact input tokens of a request, when the provider can count them; otherwise undefined. */
  countInputTokens?(request: CountRequest): Promise<number | undefined>;
}
