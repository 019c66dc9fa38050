// What a compress() / compressSync() call takes and gives back, and the checks of its arguments:
// every option is validated here, once, and a wrong one is named in the error.

import { checkKeys, countOption, describe, option } from './arguments.js';
import type { Retrieval } from './retrieval/run.js';
import type { Store } from './retrieval/store.js';
import type { BlockKind, EncodingName } from './engine/types.js';
import { DEFAULT_PROTECT_TOOLS } from './messages/eligibility.js';
import type { BlockFailureReport, CompressedBlock } from './messages/pipeline.js';
import { detectFormat } from './messages/format.js';
import { isObj, type AnthropicBlock, type ChatMessage, type MessageFormat } from './messages/types.js';
import { AnthropicProvider } from './providers/anthropic.js';
import { OpenAIProvider } from './providers/openai.js';
import type { Provider } from './providers/types.js';

export const DEFAULT_MODEL = 'claude-sonnet-4-5-20250929';
export const DEFAULT_MIN_TOKENS = 200;
export const DEFAULT_MAX_BLOCK_TOKENS = 4000;

/** The kinds with a compressor, in the order settings are keyed. */
const COMPRESSOR_KINDS = ['json', 'log', 'search', 'diff'] as const;

/** Callbacks around a compression. */
export interface CompressHooks<M extends ChatMessage = ChatMessage> {
  /** Sees the messages first; may return the messages to compress instead. */
  preCompress?(messages: readonly M[]): readonly M[] | void | Promise<readonly M[] | void>;
  /** Sees the result; may return a result to hand back instead. */
  postCompress?(result: CompressResult<M>): CompressResult<M> | void | Promise<CompressResult<M> | void>;
}

/** Settings of one compressor. */
export interface CompressorSettings {
  /** `false`: blocks of this kind pass through untouched, still counted (default true). */
  enabled?: boolean;
}

export interface CompressOptions<M extends ChatMessage = ChatMessage> {
  /** Picks the tokenizer and the context window (default `claude-sonnet-4-5-20250929`). */
  model?: string;
  /** The messages' format; detected when absent. */
  format?: MessageFormat;
  /** The system prompt: counted for the context check, never rewritten. */
  system?: string | readonly AnthropicBlock[];
  /** Tool definitions: counted for the context check, never rewritten. */
  tools?: readonly unknown[];
  /** The response budget: counted for the context check. */
  maxTokens?: number;
  /** A total input budget that replaces the model's context window. */
  tokenBudget?: number;
  /** Replaces every block's own relevance query (its tool call and the user turn that led to it). */
  query?: string;
  /** Globs (`*`, `?`) of tool names whose output is never touched; replaces the default list. */
  protectTools?: readonly string[];
  /** Smaller blocks pass untouched (default 200). */
  minTokens?: number;
  /** Above this many tokens lossy selection may apply (default 4 000; `Infinity`: lossless only). */
  maxBlockTokens?: number;
  /** `false`: pass everything through, still counting (default true). */
  enabled?: boolean;
  /** Per-compressor settings: `{ enabled: false }` leaves blocks of that kind untouched. */
  json?: CompressorSettings;
  log?: CompressorSettings;
  search?: CompressorSettings;
  diff?: CompressorSettings;
  hooks?: CompressHooks<M>;
  /** On abort, blocks not yet compressed pass through (reported in `failures`). */
  signal?: AbortSignal;
  /** After this many milliseconds, blocks not yet compressed pass through (reported in `failures`). */
  timeoutMs?: number;
  /** The model provider (default: AnthropicProvider for Claude ids, OpenAIProvider otherwise). */
  provider?: Provider;
  /** The request's `betas` (the 1M-context beta changes the window). */
  betas?: readonly string[];
  /**
   * Reversible compression (`compress` only): each lossy block's original goes into this store and
   * its markers name the key the model can pass to the `headroom_retrieve` tool (`result.retrieval`).
   */
  store?: Store;
  /** How long the store keeps an original after the last request that sent its block (default 1 hour). */
  retrievalTtlMs?: number;
}

export interface CompressResult<M extends ChatMessage = ChatMessage> {
  /** The messages to send, in the input's format; untouched messages are the caller's own objects. */
  messages: M[];
  /** Tokens of the messages before and after, counted one way (`tokenizer`; see countMessageTokens). */
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** tokensAfter / tokensBefore (1 for an empty conversation). */
  compressionRatio: number;
  savingsPercent: number;
  /** The encoding of these counts. */
  tokenizer: EncodingName;
  /** The compressors' strategies that were applied, then the over-limit steps taken, if any. */
  transformsApplied: string[];
  /** One report per compressed block. */
  blocks: CompressedBlock[];
  /** Blocks left untouched because of an error, the timeout or the signal. */
  failures: BlockFailureReport[];
  /** Why content that looks compressible was left as is, e.g. Anthropic tool blocks in a conversation read as OpenAI chat. */
  notes: string[];
  engine: 'native' | 'js';
  durationMs: number;
  /** Blocks served from the memo (`hits`) and compressed by the engine (`misses`) in this call. */
  memo: { hits: number; misses: number };
  /** With `store`: the retrieval tool to offer, the keys in these messages, and `retrieve(call)`. */
  retrieval?: Retrieval;
}

/** The options of one call, checked, with their defaults. */
export interface ResolvedOptions<M extends ChatMessage> {
  model: string;
  format: MessageFormat;
  provider: Provider;
  system: string | readonly AnthropicBlock[] | undefined;
  tools: readonly unknown[] | undefined;
  maxTokens: number;
  tokenBudget: number | undefined;
  query: string | undefined;
  protectTools: readonly string[];
  minTokens: number;
  maxBlockTokens: number;
  enabled: boolean;
  /** Kinds whose compressor is switched off, in `COMPRESSOR_KINDS` order. */
  disabled: BlockKind[];
  hooks: CompressHooks<M> | undefined;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  betas: readonly string[] | undefined;
}

/** Every option's name, for the misspelling check. */
export const COMPRESS_OPTIONS = [
  'model', 'format', 'system', 'tools', 'maxTokens', 'tokenBudget', 'query', 'protectTools', 'minTokens', 'maxBlockTokens',
  'enabled', 'json', 'log', 'search', 'diff', 'hooks', 'signal', 'timeoutMs', 'provider', 'betas',
  'store', 'retrievalTtlMs',
] as const satisfies readonly (keyof CompressOptions)[];
// A new option must be listed above: this line fails to compile until it is.
const listed: Record<Exclude<keyof CompressOptions, (typeof COMPRESS_OPTIONS)[number]>, never> = {};
void listed;

const defaultProviders = { anthropic: new AnthropicProvider(), openai: new OpenAIProvider() };

/** Checks the arguments of `compress`/`compressSync`, naming the one that is wrong. */
export function resolveOptions<M extends ChatMessage>(fn: string, messages: readonly M[], options: CompressOptions<M> | undefined): ResolvedOptions<M> {
  checkMessages(fn, messages, 'messages');
  if (options !== undefined && !isObj(options)) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const o = (options ?? {}) as CompressOptions<M>;
  checkKeys(fn, o, COMPRESS_OPTIONS);
  type Options = CompressOptions<M>;
  const opt = <K extends keyof Options>(name: K, expected: string, ok: (v: unknown) => boolean): Exclude<Options[K], undefined> | undefined =>
    option<Exclude<Options[K], undefined>>(fn, o, name, expected, ok);
  const model = opt('model', 'a string', (v) => typeof v === 'string') ?? DEFAULT_MODEL;
  const format = opt('format', '"anthropic" or "openai"', (v) => v === 'anthropic' || v === 'openai') ?? detectFormat(messages);
  checkShapes(fn, messages, format, 'messages');
  const provider = opt('provider', 'a Provider (e.g. new AnthropicProvider())', isProvider) ??
    (/claude/i.test(model) ? defaultProviders.anthropic : defaultProviders.openai);
  const system = opt('system', 'a string or an array of text blocks', (v) => typeof v === 'string' || Array.isArray(v));
  const tools = opt('tools', 'an array of tool definitions', Array.isArray);
  const maxTokens = countOption(fn, o, 'maxTokens', false) ?? 0;
  const tokenBudget = countOption(fn, o, 'tokenBudget', false, 1);
  const query = opt('query', 'a string', (v) => typeof v === 'string');
  const protectTools = opt('protectTools', 'an array of tool-name globs', (v) => Array.isArray(v));
  protectTools?.forEach((p, i) => {
    if (typeof p !== 'string') throw new TypeError(`${fn}: options.protectTools[${i}] must be a string, got ${describe(p)}`);
  });
  const minTokens = countOption(fn, o, 'minTokens', true) ?? DEFAULT_MIN_TOKENS;
  const maxBlockTokens = countOption(fn, o, 'maxBlockTokens', true, 1) ?? DEFAULT_MAX_BLOCK_TOKENS;
  const enabled = opt('enabled', 'a boolean', (v) => typeof v === 'boolean') ?? true;
  const disabled = COMPRESSOR_KINDS.filter((kind) => {
    const settings = opt(kind, 'an object such as { enabled: false }', isObj);
    const on = settings?.enabled;
    if (on !== undefined && typeof on !== 'boolean') throw new TypeError(`${fn}: options.${kind}.enabled must be a boolean, got ${describe(on)}`);
    return on === false;
  });
  const hooks = opt('hooks', 'an object of callbacks', isObj);
  for (const name of ['preCompress', 'postCompress'] as const) {
    const hook = hooks?.[name];
    if (hook !== undefined && typeof hook !== 'function') throw new TypeError(`${fn}: options.hooks.${name} must be a function, got ${describe(hook)}`);
  }
  const signal = opt('signal', 'an AbortSignal', (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal);
  const timeoutMs = countOption(fn, o, 'timeoutMs', true, 0, false);
  const betas = opt('betas', 'an array of strings', (v) => Array.isArray(v) && v.every((b) => typeof b === 'string'));
  return {
    model,
    format,
    provider,
    system,
    tools,
    maxTokens,
    tokenBudget,
    query,
    protectTools: protectTools ?? DEFAULT_PROTECT_TOOLS,
    minTokens,
    maxBlockTokens,
    enabled,
    disabled,
    hooks: hooks as CompressHooks<M> | undefined,
    signal,
    timeoutMs,
    betas,
  };
}

/** Each message is an object with a string role (the first check, before the format is known). */
export function checkMessages<M>(fn: string, messages: unknown, what: string): readonly M[] {
  if (!Array.isArray(messages)) throw new TypeError(`${fn}: ${what} must be an array of messages, got ${describe(messages)}`);
  messages.forEach((m: unknown, i) => {
    if (!isObj(m)) throw new TypeError(`${fn}: ${what}[${i}] must be a message object, got ${describe(m)}`);
    if (typeof m['role'] !== 'string') throw new TypeError(`${fn}: ${what}[${i}].role must be a string, got ${describe(m['role'])}`);
  });
  return messages as readonly M[];
}

const ROLES: Record<MessageFormat, { roles: readonly string[]; name: string }> = {
  anthropic: { roles: ['user', 'assistant', 'system'], name: 'Anthropic Messages' },
  openai: { roles: ['system', 'developer', 'user', 'assistant', 'tool', 'function'], name: 'OpenAI chat' },
};

/** Each message's role and content are ones its format has. */
export function checkShapes(fn: string, messages: readonly unknown[], format: MessageFormat, what: string): void {
  const { roles, name } = ROLES[format];
  const listed = roles.map((r) => `"${r}"`);
  const expected = `${listed.slice(0, -1).join(', ')} or ${listed.at(-1)!} (${name})`;
  messages.forEach((m, i) => {
    const { role, content } = m as { role: string; content: unknown };
    if (!roles.includes(role)) throw new TypeError(`${fn}: ${what}[${i}].role must be ${expected}, got ${describe(role)}`);
    const ok = typeof content === 'string' || Array.isArray(content) || (format === 'openai' && (content === null || content === undefined));
    if (!ok) {
      const shape = format === 'anthropic' ? 'a string or an array of content blocks' : 'a string, an array of content parts or null';
      throw new TypeError(`${fn}: ${what}[${i}].content must be ${shape}, got ${describe(content)}`);
    }
  });
}

function isProvider(v: unknown): boolean {
  if (!isObj(v)) return false;
  return ['encoding', 'contextLimit', 'resolveContextLimit', 'estimateTokens'].every((m) => typeof v[m] === 'function');
}
