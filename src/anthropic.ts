// headroom-ai/anthropic: withHeadroom and HeadroomClient for the Anthropic SDK, and for any client
// with its Messages surface (AnthropicBedrock, AnthropicVertex).
//
// The wrapper is a Proxy over the caller's client. `messages.create` (streaming or not),
// `countTokens` and `batches.create`, and their `beta.messages` twins, compress the request first;
// `stream()` and `parse()` run the SDK's own code against the wrapped `create`. Compression is
// asynchronous, but `create` must hand back the SDK's APIPromise at once: it returns one built
// over the response of the real call made after compression, so `.withResponse()`,
// `.asResponse()`, errors and retries are the SDK's own.

import { APIPromise } from '@anthropic-ai/sdk';
import { CacheAligner, type AlignmentReport, type SystemPrompt } from './cache/aligner.js';
import { addCacheBreakpoints, cacheMarkers, MAX_CACHE_MARKERS, type CacheableParams } from './cache/breakpoints.js';
import { compress, type CompressOptions } from './compress.js';
import type { BlockFailureReport } from './messages/pipeline.js';
import { remoteCompress } from './remote.js';
import { isObj, type AnthropicMessage, type Obj } from './messages/types.js';
import { AnthropicProvider } from './providers/anthropic.js';
import type { Provider } from './providers/types.js';
import { describe } from './arguments.js';

/** Options for `withHeadroom` and `HeadroomClient`. */
export interface HeadroomOptions
  extends Omit<CompressOptions<AnthropicMessage>, 'format' | 'system' | 'tools' | 'maxTokens' | 'betas' | 'signal' | 'provider'> {
  /** Context windows and token estimates (default: `new AnthropicProvider({ client })`). */
  provider?: Provider;
  /** Compress through a headroom-compatible server (`POST {baseUrl}/v1/compress`) instead of in-process. */
  baseUrl?: string;
  /** Called after every request is prepared, with what compression did. */
  onCompress?: (event: CompressEvent) => void;
  /** Move system-prompt lines with dates, ids and other volatile values to a trailing block. */
  moveDynamicToTail?: boolean;
  /** `'auto'`: add cache_control breakpoints at the end of tools, system and the last message. */
  cacheBreakpoints?: 'auto' | 'off';
}

/** What happened to one request's messages. */
export interface CompressEvent {
  /** The intercepted call, e.g. `messages.create`, `beta.messages.countTokens`, `messages.batches.create`. */
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
  /** Why remote compression was not used (then `mode` is `local`), or why nothing was compressed (`failed`). */
  error?: string;
  /** Volatile content found in the system prompt. */
  alignment?: AlignmentReport;
  durationMs: number;
}

/** Totals across a HeadroomClient's requests. */
export interface HeadroomStats {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** `usage.cache_read_input_tokens` as the API reported them (streams included). */
  cacheReadInputTokens: number;
  /** `usage.cache_creation_input_tokens` as the API reported them. */
  cacheCreationInputTokens: number;
}

/** The part of a client headroom needs: the Messages surface. */
export interface MessagesClient {
  messages: { create(...args: never[]): unknown };
}


interface State {
  options: HeadroomOptions;
  provider: Provider;
  aligner: CacheAligner;
  stats: HeadroomStats;
}

/**
 * Wraps an Anthropic client so every request's tool output is compressed before it is sent.
 * Returns a client of the same type; members other than the Messages calls pass through.
 *
 * @example
 * ```ts
 * import Anthropic from '@anthropic-ai/sdk';
 * import { withHeadroom } from 'headroom-ai/anthropic';
 *
 * const client = withHeadroom(new Anthropic());
 * const message = await client.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages });
 * ```
 */
export function withHeadroom<C extends MessagesClient>(client: C, options: HeadroomOptions = {}): C {
  return wrapClient(client, newState(client, options, 'withHeadroom'), false);
}

/** A client wrapped by HeadroomClient: the client's own surface plus `stats()`. */
export type HeadroomClient<C extends MessagesClient> = C & { stats(): HeadroomStats };

/**
 * `withHeadroom` plus `stats()`: tokens saved and the prompt-cache usage the API reported.
 *
 * @example
 * ```ts
 * import Anthropic from '@anthropic-ai/sdk';
 * import { AnthropicProvider } from 'headroom-ai';
 * import { HeadroomClient } from 'headroom-ai/anthropic';
 *
 * const client = new HeadroomClient(new Anthropic(), { provider: new AnthropicProvider() });
 * await client.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages });
 * client.stats().tokensSaved;
 * ```
 */
export const HeadroomClient = function HeadroomClient<C extends MessagesClient>(
  this: unknown,
  client: C,
  options: HeadroomOptions = {},
): HeadroomClient<C> {
  return wrapClient(client, newState(client, options, 'HeadroomClient'), true) as HeadroomClient<C>;
} as unknown as new <C extends MessagesClient>(client: C, options?: HeadroomOptions) => HeadroomClient<C>;

function newState(client: unknown, options: HeadroomOptions, fn: string): State {
  if (!isObj(client) || !isObj(client['messages']) || typeof client['messages']['create'] !== 'function') {
    throw new TypeError(`${fn}: client must be an Anthropic client (with messages.create), got ${describe(client)}`);
  }
  if (!isObj(options)) throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const { provider, baseUrl, onCompress, moveDynamicToTail, cacheBreakpoints } = options;
  if (provider !== undefined && (!isObj(provider) || typeof provider['resolveContextLimit'] !== 'function')) {
    throw new TypeError(`${fn}: options.provider must be a provider such as new AnthropicProvider(), got ${describe(provider)}`);
  }
  if (baseUrl !== undefined) {
    if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) {
      throw new TypeError(`${fn}: options.baseUrl must be an absolute URL, got ${describe(baseUrl)}`);
    }
  }
  if (onCompress !== undefined && typeof onCompress !== 'function') {
    throw new TypeError(`${fn}: options.onCompress must be a function, got ${describe(onCompress)}`);
  }
  if (moveDynamicToTail !== undefined && typeof moveDynamicToTail !== 'boolean') {
    throw new TypeError(`${fn}: options.moveDynamicToTail must be a boolean, got ${describe(moveDynamicToTail)}`);
  }
  if (cacheBreakpoints !== undefined && cacheBreakpoints !== 'auto' && cacheBreakpoints !== 'off') {
    throw new RangeError(`${fn}: options.cacheBreakpoints must be 'auto' or 'off', got ${describe(cacheBreakpoints)}`);
  }
  return {
    options,
    provider: (provider as Provider | undefined) ?? new AnthropicProvider({ client: client as never }),
    aligner: new CacheAligner(),
    stats: { requests: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
  };
}

/**
 * A Proxy over an SDK object: the members named in `overrides` are ours (built once, on first
 * use); every other member is the object's own, with methods bound to the object itself (the
 * client keeps #private fields) or, with `bindToProxy`, to the proxy (so a resource's helpers
 * such as stream() and parse(), which call this.create, reach our create).
 */
function intercept<T extends object>(target: T, overrides: Record<string, () => unknown>, bindToProxy = false): T {
  const built = new Map<string, unknown>();
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) {
        if (!built.has(prop)) built.set(prop, overrides[prop]!());
        return built.get(prop);
      }
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(bindToProxy ? receiver : t) : value;
    },
  });
}

type Call = (params: unknown, options?: unknown) => unknown;

function wrapClient<C extends object>(client: C, state: State, withStats: boolean): C {
  const c = client as Obj;
  return intercept(client, {
    messages: () => wrapMessages(c['messages'] as Obj, 'messages', state, client),
    ...(isObj(c['beta']) ? { beta: () => intercept(c['beta'] as Obj, betaOverrides(c['beta'] as Obj, state, client)) } : {}),
    ...(withStats ? { stats: () => (): HeadroomStats => ({ ...state.stats }) } : {}),
    ...(typeof c['withOptions'] === 'function'
      ? { withOptions: () => (...args: unknown[]) => wrapClient((c['withOptions'] as (...a: unknown[]) => object).apply(client, args), state, withStats) }
      : {}),
  });
}

function betaOverrides(beta: Obj, state: State, client: object): Record<string, () => unknown> {
  return isObj(beta['messages']) ? { messages: () => wrapMessages(beta['messages'] as Obj, 'beta.messages', state, client) } : {};
}

function wrapMessages(resource: Obj, path: string, state: State, client: object): Obj {
  const original = (name: string): Call => (resource[name] as Call).bind(resource);
  const create = (params: unknown, options?: unknown): unknown => {
    checkHeadroomParam(params, `${path}.create`);
    const sent = prepare(params, `${path}.create`, state, requestContext(options)).then((p) => ({ call: original('create')(p, options) }));
    return deferred(client, sent, (data) => tapUsage(data, state));
  };
  const countTokens = (params: unknown, options?: unknown): unknown => {
    checkHeadroomParam(params, `${path}.countTokens`);
    const sent = prepare(params, `${path}.countTokens`, state, requestContext(options)).then((p) => ({ call: original('countTokens')(p, options) }));
    return deferred(client, sent);
  };
  return intercept(
    resource,
    {
      create: () => create,
      ...(typeof resource['countTokens'] === 'function' ? { countTokens: () => countTokens } : {}),
      ...(isObj(resource['batches']) ? { batches: () => wrapBatches(resource['batches'] as Obj, `${path}.batches`, state, client) } : {}),
    },
    true,
  );
}

function wrapBatches(resource: Obj, path: string, state: State, client: object): Obj {
  const create = (params: unknown, options?: unknown): unknown => {
    const requests = isObj(params) && Array.isArray(params['requests']) ? (params['requests'] as unknown[]) : undefined;
    if (requests === undefined) return (resource['create'] as Call).call(resource, params, options);
    requests.forEach((r, i) => {
      if (isObj(r)) checkHeadroomParam(r['params'], `${path}.create (requests[${i}].params)`);
    });
    const context = requestContext(options);
    const sent = Promise.all(
      requests.map(async (r) => (isObj(r) && isObj(r['params']) ? { ...r, params: await prepare(r['params'], `${path}.create`, state, context) } : r)),
    ).then((prepared) => ({ call: (resource['create'] as Call).call(resource, { ...(params as Obj), requests: prepared }, options) }));
    return deferred(client, sent);
  };
  return intercept(resource, { create: () => create });
}

/** `headroom` in request params: `false` bypasses compression; it is never sent. */
function checkHeadroomParam(params: unknown, method: string): void {
  if (isObj(params) && 'headroom' in params && typeof params['headroom'] !== 'boolean') {
    throw new TypeError(`${method}: params.headroom must be a boolean (false bypasses compression), got ${describe(params['headroom'])}`);
  }
}

/** What a request's options tell compression: its abort signal and the betas in `anthropic-beta`. */
interface RequestContext {
  signal: AbortSignal | undefined;
  headerBetas: string[];
}

function requestContext(options: unknown): RequestContext {
  if (!isObj(options)) return { signal: undefined, headerBetas: [] };
  const signal = options['signal'] instanceof AbortSignal ? options['signal'] : undefined;
  const headers = options['headers'];
  let beta: unknown;
  if (headers instanceof Headers) beta = headers.get('anthropic-beta');
  else if (isObj(headers)) for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'anthropic-beta') beta = v;
  const headerBetas = typeof beta === 'string' ? beta.split(',').map((b) => b.trim()).filter((b) => b !== '') : [];
  return { signal, headerBetas };
}

/**
 * The params to send: messages compressed, then the opt-in cache alignment. Never throws for
 * anything but an aborted request: an internal failure sends the caller's messages untouched.
 */
async function prepare(params: unknown, method: string, state: State, context: RequestContext): Promise<unknown> {
  const { signal } = context;
  if (!isObj(params)) return params;
  const { headroom, ...rest } = params;
  const started = performance.now();
  const model = state.options.model ?? (typeof rest['model'] === 'string' ? rest['model'] : 'claude-sonnet-4-5-20250929');
  const emit = (event: Omit<CompressEvent, 'method' | 'model' | 'durationMs'>): void => {
    const full: CompressEvent = { method, model, ...event, durationMs: performance.now() - started };
    if (!method.endsWith('countTokens')) {
      state.stats.requests++;
      state.stats.tokensBefore += event.tokensBefore;
      state.stats.tokensAfter += event.tokensAfter;
      state.stats.tokensSaved += event.tokensSaved;
    }
    try {
      state.options.onCompress?.(full);
    } catch {
      // A logging callback must not break the request.
    }
  };
  const untouched = { tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, transformsApplied: [], failures: [] };
  const messages = rest['messages'];
  if (headroom === false || !Array.isArray(messages)) {
    emit({ mode: 'bypass', ...untouched });
    return rest;
  }
  let out: Obj = rest;
  let alignment: AlignmentReport | undefined;
  try {
    const { baseUrl, onCompress, moveDynamicToTail, cacheBreakpoints, provider, ...compressOptions } = state.options;
    void onCompress;
    void provider;
    let remoteError: string | undefined;
    let result: { messages: unknown[]; tokensBefore: number; tokensAfter: number; tokensSaved: number; transformsApplied: string[]; failures: BlockFailureReport[] } | undefined;
    if (baseUrl !== undefined) {
      const remote = await remoteCompress(baseUrl, messages as AnthropicMessage[], model, state.options.timeoutMs ?? 5000, signal);
      if (remote.ok) result = { ...remote.result, failures: [] };
      else remoteError = remote.reason;
    }
    const mode = result === undefined ? 'local' : 'remote';
    result ??= await compress(messages as AnthropicMessage[], {
      ...compressOptions,
      model,
      format: 'anthropic',
      provider: state.provider,
      ...(rest['system'] === undefined ? {} : { system: rest['system'] as SystemPrompt as never }),
      ...(Array.isArray(rest['tools']) ? { tools: rest['tools'] } : {}),
      ...(typeof rest['max_tokens'] === 'number' ? { maxTokens: rest['max_tokens'] } : {}),
      betas: [...(Array.isArray(rest['betas']) ? (rest['betas'] as string[]) : []), ...context.headerBetas],
      ...(signal === undefined ? {} : { signal }),
    });
    out = result.messages === messages ? rest : { ...rest, messages: result.messages };
    // Breakpoints first: moving volatile lines then keeps the system marker on the stable part.
    if (cacheBreakpoints === 'auto' && !method.endsWith('countTokens')) out = addCacheBreakpoints(out as CacheableParams) as Obj;
    const system = out['system'];
    if (system !== undefined && (typeof system === 'string' || Array.isArray(system))) {
      alignment = state.aligner.analyze(system as SystemPrompt);
      if (moveDynamicToTail === true && alignment.volatile.length > 0) {
        const room = cacheMarkers(out as unknown as CacheableParams).length < MAX_CACHE_MARKERS;
        out = { ...out, system: state.aligner.moveDynamicToTail(system as SystemPrompt, room) };
      }
    }
    emit({
      mode,
      tokensBefore: result.tokensBefore,
      tokensAfter: result.tokensAfter,
      tokensSaved: result.tokensSaved,
      transformsApplied: result.transformsApplied,
      failures: result.failures,
      ...(remoteError === undefined ? {} : { error: remoteError }),
      ...(alignment === undefined ? {} : { alignment }),
    });
    return out;
  } catch (err) {
    if (signal?.aborted) throw err;
    emit({ mode: 'failed', ...untouched, error: err instanceof Error ? err.message : String(err) });
    return rest;
  }
}

/** Counts the prompt-cache tokens a response reports, from a message or from a stream's events. */
function tapUsage(data: unknown, state: State): unknown {
  const add = (usage: unknown): void => {
    if (!isObj(usage)) return;
    if (typeof usage['cache_read_input_tokens'] === 'number') state.stats.cacheReadInputTokens += usage['cache_read_input_tokens'];
    if (typeof usage['cache_creation_input_tokens'] === 'number') state.stats.cacheCreationInputTokens += usage['cache_creation_input_tokens'];
  };
  if (isObj(data) && data['type'] === 'message') add(data['usage']);
  else if (isObj(data) && typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
    const stream = data as unknown as { [Symbol.asyncIterator](): AsyncIterator<unknown> };
    const events = stream[Symbol.asyncIterator].bind(stream);
    // Only message_start carries the cache usage; every event is passed on unchanged.
    stream[Symbol.asyncIterator] = async function* tapped() {
      const it = events();
      for (let r = await it.next(); r.done !== true; r = await it.next()) {
        const event = r.value;
        if (isObj(event) && event['type'] === 'message_start' && isObj(event['message'])) add(event['message']['usage']);
        yield event;
      }
    } as never;
  }
  return data;
}

/**
 * An APIPromise over the response of a call that starts once `sent` resolves. The call's own
 * APIPromise travels boxed (`{ call }`): a promise resolving to a thenable would unwrap it.
 */
function deferred(client: object, sent: Promise<{ call: unknown }>, tap?: (data: unknown) => unknown): unknown {
  // `_responseProps` and `parseResponse` are the SDK's internals (not in its typings), stable since
  // APIPromise took the client as its first argument.
  type Internals = { _responseProps(): Promise<never>; parseResponse(client: unknown, props: unknown): unknown };
  const responseProps = sent.then(({ call }) => (call as Internals)._responseProps());
  return new APIPromise<unknown>(client as never, responseProps, async (c, props) => {
    const data = await ((await sent).call as Internals).parseResponse(c, props);
    return (tap === undefined ? data : tap(data)) as never;
  });
}

// `headroom: false` is a request param of ours, so the SDK's param types accept it here.
declare module '@anthropic-ai/sdk/resources/messages/messages' {
  interface MessageCreateParamsBase {
    /** `false` sends this request without compression (headroom removes the field before sending). */
    headroom?: boolean;
  }
  interface MessageCountTokensParams {
    /** `false` counts this request without compression. */
    headroom?: boolean;
  }
}
declare module '@anthropic-ai/sdk/resources/beta/messages/messages' {
  interface MessageCreateParamsBase {
    /** `false` sends this request without compression (headroom removes the field before sending). */
    headroom?: boolean;
  }
  interface MessageCountTokensParams {
    /** `false` counts this request without compression. */
    headroom?: boolean;
  }
}
