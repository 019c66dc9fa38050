// Public compress() / compressSync(): argument checks, the provider, and the two drivers of the
// message pipeline (src/messages/pipeline.ts).

import { currentEngine } from './engine/loader.js';
import { nextTurn } from './engine/turns.js';
import type { BlockInput, BlockOutcome, EncodingName, Engine, StopWhen } from './engine/types.js';

/** The kinds with a compressor, in the order settings are keyed. */
const COMPRESSOR_KINDS = ['json', 'log', 'search', 'diff'] as const;
import { memoCounter, messageCounts, REQUEST_OVERHEAD } from './messages/count.js';
import { DEFAULT_PROTECT_TOOLS, toolMatcher } from './messages/eligibility.js';
import { detectFormat } from './messages/format.js';
import { defaultMemo, type Memo } from './messages/memo.js';
import {
  pipeline,
  type BlockFailureReport,
  type CompressedBlock,
  type PipelineOutput,
  type PipelineRequest,
  type PipelineSettings,
} from './messages/pipeline.js';
import { isObj, type AnthropicBlock, type ChatMessage, type MessageFormat } from './messages/types.js';
import { AnthropicProvider } from './providers/anthropic.js';
import { OpenAIProvider } from './providers/openai.js';
import { encodingForModel } from './providers/encodings.js';
import type { LimitRequest, Provider } from './providers/types.js';
import { describe } from './tokens.js';

export const DEFAULT_MODEL = 'claude-sonnet-4-5-20250929';
export const DEFAULT_MIN_TOKENS = 200;
export const DEFAULT_MAX_BLOCK_TOKENS = 4000;
/** Batches smaller than this (UTF-16 units) run on the calling thread even in `compress`. */
const ASYNC_MIN_CHARS = 32 * 1024;

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
  engine: 'native' | 'js';
  durationMs: number;
  /** Blocks served from the memo (`hits`) and compressed by the engine (`misses`) in this call. */
  memo: { hits: number; misses: number };
}

/** What the drivers need besides the pipeline's settings. */
interface Run<M extends ChatMessage> {
  messages: readonly M[];
  settings: PipelineSettings;
  provider: Provider;
  model: string;
  limitRequest: LimitRequest;
  tokenBudget: number | undefined;
  system: unknown;
  tools: readonly unknown[] | undefined;
  hooks: CompressHooks<M> | undefined;
  stop: StopWhen;
  signal: AbortSignal | undefined;
}

/** The engine and memo a call uses: the process's own, or injected by tests and benches. */
export interface CompressEnv {
  engine: Engine;
  memo: Memo;
}

/**
 * Compresses a conversation's tool output and machine-output user text. With the native engine
 * the work runs on the libuv thread pool; the JS engine runs it on the calling thread.
 *
 * @example
 * ```ts
 * import { compress } from 'headroom-ai';
 * const { messages, tokensSaved } = await compress(history, { model: 'claude-sonnet-4-5-20250929' });
 * await anthropic.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages });
 * ```
 */
export async function compress<M extends ChatMessage>(messages: readonly M[], options?: CompressOptions<M>): Promise<CompressResult<M>> {
  // async: a configuration error from choosing the engine rejects the promise, never throws.
  return compressWith({ engine: currentEngine(), memo: defaultMemo }, messages, options);
}

/**
 * `compress`, synchronously (async hooks are not allowed; the context window comes from what the
 * provider knows without a request).
 *
 * @example
 * ```ts
 * import { compressSync } from 'headroom-ai';
 * const { messages } = compressSync(history, { maxBlockTokens: 2000 });
 * ```
 */
export function compressSync<M extends ChatMessage>(messages: readonly M[], options?: CompressOptions<M>): CompressResult<M> {
  return compressSyncWith({ engine: currentEngine(), memo: defaultMemo }, messages, options);
}

export async function compressWith<M extends ChatMessage>(
  env: CompressEnv,
  messages: readonly M[],
  options?: CompressOptions<M>,
): Promise<CompressResult<M>> {
  const started = performance.now();
  let run = resolve('compress', messages, options, env);
  const replaced = await run.hooks?.preCompress?.(run.messages);
  if (replaced !== undefined) run = { ...run, messages: checkMessages('compress', replaced, 'hooks.preCompress() result') };
  let output: PipelineOutput;
  try {
    // Each synchronous stretch (preparing a batch, reading it back) in an event-loop turn of its own.
    await nextTurn();
    const steps = pipeline(run.messages, run.settings, pipelineEnv(env, run));
    let next = steps.next();
    while (!next.done) {
      const answer = await answerAsync(next.value, env.engine, run);
      await nextTurn();
      next = steps.next(answer);
    }
    output = next.value;
  } catch (err) {
    output = failOpen(run, env, err);
  }
  const result = finish(output, run, env, started);
  return (await run.hooks?.postCompress?.(result)) ?? result;
}

export function compressSyncWith<M extends ChatMessage>(
  env: CompressEnv,
  messages: readonly M[],
  options?: CompressOptions<M>,
): CompressResult<M> {
  const started = performance.now();
  let run = resolve('compressSync', messages, options, env);
  const replaced = syncHook(run.hooks?.preCompress?.(run.messages), 'preCompress');
  if (replaced !== undefined) run = { ...run, messages: checkMessages('compressSync', replaced, 'hooks.preCompress() result') };
  let output: PipelineOutput;
  try {
    const steps = pipeline(run.messages, run.settings, pipelineEnv(env, run));
    let next = steps.next();
    while (!next.done) next = steps.next(answerSync(next.value, env.engine, run));
    output = next.value;
  } catch (err) {
    output = failOpen(run, env, err);
  }
  const result = finish(output, run, env, started);
  return syncHook(run.hooks?.postCompress?.(result), 'postCompress') ?? result;
}

function syncHook<T>(value: T | void | Promise<T | void>, name: string): T | undefined {
  if (value instanceof Promise || (isObj(value) && typeof (value as { then?: unknown }).then === 'function')) {
    throw new TypeError(`compressSync: hooks.${name} returned a promise; use compress() for async hooks`);
  }
  return (value ?? undefined) as T | undefined;
}

function pipelineEnv<M extends ChatMessage>(env: CompressEnv, run: Run<M>) {
  return { ...env, stopReason: () => (run.signal?.aborted === true ? ('aborted' as const) : ('timeout' as const)) };
}

function answerSync<M extends ChatMessage>(request: PipelineRequest, engine: Engine, run: Run<M>): unknown {
  switch (request.op) {
    case 'compress':
      return engine.compressBlocksUntil(request.inputs, run.stop);
    case 'limit':
      return run.tokenBudget ?? run.provider.contextLimit(run.model, run.limitRequest);
    case 'exact':
      return undefined;
  }
}

async function answerAsync<M extends ChatMessage>(request: PipelineRequest, engine: Engine, run: Run<M>): Promise<unknown> {
  switch (request.op) {
    case 'compress':
      // A small batch costs less than the hop to the thread pool and back.
      if (request.inputs.reduce((n, i) => n + i.content.length, 0) < ASYNC_MIN_CHARS) return engine.compressBlocksUntil(request.inputs, run.stop);
      return engine.compressBlocksAsync(request.inputs as BlockInput[], run.stop) satisfies Promise<BlockOutcome[]>;
    case 'limit':
      return run.tokenBudget ?? (await run.provider.resolveContextLimit(run.model, run.limitRequest));
    case 'exact':
      return run.provider.countInputTokens?.({
        model: run.model,
        messages: request.messages,
        ...(run.system === undefined ? {} : { system: run.system }),
        ...(run.tools === undefined ? {} : { tools: run.tools }),
      });
  }
}

/** An internal failure: the original messages go back, counted when possible, the reason reported. */
function failOpen<M extends ChatMessage>(run: Run<M>, env: CompressEnv, err: unknown): PipelineOutput {
  let tokens = 0;
  try {
    const counter = memoCounter((t) => env.engine.countTokensMany(t, run.settings.encoding), run.settings.encoding, env.memo, new Map());
    tokens = messageCounts(run.messages, run.settings.format, counter, env.memo).reduce((a, b) => a + b, REQUEST_OVERHEAD);
  } catch {
    // Counting failed as well: report zero rather than throw.
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    messages: [...run.messages],
    tokensBefore: tokens,
    tokensAfter: tokens,
    blocks: [],
    failures: [{ messageIndex: -1, blockIndex: -1, reason: 'error', message: `internal error; messages passed through: ${message}` }],
    transformsApplied: [],
    memo: { hits: 0, misses: 0 },
  };
}

function finish<M extends ChatMessage>(output: PipelineOutput, run: Run<M>, env: CompressEnv, started: number): CompressResult<M> {
  const { tokensBefore, tokensAfter } = output;
  const saved = tokensBefore - tokensAfter;
  return {
    messages: output.messages as M[],
    tokensBefore,
    tokensAfter,
    tokensSaved: saved,
    compressionRatio: tokensBefore === 0 ? 1 : tokensAfter / tokensBefore,
    savingsPercent: tokensBefore === 0 ? 0 : (saved / tokensBefore) * 100,
    tokenizer: run.settings.encoding,
    transformsApplied: output.transformsApplied,
    blocks: output.blocks,
    failures: output.failures,
    engine: env.engine.name,
    durationMs: performance.now() - started,
    memo: output.memo,
  };
}

const defaultProviders = { anthropic: new AnthropicProvider(), openai: new OpenAIProvider() };

/** Checks the arguments of `compress`/`compressSync`, naming the one that is wrong. */
function resolve<M extends ChatMessage>(fn: string, messages: readonly M[], options: CompressOptions<M> | undefined, env: CompressEnv): Run<M> {
  checkMessages(fn, messages, 'messages');
  if (options !== undefined && !isObj(options)) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const o = (options ?? {}) as CompressOptions<M>;
  type Options = CompressOptions<M>;
  const opt = <K extends keyof Options>(name: K, expected: string, ok: (v: unknown) => boolean): Exclude<Options[K], undefined> | undefined =>
    optional<Exclude<Options[K], undefined>>(fn, o, name, expected, ok);
  const model = opt('model', 'a string', (v) => typeof v === 'string') ?? DEFAULT_MODEL;
  const format = opt('format', '"anthropic" or "openai"', (v) => v === 'anthropic' || v === 'openai') ?? detectFormat(messages);
  const provider = opt('provider', 'a Provider (e.g. new AnthropicProvider())', isProvider) ??
    (/claude/i.test(model) ? defaultProviders.anthropic : defaultProviders.openai);
  const system = opt('system', 'a string or an array of text blocks', (v) => typeof v === 'string' || Array.isArray(v));
  const tools = opt('tools', 'an array of tool definitions', Array.isArray);
  const maxTokens = count(fn, o, 'maxTokens', false) ?? 0;
  const tokenBudget = count(fn, o, 'tokenBudget', false, 1);
  const query = opt('query', 'a string', (v) => typeof v === 'string');
  const protectTools = opt('protectTools', 'an array of tool-name globs', (v) => Array.isArray(v));
  protectTools?.forEach((p, i) => {
    if (typeof p !== 'string') throw new TypeError(`${fn}: options.protectTools[${i}] must be a string, got ${describe(p)}`);
  });
  const minTokens = count(fn, o, 'minTokens', true) ?? DEFAULT_MIN_TOKENS;
  const maxBlockTokens = count(fn, o, 'maxBlockTokens', true, 1) ?? DEFAULT_MAX_BLOCK_TOKENS;
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
  const timeoutMs = count(fn, o, 'timeoutMs', true, 0, false);
  const betas = opt('betas', 'an array of strings', (v) => Array.isArray(v) && v.every((b) => typeof b === 'string'));

  const encoding = provider.encoding(model);
  const counter = memoCounter((t) => env.engine.countTokensMany(t, encoding), encoding, env.memo, new Map());
  const fixedTexts = [...systemTexts(system), ...(tools ?? []).map(jsonText)];
  const fixedTokens = fixedTexts.length === 0 ? 0 : counter(fixedTexts).reduce((a, b) => a + b, 0);
  const stop: StopWhen = {};
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) stop.deadline = performance.now() + timeoutMs;
  if (signal !== undefined) stop.signal = signal;
  return {
    messages,
    settings: {
      format,
      encoding,
      query,
      isProtected: toolMatcher(protectTools ?? DEFAULT_PROTECT_TOOLS),
      minTokens,
      maxBlockTokens,
      enabled,
      disabled,
      fixedTokens,
      maxTokens,
      estimate: (n) => provider.estimateTokens(n),
    },
    provider,
    model,
    limitRequest: betas === undefined ? {} : { betas },
    tokenBudget,
    system,
    tools,
    hooks: hooks as CompressHooks<M> | undefined,
    stop,
    signal,
  };
}

function checkMessages<M>(fn: string, messages: unknown, what: string): readonly M[] {
  if (!Array.isArray(messages)) throw new TypeError(`${fn}: ${what} must be an array of messages, got ${describe(messages)}`);
  messages.forEach((m: unknown, i) => {
    if (!isObj(m)) throw new TypeError(`${fn}: ${what}[${i}] must be a message object, got ${describe(m)}`);
    if (typeof m['role'] !== 'string') throw new TypeError(`${fn}: ${what}[${i}].role must be a string, got ${describe(m['role'])}`);
  });
  return messages as readonly M[];
}

function optional<T>(fn: string, o: object, name: string, expected: string, ok: (v: unknown) => boolean): T | undefined {
  const value = (o as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (!ok(value)) throw new TypeError(`${fn}: options.${name} must be ${expected}, got ${describe(value)}`);
  return value as T;
}

/** A token or millisecond count: a non-negative integer (≥ `min`), or Infinity where allowed. */
function count(fn: string, o: object, name: string, infinite: boolean, min = 0, integer = true): number | undefined {
  const value = (o as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${fn}: options.${name} must be a number, got ${describe(value)}`);
  const ok = value === Infinity ? infinite : Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) {
    const what = `${integer ? 'an integer' : 'a number'} ≥ ${min}${infinite ? ' or Infinity' : ''}`;
    throw new RangeError(`${fn}: options.${name} must be ${what}, got ${value}`);
  }
  return value;
}

function isProvider(v: unknown): boolean {
  if (!isObj(v)) return false;
  return ['encoding', 'contextLimit', 'resolveContextLimit', 'estimateTokens'].every((m) => typeof v[m] === 'function');
}

function systemTexts(system: unknown): string[] {
  if (system === undefined) return [];
  if (typeof system === 'string') return [system];
  return (system as unknown[]).map((b) => (isObj(b) && typeof b['text'] === 'string' ? b['text'] : jsonText(b)));
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

export interface CountMessageTokensOptions {
  /** Picks the encoding (Claude and unknown ids: o200k_base). */
  model?: string;
  /** The encoding; takes precedence over `model`. */
  encoding?: EncodingName;
  /** The messages' format; detected when absent. */
  format?: MessageFormat;
}

/**
 * Estimates a conversation's tokens by headroom's documented convention: every text counted
 * exactly, plus a fixed overhead per message (3), per structural block (3) and per request (3);
 * images by their pixel size, PDFs by their pages, never as base64 text. The same convention gives
 * `compress()`'s `tokensBefore`/`tokensAfter`.
 *
 * @example
 * ```ts
 * import { countMessageTokens } from 'headroom-ai';
 * countMessageTokens([{ role: 'user', content: 'hello world' }]); // 8: 2 + 3 + 3
 * ```
 */
export function countMessageTokens(messages: readonly ChatMessage[], options?: CountMessageTokensOptions): number {
  const fn = 'countMessageTokens';
  checkMessages(fn, messages, 'messages');
  if (options !== undefined && !isObj(options)) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const o = options ?? {};
  const format = optional<MessageFormat>(fn, o, 'format', '"anthropic" or "openai"', (v) => v === 'anthropic' || v === 'openai') ?? detectFormat(messages);
  const model = optional<string>(fn, o, 'model', 'a string', (v) => typeof v === 'string');
  const encoding =
    optional<EncodingName>(fn, o, 'encoding', '"o200k_base" or "cl100k_base"', (v) => v === 'o200k_base' || v === 'cl100k_base') ??
    (model === undefined ? 'o200k_base' : encodingForModel(model));
  const engine = currentEngine();
  const counter = memoCounter((t) => engine.countTokensMany(t, encoding), encoding, defaultMemo, new Map());
  return messageCounts(messages, format, counter, defaultMemo).reduce((a, b) => a + b, REQUEST_OVERHEAD);
}
