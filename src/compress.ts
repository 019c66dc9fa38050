// Public compress() / compressSync(): the two drivers of the message pipeline
// (src/messages/pipeline.ts), over the options checked in src/options.ts.

import { checkKeys, describe, option } from './arguments.js';
import { currentEngine } from './engine/loader.js';
import { nextTurn } from './engine/turns.js';
import type { BlockInput, BlockOutcome, EncodingName, Engine, StopWhen } from './engine/types.js';
import { memoCounter, messageCounts, REQUEST_OVERHEAD } from './messages/count.js';
import { toolMatcher } from './messages/eligibility.js';
import { detectFormat, unreadable } from './messages/format.js';
import { defaultMemo, type Memo } from './messages/memo.js';
import { pipeline, type PipelineOutput, type PipelineRequest, type PipelineSettings } from './messages/pipeline.js';
import { isObj, jsonText, type ChatMessage, type MessageFormat } from './messages/types.js';
import {
  checkMessages,
  checkShapes,
  resolveOptions,
  type CompressHooks,
  type CompressOptions,
  type CompressResult,
} from './options.js';
import { encodingForModel } from './providers/encodings.js';
import { retrievalRun } from './retrieval/run.js';
import { declaresRetrieval, retrievalTool } from './retrieval/tool.js';
import type { LimitRequest, Provider } from './providers/types.js';

export {
  DEFAULT_MAX_BLOCK_TOKENS,
  DEFAULT_MIN_TOKENS,
  DEFAULT_MODEL,
  type CompressHooks,
  type CompressOptions,
  type CompressorSettings,
  type CompressResult,
} from './options.js';

/** Batches smaller than this (UTF-16 units) run on the calling thread even in `compress`. */
const ASYNC_MIN_CHARS = 32 * 1024;

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
 * Compresses a conversation's tool output and machine-output user text. Large batches run off the
 * event loop: on the libuv thread pool with the native engine, on worker threads with the JS engine.
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
  return compressWith(processEnv(), messages, options);
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
  return compressSyncWith(processEnv(), messages, options);
}

/** The process's own engine and memo. */
export function processEnv(): CompressEnv {
  return { engine: currentEngine(), memo: defaultMemo };
}

/**
 * What a caller inside the package may ask beyond the options. `keepTurns`: over the context
 * window, stop after compressing older blocks harder, never drop turns (for a conversation read
 * from another shape, whose items have no place for the dropped-turns marker).
 */
export interface InternalOptions {
  keepTurns?: boolean;
}

export async function compressWith<M extends ChatMessage>(
  env: CompressEnv,
  messages: readonly M[],
  options?: CompressOptions<M>,
  internal: InternalOptions = {},
): Promise<CompressResult<M>> {
  const started = performance.now();
  let run = resolve('compress', messages, options, env, internal);
  const replaced = await run.hooks?.preCompress?.(run.messages);
  if (replaced !== undefined) run = { ...run, messages: checkMessages('compress', replaced, 'hooks.preCompress() result') };
  const drive = async (): Promise<PipelineOutput> => {
    // Each synchronous stretch (preparing a batch, reading it back) in an event-loop turn of its own.
    await nextTurn();
    const steps = pipeline(run.messages, run.settings, pipelineEnv(env, run));
    let next = steps.next();
    while (!next.done) {
      const answer = next.value.op === 'turn' ? undefined : await answerAsync(next.value, env.engine, run);
      await nextTurn();
      next = steps.next(answer);
    }
    return next.value;
  };
  let output: PipelineOutput;
  try {
    output = await drive();
    // Retrieval: the originals of the blocks sent go into the store; blocks whose originals it
    // refuses are compressed again from the memo, without their keys (fail open). Each round
    // refuses new keys only (that run may keep a block an earlier one left out), so it ends.
    while (await run.settings.retrieval?.commit(output.blocks)) output = { ...(await drive()), memo: output.memo };
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
  let run = resolve('compressSync', messages, options, env, {});
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
    case 'turn':
      return undefined;
    case 'count':
      return engine.countTokensMany(request.texts, run.settings.encoding);
    case 'detect':
      return engine.detectKinds(request.texts);
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
      if (unitsOf(request.inputs.map((i) => i.content)) < ASYNC_MIN_CHARS) return engine.compressBlocksUntil(request.inputs, run.stop);
      return engine.compressBlocksAsync(request.inputs as BlockInput[], run.stop) satisfies Promise<BlockOutcome[]>;
    case 'turn':
      return undefined;
    case 'count':
      // Few texts cost less than the hop off the calling thread and back.
      if (unitsOf(request.texts) < ASYNC_MIN_CHARS || engine.countTokensManyAsync === undefined) return engine.countTokensMany(request.texts, run.settings.encoding);
      return engine.countTokensManyAsync(request.texts, run.settings.encoding);
    case 'detect':
      if (unitsOf(request.texts) < ASYNC_MIN_CHARS || engine.detectKindsAsync === undefined) return engine.detectKinds(request.texts);
      return engine.detectKindsAsync(request.texts);
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

function unitsOf(texts: readonly string[]): number {
  let units = 0;
  for (const t of texts) units += t.length;
  return units;
}

/** An internal failure: the original messages go back, counted when possible, the reason reported. */
function failOpen<M extends ChatMessage>(run: Run<M>, env: CompressEnv, err: unknown): PipelineOutput {
  let tokens = 0;
  try {
    const memo = env.memo.scope();
    const counter = memoCounter((t) => env.engine.countTokensMany(t, run.settings.encoding), run.settings.encoding, memo, new Map());
    tokens = messageCounts(run.messages, run.settings.format, counter, memo).reduce((a, b) => a + b, REQUEST_OVERHEAD);
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
    notes: run.settings.enabled ? unreadable(run.messages, run.settings.format) : [],
    engine: env.engine.name,
    durationMs: performance.now() - started,
    memo: output.memo,
    ...(run.settings.retrieval === undefined ? {} : { retrieval: run.settings.retrieval.outcome(output.blocks) }),
  };
}

/** The checked options of a call, with what the drivers need: the tokenizer, the fixed tokens, the deadline. */
function resolve<M extends ChatMessage>(fn: string, messages: readonly M[], options: CompressOptions<M> | undefined, env: CompressEnv, internal: InternalOptions): Run<M> {
  const o = resolveOptions(fn, messages, options);
  const encoding = o.provider.encoding(o.model);
  const counter = memoCounter((t) => env.engine.countTokensMany(t, encoding), encoding, env.memo.scope(), new Map());
  const retrieval = retrievalRun(fn, options ?? {}, o.format);
  // The retrieval tool goes out with the request whenever a marker names a key: count it up front.
  const retrievalTools = retrieval === undefined || o.tools?.some(declaresRetrieval) === true ? [] : [retrievalTool(o.format)];
  const fixedTexts = [...systemTexts(o.system), ...[...(o.tools ?? []), ...retrievalTools].map(jsonText)];
  const fixedTokens = fixedTexts.length === 0 ? 0 : counter(fixedTexts).reduce((a, b) => a + b, 0);
  const stop: StopWhen = {};
  if (o.timeoutMs !== undefined && Number.isFinite(o.timeoutMs)) stop.deadline = performance.now() + o.timeoutMs;
  if (o.signal !== undefined) stop.signal = o.signal;
  return {
    messages,
    settings: {
      format: o.format,
      encoding,
      query: o.query,
      isProtected: toolMatcher(o.protectTools),
      minTokens: o.minTokens,
      maxBlockTokens: o.maxBlockTokens,
      enabled: o.enabled,
      dropTurns: internal.keepTurns !== true,
      disabled: o.disabled,
      fixedTokens,
      maxTokens: o.maxTokens,
      estimate: (n) => o.provider.estimateTokens(n),
      retrieval,
    },
    provider: o.provider,
    model: o.model,
    limitRequest: { ...(o.betas === undefined ? {} : { betas: o.betas }), ...(o.signal === undefined ? {} : { signal: o.signal }) },
    tokenBudget: o.tokenBudget,
    system: o.system,
    tools: o.tools,
    hooks: o.hooks,
    stop,
    signal: o.signal,
  };
}

function systemTexts(system: unknown): string[] {
  if (system === undefined) return [];
  if (typeof system === 'string') return [system];
  return (system as unknown[]).map((b) => (isObj(b) && typeof b['text'] === 'string' ? b['text'] : jsonText(b)));
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
  checkKeys(fn, o, ['model', 'encoding', 'format']);
  const format = option<MessageFormat>(fn, o, 'format', '"anthropic" or "openai"', (v) => v === 'anthropic' || v === 'openai') ?? detectFormat(messages);
  checkShapes(fn, messages, format, 'messages');
  const model = option<string>(fn, o, 'model', 'a string', (v) => typeof v === 'string');
  const encoding =
    option<EncodingName>(fn, o, 'encoding', '"o200k_base" or "cl100k_base"', (v) => v === 'o200k_base' || v === 'cl100k_base') ??
    (model === undefined ? 'o200k_base' : encodingForModel(model));
  const engine = currentEngine();
  const memo = defaultMemo.scope();
  const counter = memoCounter((t) => engine.countTokensMany(t, encoding), encoding, memo, new Map());
  return messageCounts(messages, format, counter, memo).reduce((a, b) => a + b, REQUEST_OVERHEAD);
}
