// A whole API request body (Anthropic Messages or OpenAI chat completions) as the server and the
// CLI read it: which fields feed `compress()` (model, system, tools, the response budget) and the
// body to send on, the caller's own fields in their order with only `messages` replaced.

import { compress, type CompressOptions, type CompressResult } from '../index.js';
import type { AnthropicBlock, ChatMessage, MessageFormat } from '../index.js';

type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A request body with a conversation in it. */
export interface ApiRequest {
  /** `undefined`: not told by the route; `compress()` detects it from the messages. */
  format: MessageFormat | undefined;
  body: Obj;
  messages: readonly ChatMessage[];
}

/** The settings a server or CLI run applies to every request (from its flags). */
export type BaseOptions = Pick<CompressOptions, 'maxBlockTokens' | 'minTokens' | 'query' | 'model' | 'protectTools'>;

export interface CompressedRequest {
  /** The body to send: the caller's own object when nothing got smaller. */
  body: Obj;
  changed: boolean;
  result: CompressResult;
}

/**
 * Reads a parsed JSON value as a request body: an object whose `messages` is an array of objects
 * with a string `role` (or such an array alone). Anything else is not a request.
 */
export function asApiRequest(value: unknown, format?: MessageFormat): ApiRequest | undefined {
  const body: Obj | undefined = Array.isArray(value) ? { messages: value } : isObj(value) ? value : undefined;
  const messages = body?.['messages'];
  if (body === undefined || !Array.isArray(messages) || messages.length === 0) return undefined;
  if (!messages.every((m) => isObj(m) && typeof m['role'] === 'string')) return undefined;
  return { format, body, messages: messages as ChatMessage[] };
}

/** The `compress()` options for a request: the body's model, system, tools and response budget, then the run's settings. */
export function requestOptions(request: ApiRequest, base: BaseOptions, betas: readonly string[] = []): CompressOptions {
  const { body } = request;
  const options: CompressOptions = { ...base };
  if (request.format !== undefined) options.format = request.format;
  if (base.model === undefined && typeof body['model'] === 'string') options.model = body['model'];
  const system = body['system'];
  if (typeof system === 'string' || Array.isArray(system)) options.system = system as string | readonly AnthropicBlock[];
  if (Array.isArray(body['tools'])) options.tools = body['tools'];
  const maxTokens = body['max_tokens'] ?? body['max_completion_tokens'];
  if (typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens >= 0) options.maxTokens = maxTokens;
  const bodyBetas = Array.isArray(body['betas']) ? body['betas'].filter((b): b is string => typeof b === 'string') : [];
  if (betas.length + bodyBetas.length > 0) options.betas = [...betas, ...bodyBetas];
  return options;
}

/**
 * Compresses a request's messages. The body comes back as the caller's own object when no message
 * changed, so a server can forward the bytes it received.
 */
export async function compressRequest(
  request: ApiRequest,
  base: BaseOptions,
  betas?: readonly string[],
  retrieval?: Pick<CompressOptions, 'store' | 'retrievalTtlMs'>,
): Promise<CompressedRequest> {
  const result = await compress(request.messages, { ...requestOptions(request, base, betas), ...retrieval });
  const changed = result.messages.some((m, i) => m !== request.messages[i]) || result.messages.length !== request.messages.length;
  return { body: changed ? { ...request.body, messages: result.messages } : request.body, changed, result };
}

/** `anthropic-beta` header values, comma-separated, as a list. */
export function betaHeader(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** Compressed blocks by kind, e.g. `json×2, log`; `unchanged` when none. */
export function kindsSummary(result: CompressResult): string {
  const counts = new Map<string, number>();
  for (const b of result.blocks) counts.set(b.kind, (counts.get(b.kind) ?? 0) + 1);
  if (counts.size === 0) return 'unchanged';
  return [...counts].map(([kind, n]) => (n === 1 ? kind : `${kind}×${n}`)).join(', ');
}
