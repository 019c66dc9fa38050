// What every SDK wrapper shares: its options, its totals, the event it reports per request, and the
// one path an intercepted call takes: check `headroom`, read the request through the SDK's dialect,
// compress, send with the SDK's own call, and hand back the SDK's own APIPromise at once.
//
// With retrieval on, that path also puts in the answers to retrieval calls the caller left
// unanswered, offers the `headroom_retrieve` tool when a marker names a key, and, once the response
// is read, lets the dialect's round loop answer the model's retrieval calls and send again before
// the caller sees a response (src/wrap/retrieval.ts).

import { checkKeys, describe } from '../arguments.js';
import { compressWith, processEnv } from '../compress.js';
import type { BlockFailureReport } from '../messages/pipeline.js';
import { isObj, type ChatMessage, type MessageFormat, type Obj } from '../messages/types.js';
import { COMPRESS_OPTIONS, resolveOptions, type CompressOptions } from '../options.js';
import type { Provider } from '../providers/types.js';
import { intercept } from './intercept.js';
import { PendingRetrievals } from '../retrieval/pending.js';
import type { Retrieval } from '../retrieval/run.js';
import { retrievalReport, withRetrievalTool, wrapperRetrieval, type RetrievalReport, type WrapperRetrieval, type WrapperRetrievalOptions } from './retrieval.js';
import { coherentResponseProps, deferred, type APIPromiseClass } from './sdk.js';

/** Options every wrapper takes: compress()'s, less what each request says for itself. */
export interface WrapperOptions extends Omit<CompressOptions, 'format' | 'system' | 'tools' | 'maxTokens' | 'betas' | 'signal' | 'provider'> {
  /** Context windows and token estimates (default: the SDK's provider). */
  provider?: Provider;
  /** Called after every request is prepared, with what compression did. */
  onCompress?: (event: CompressEvent) => void;
}

/** What happened to one request's messages. */
export interface CompressEvent {
  /** The intercepted call, e.g. `messages.create`, `chat.completions.create`, `responses.inputTokens.count`. */
  method: string;
  model: string;
  /** `local`: in-process; `remote`: the server at `baseUrl`; `bypass`: `headroom: false`; `failed`: sent untouched. */
  mode: 'local' | 'remote' | 'bypass' | 'failed';
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  transformsApplied: string[];
  /** Blocks left untouched by an internal error or the deadline. */
  failures: BlockFailureReport[];
  /** Why content that looks compressible was left as is (see `CompressResult.notes`). */
  notes: string[];
  /** Why remote compression was not used (then `mode` is `local`), or why nothing was compressed (`failed`). */
  error?: string;
  /** With retrieval on: the keys the markers sent name, and blocks sent without one because the store refused them. */
  retrieval?: RetrievalReport;
  durationMs: number;
}

/** Totals across a wrapped client's requests. */
export interface HeadroomStats {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** Prompt-cache reads the API reported (Anthropic `cache_read_input_tokens`, OpenAI `cached_tokens`), streams included. */
  cacheReadInputTokens: number;
  /** Prompt-cache writes the API reported (Anthropic `cache_creation_input_tokens`). */
  cacheCreationInputTokens: number;
  /** Round trips the wrapper made to answer the model's `headroom_retrieve` calls itself. */
  retrievalRounds: number;
  /** Tokens (o200k_base) of the answers it gave in those rounds. */
  retrievedTokens: number;
}

/** The bypass flag a wrapped client's request params may carry: `false` sends it uncompressed. */
export interface HeadroomParam {
  /** `false` sends this request without compression (headroom removes the field before sending). */
  headroom?: boolean;
}

/**
 * An SDK method's type that also takes `headroom` in its first argument, overload by overload (up to
 * three: TypeScript matches an overloaded method's last signatures pairwise against these). Generic
 * signatures are read at their constraints, so the wrapped client keeps the SDK's own signatures
 * first and adds these after them.
 */
export type WithHeadroomParam<F> = F extends {
  (params: infer P1, ...rest: infer R1): infer O1;
  (params: infer P2, ...rest: infer R2): infer O2;
  (params: infer P3, ...rest: infer R3): infer O3;
}
  ? { (params: P1 & HeadroomParam, ...rest: R1): O1; (params: P2 & HeadroomParam, ...rest: R2): O2; (params: P3 & HeadroomParam, ...rest: R3): O3 }
  : F;

/** A batch-create method's type whose `requests[i].params` also take `headroom`. */
export type WithHeadroomRequests<F> = F extends (params: infer P, ...rest: infer R) => infer O
  ? P extends { requests: ReadonlyArray<infer Q> }
    ? (params: Omit<P, 'requests'> & { requests: ReadonlyArray<Q extends { params: infer QP } ? Omit<Q, 'params'> & { params: QP & HeadroomParam } : Q> }, ...rest: R) => O
    : F
  : F;

/** A request as a dialect reads it: the conversation to compress and how to put it back. */
export interface RequestView {
  model: string | undefined;
  messages: readonly ChatMessage[];
  format: MessageFormat;
  system?: CompressOptions['system'];
  tools?: readonly unknown[];
  maxTokens?: number;
  betas?: readonly string[];
  /** The params to send with `messages` (the compressed conversation, in `format`). */
  rebuild(messages: readonly unknown[]): Obj;
  /** `messages` is a view of items in another shape: over the limit, turns are never dropped. */
  keepTurns?: boolean;
}

/** What a round loop needs: the params sent, and how to send the next round. */
export interface RoundContext {
  /** The params of the request as it was sent (compressed, with the tool). */
  params: Obj;
  retrieval: WrapperRetrieval;
  stats: HeadroomStats;
  /** Sends `params` with the SDK's own call and the caller's options; the parsed data. */
  send(params: Obj): Promise<unknown>;
}

/** What compression made of a request: the event's counts, and the messages to send. */
export type Compressed = Pick<CompressEvent, 'tokensBefore' | 'tokensAfter' | 'tokensSaved' | 'transformsApplied' | 'failures' | 'notes'> & {
  messages: readonly unknown[];
  mode: 'local' | 'remote';
  retrieval?: Retrieval;
};

/** How one SDK's requests read. */
export interface RequestDialect<O extends WrapperOptions = WrapperOptions> {
  /** The model the wrapper assumes when a request names none. */
  defaultModel: string;
  /** Whether its requests may carry retrieval keys: the wrapper then answers the model's calls. */
  retrieval?: boolean;
  /** Reads `params` of `method`; undefined when there is nothing to compress. */
  read(params: Obj, method: string, context: RequestContext): RequestView | undefined;
  /** Compression other than in-process (Anthropic's remote mode); undefined: in-process. */
  compressRemote?(view: RequestView, model: string, session: Session<O>, context: RequestContext): Promise<Compressed | string | undefined>;
  /** After compression: changes to the params besides messages (Anthropic's cache alignment), and what to report. */
  finish?(params: Obj, method: string, session: Session<O>): { params: Obj; report?: Record<string, unknown> };
}

/** How one SDK's requests and responses read. */
export interface Dialect<O extends WrapperOptions = WrapperOptions> extends RequestDialect<O> {
  /** The SDK's own APIPromise, so `.withResponse()` and the SDK's helpers work on what we return. */
  APIPromise: APIPromiseClass;
  /** Counts the prompt-cache usage a response or a stream reports; returns the data to hand on. */
  usage(data: unknown, stats: HeadroomStats): unknown;
  /** Answers the model's retrieval calls and sends again; the response (or stream) the caller gets. */
  rounds?(data: unknown, context: RoundContext): unknown;
}

/** What a request's options tell compression: its abort signal and headers. */
export interface RequestContext {
  signal: AbortSignal | undefined;
  headers: Readonly<Record<string, string>>;
}

/** One wrapped client's settings and totals, shared by the wrappers of its resources. */
export interface Session<O extends WrapperOptions = WrapperOptions> {
  options: O;
  /** Undefined: compress() picks one by the model id. */
  provider: Provider | undefined;
  stats: HeadroomStats;
  /** Undefined: retrieval is off (`retrieval: false`). */
  retrieval: WrapperRetrieval | undefined;
  /** Answers for the retrieval calls the caller left unanswered (mixed turns). */
  pending: PendingRetrievals | undefined;
}

/** Checks a wrapper's options (every compress option, and `extra` of the wrapper's own) at wrap time. */
export function checkWrapperOptions(fn: string, options: unknown, extra: readonly string[]): void {
  if (!isObj(options)) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const own = ['provider', 'onCompress', ...extra];
  const dropped = ['format', 'system', 'tools', 'maxTokens', 'betas', 'signal'];
  checkKeys(fn, options, [...COMPRESS_OPTIONS.filter((k) => !dropped.includes(k)), ...own.filter((k) => !COMPRESS_OPTIONS.includes(k as never))]);
  const { provider, onCompress, ...rest } = options;
  for (const k of extra) delete (rest as Record<string, unknown>)[k];
  // The compress options are checked as compress() would, now rather than on the first request.
  resolveOptions(fn, [], rest);
  if (provider !== undefined && (!isObj(provider) || typeof provider['resolveContextLimit'] !== 'function')) {
    throw new TypeError(`${fn}: options.provider must be a provider such as new AnthropicProvider(), got ${describe(provider)}`);
  }
  if (onCompress !== undefined && typeof onCompress !== 'function') {
    throw new TypeError(`${fn}: options.onCompress must be a function, got ${describe(onCompress)}`);
  }
}

/** A wrapper's session; with `retrievalFor` (the wrapper's name), retrieval per its options (on by default). */
export function newSession<O extends WrapperOptions>(options: O, provider: Provider | undefined, retrievalFor?: string): Session<O> {
  const retrieval = retrievalFor === undefined ? undefined : wrapperRetrieval(retrievalFor, options as O & WrapperRetrievalOptions);
  return {
    options,
    provider,
    stats: { requests: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, retrievalRounds: 0, retrievedTokens: 0 },
    retrieval,
    pending: retrieval === undefined ? undefined : new PendingRetrievals(retrieval.store),
  };
}

type Call = (params: unknown, options?: unknown) => unknown;

/**
 * The wrapped client: a Proxy whose `members` (built from the client and the wrapped client
 * itself, for the resources' `_client`) are the SDK's dialect; `stats()` with `withStats`, and a
 * `withOptions` that wraps the client it returns the same way.
 */
export function wrapClient<C extends object>(
  client: C,
  session: Session,
  withStats: boolean,
  members: (client: Obj, self: () => object) => Record<string, () => unknown>,
): C {
  const c = client as Obj;
  const wrapped: C = intercept(client, {
    ...members(c, () => wrapped),
    ...(withStats ? { stats: () => (): HeadroomStats => ({ ...session.stats }) } : {}),
    ...(typeof c['withOptions'] === 'function'
      ? { withOptions: () => (...args: unknown[]) => wrapClient((c['withOptions'] as (...a: unknown[]) => object).apply(client, args), session, withStats, members) }
      : {}),
  });
  return wrapped;
}

/**
 * The intercepted `method`: returns the SDK's APIPromise at once, over the response of `call`
 * made with the compressed params. `count`: a counting call (no stats, no usage).
 */
export function intercepted<O extends WrapperOptions>(
  dialect: Dialect<O>,
  session: Session<O>,
  client: object,
  method: string,
  call: Call,
  count = false,
): Call {
  return (params, options) => {
    checkHeadroomParam(params, method);
    const sent = requestContext(options).then(async (context) => {
      const prepared = await prepare(dialect, session, params, method, context);
      return { call: call(prepared, options), prepared };
    });
    if (count) return deferred(dialect.APIPromise, client, sent);
    const { retrieval } = session;
    const rounds = retrieval === undefined || dialect.retrieval !== true ? undefined : dialect.rounds;
    const promise = deferred(dialect.APIPromise, client, sent, async (data) => {
      const first = dialect.usage(data, session.stats);
      const { prepared } = await sent;
      if (rounds === undefined || retrieval === undefined || !isObj(prepared)) return first;
      // The later rounds go out as they are: the answers in them are never compressed again.
      const send = async (next: Obj): Promise<unknown> => dialect.usage(await (call(next, options) as Promise<unknown>), session.stats);
      return rounds(first, { params: prepared, retrieval, stats: session.stats, send });
    });
    if (rounds !== undefined) coherentResponseProps(promise);
    return promise;
  };
}

/** `headroom` in request params: `false` bypasses compression; it is never sent. */
export function checkHeadroomParam(params: unknown, method: string): void {
  if (isObj(params) && 'headroom' in params && typeof params['headroom'] !== 'boolean') {
    throw new TypeError(`${method}: params.headroom must be a boolean (false bypasses compression), got ${describe(params['headroom'])}`);
  }
}

/** The request options' signal and headers (the SDKs also take the options as a promise). */
export async function requestContext(options: unknown): Promise<RequestContext> {
  const o = await options;
  if (!isObj(o)) return { signal: undefined, headers: {} };
  const signal = o['signal'] instanceof AbortSignal ? o['signal'] : undefined;
  const headers: Record<string, string> = {};
  const given = o['headers'];
  if (given instanceof Headers) given.forEach((v, k) => (headers[k] = v));
  else if (isObj(given)) for (const [k, v] of Object.entries(given)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  return { signal, headers };
}

/**
 * The params to send: messages compressed, then the dialect's own finishing. Never throws for
 * anything but an aborted request: an internal failure sends the caller's params untouched.
 */
export async function prepare<O extends WrapperOptions>(
  dialect: RequestDialect<O>,
  session: Session<O>,
  params: unknown,
  method: string,
  context: RequestContext,
  withRetrieval = true,
): Promise<unknown> {
  if (!isObj(params)) return params;
  const { headroom, ...rest } = params;
  const started = performance.now();
  let model = session.options.model ?? (typeof rest['model'] === 'string' ? rest['model'] : dialect.defaultModel);
  const counting = method.endsWith('countTokens') || method.endsWith('.count');
  const emit = (event: Omit<CompressEvent, 'method' | 'model' | 'durationMs'>, report?: Record<string, unknown>): void => {
    const full: CompressEvent = { method, model, ...event, ...report, durationMs: performance.now() - started };
    if (!counting) {
      session.stats.requests++;
      session.stats.tokensBefore += event.tokensBefore;
      session.stats.tokensAfter += event.tokensAfter;
      session.stats.tokensSaved += event.tokensSaved;
    }
    try {
      session.options.onCompress?.(full);
    } catch {
      // A logging callback must not break the request.
    }
  };
  const untouched = { tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, transformsApplied: [], failures: [], notes: [] };
  try {
    const retrieval = withRetrieval && dialect.retrieval === true ? session.retrieval : undefined;
    let base: Obj = rest;
    let view = headroom === false ? undefined : dialect.read(rest, method, context);
    // Retrieval calls the caller left unanswered get their answers first, bypass or not: the API
    // refuses a tool_use without its tool_result.
    if (retrieval !== undefined && session.pending !== undefined) {
      const source = view ?? dialect.read(rest, method, context);
      if (source !== undefined) {
        const supplied = await session.pending.supply(source.messages, source.format);
        if (supplied !== source.messages) {
          const resent = source.rebuild(supplied);
          if (view === undefined) {
            emit({ mode: 'bypass', ...untouched });
            return resent;
          }
          base = resent;
          view = dialect.read(resent, method, context);
        }
      }
    }
    if (view === undefined) {
      emit({ mode: 'bypass', ...untouched });
      return base;
    }
    model = session.options.model ?? view.model ?? dialect.defaultModel;
    let result: Compressed | undefined;
    let remoteError: string | undefined;
    const remote = await dialect.compressRemote?.(view, model, session, context);
    if (typeof remote === 'string') remoteError = remote;
    else result = remote;
    if (result === undefined) {
      const { onCompress, provider, store, ...compressOptions } = session.options as WrapperOptions & Record<string, unknown>;
      void onCompress;
      void provider;
      void store;
      for (const k of Object.keys(compressOptions)) if (!COMPRESS_OPTIONS.includes(k as never)) delete compressOptions[k];
      const local = await compressWith(processEnv(), view.messages, {
        ...(compressOptions as CompressOptions),
        ...(retrieval === undefined ? {} : { store: retrieval.store }),
        model,
        format: view.format,
        ...(session.provider === undefined ? {} : { provider: session.provider }),
        ...(view.system === undefined ? {} : { system: view.system }),
        ...(view.tools === undefined ? {} : { tools: view.tools }),
        ...(view.maxTokens === undefined ? {} : { maxTokens: view.maxTokens }),
        ...(view.betas === undefined ? {} : { betas: view.betas }),
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      }, { keepTurns: view.keepTurns === true });
      result = { ...local, mode: 'local' };
    }
    let out = result.messages === view.messages ? base : view.rebuild(result.messages);
    if (retrieval !== undefined && result.retrieval !== undefined) out = withRetrievalTool(out, result.retrieval);
    let report: Record<string, unknown> | undefined;
    if (dialect.finish !== undefined) ({ params: out, report } = dialect.finish(out, method, session));
    emit(
      {
        mode: result.mode,
        tokensBefore: result.tokensBefore,
        tokensAfter: result.tokensAfter,
        tokensSaved: result.tokensSaved,
        transformsApplied: result.transformsApplied,
        failures: result.failures,
        notes: result.notes,
        ...(remoteError === undefined ? {} : { error: remoteError }),
        ...(result.retrieval === undefined ? {} : { retrieval: retrievalReport(result.retrieval) }),
      },
      report,
    );
    return out;
  } catch (err) {
    if (context.signal?.aborted) throw err;
    emit({ mode: 'failed', ...untouched, error: err instanceof Error ? err.message : String(err) });
    return rest;
  }
}
