// headroom-ai/anthropic: withHeadroom and HeadroomClient for the Anthropic SDK, and for any client
// with its Messages surface (AnthropicBedrock, AnthropicVertex).
//
// The wrapper is a Proxy over the caller's client. `messages.create` (streaming or not),
// `countTokens` and `batches.create`, and their `beta.messages` twins, compress the request first;
// `stream()`, `parse()` and `beta.messages.toolRunner()` run the SDK's own code against the
// wrapped `create` (src/wrap/), so `.withResponse()`, `.asResponse()`, errors and retries are the
// SDK's own.

import { APIPromise } from '@anthropic-ai/sdk';
import { describe } from './arguments.js';
import { CacheAligner, type AlignmentReport, type SystemPrompt } from './cache/aligner.js';
import { addCacheBreakpoints, cacheMarkers, MAX_CACHE_MARKERS, type CacheableParams } from './cache/breakpoints.js';
import { DEFAULT_MODEL } from './options.js';
import { remoteCompress } from './remote.js';
import { isObj, type AnthropicMessage, type Obj } from './messages/types.js';
import { AnthropicProvider } from './providers/anthropic.js';
import type { Provider } from './providers/types.js';
import { resource } from './wrap/intercept.js';
import {
  checkHeadroomParam,
  checkWrapperOptions,
  intercepted,
  newSession,
  wrapClient,
  prepare,
  requestContext,
  type CompressEvent as BaseCompressEvent,
  type Dialect,
  type HeadroomStats,
  type Session,
  type WithHeadroomParam,
  type WithHeadroomRequests,
  type WrapperOptions,
} from './wrap/session.js';
import { anthropicRounds } from './wrap/anthropic-rounds.js';
import type { WrapperRetrievalOptions } from './wrap/retrieval.js';
import { deferred, tapStream } from './wrap/sdk.js';

export type { HeadroomStats } from './wrap/session.js';

/** Options for `withHeadroom` and `HeadroomClient`. */
export interface HeadroomOptions extends WrapperOptions, WrapperRetrievalOptions {
  /** Context windows and token estimates (default: `new AnthropicProvider({ client })`). */
  provider?: Provider;
  /** Called after every request is prepared, with what compression did. */
  onCompress?: (event: CompressEvent) => void;
  /** Compress through a headroom-compatible server (`POST {baseUrl}/v1/compress`) instead of in-process. */
  baseUrl?: string;
  /** Move system-prompt lines with dates, ids and other volatile values to a trailing block. */
  moveDynamicToTail?: boolean;
  /** `'auto'`: add cache_control breakpoints at the end of tools, system and the last message. */
  cacheBreakpoints?: 'auto' | 'off';
}

/** What happened to one request's messages. */
export interface CompressEvent extends BaseCompressEvent {
  /** Volatile content found in the system prompt. */
  alignment?: AlignmentReport;
}

/** The part of a client headroom needs: the Messages surface. */
export interface MessagesClient {
  messages: { create(...args: never[]): unknown };
}

/** A Messages resource whose calls also take `headroom: false`. */
type HeadroomMessages<M> = M &
  (M extends { create: infer F } ? { create: WithHeadroomParam<F> } : unknown) &
  (M extends { countTokens: infer F } ? { countTokens: WithHeadroomParam<F> } : unknown) &
  (M extends { stream: infer F } ? { stream: WithHeadroomParam<F> } : unknown) &
  (M extends { parse: infer F } ? { parse: WithHeadroomParam<F> } : unknown) &
  (M extends { batches: infer B } ? { batches: B & (B extends { create: infer F } ? { create: WithHeadroomRequests<F> } : unknown) } : unknown);

/**
 * A client wrapped by `withHeadroom`: the client's own type, whose Messages calls (and their
 * `beta.messages` twins) also take `headroom: false`. Only the wrapped client's type takes it: an
 * unwrapped client would send the field to the API.
 */
export type Headroom<C> = C &
  (C extends { messages: infer M } ? { messages: HeadroomMessages<M> } : unknown) &
  (C extends { beta: infer B } ? { beta: B & (B extends { messages: infer M } ? { messages: HeadroomMessages<M> } : unknown) } : unknown);

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
export function withHeadroom<C extends MessagesClient>(client: C, options: HeadroomOptions = {}): Headroom<C> {
  return wrap(client, options, 'withHeadroom', false) as Headroom<C>;
}

/** A client wrapped by HeadroomClient: the wrapped client plus `stats()`. */
export type HeadroomClient<C extends MessagesClient> = Headroom<C> & { stats(): HeadroomStats };

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
  return wrap(client, options, 'HeadroomClient', true) as HeadroomClient<C>;
} as unknown as new <C extends MessagesClient>(client: C, options?: HeadroomOptions) => HeadroomClient<C>;

interface State extends Session<HeadroomOptions> {
  aligner: CacheAligner;
}

function newState(client: unknown, options: HeadroomOptions, fn: string): State {
  if (!isObj(client) || !isObj(client['messages']) || typeof client['messages']['create'] !== 'function') {
    throw new TypeError(`${fn}: client must be an Anthropic client (with messages.create), got ${describe(client)}`);
  }
  checkWrapperOptions(fn, options, ['baseUrl', 'moveDynamicToTail', 'cacheBreakpoints', 'retrieval', 'maxRetrievalRounds']);
  const { provider, baseUrl, moveDynamicToTail, cacheBreakpoints } = options;
  if (baseUrl !== undefined) {
    if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) {
      throw new TypeError(`${fn}: options.baseUrl must be an absolute URL, got ${describe(baseUrl)}`);
    }
  }
  if (moveDynamicToTail !== undefined && typeof moveDynamicToTail !== 'boolean') {
    throw new TypeError(`${fn}: options.moveDynamicToTail must be a boolean, got ${describe(moveDynamicToTail)}`);
  }
  if (cacheBreakpoints !== undefined && cacheBreakpoints !== 'auto' && cacheBreakpoints !== 'off') {
    throw new RangeError(`${fn}: options.cacheBreakpoints must be 'auto' or 'off', got ${describe(cacheBreakpoints)}`);
  }
  const session = newSession(options, provider ?? new AnthropicProvider({ client: client as never }), fn);
  return { ...session, aligner: new CacheAligner() };
}

/** How the Messages API's requests and responses read. */
const dialect: Dialect<HeadroomOptions> = {
  APIPromise: APIPromise as never,
  defaultModel: DEFAULT_MODEL,
  retrieval: true,
  read(params, _method, context) {
    const messages = params['messages'];
    if (!Array.isArray(messages)) return undefined;
    const beta = context.headers['anthropic-beta'];
    const headerBetas = beta === undefined ? [] : beta.split(',').map((b) => b.trim()).filter((b) => b !== '');
    return {
      model: typeof params['model'] === 'string' ? params['model'] : undefined,
      messages: messages as AnthropicMessage[],
      format: 'anthropic',
      ...(params['system'] === undefined ? {} : { system: params['system'] as SystemPrompt as never }),
      ...(Array.isArray(params['tools']) ? { tools: params['tools'] } : {}),
      ...(typeof params['max_tokens'] === 'number' ? { maxTokens: params['max_tokens'] } : {}),
      betas: [...(Array.isArray(params['betas']) ? (params['betas'] as string[]) : []), ...headerBetas],
      rebuild: (compressed) => ({ ...params, messages: compressed }),
    };
  },
  async compressRemote(view, model, session, context) {
    const { baseUrl, timeoutMs } = session.options;
    if (baseUrl === undefined) return undefined;
    const remote = await remoteCompress(baseUrl, view.messages as AnthropicMessage[], model, timeoutMs ?? 5000, context.signal);
    return remote.ok ? { ...remote.result, mode: 'remote', failures: [], notes: [] } : remote.reason;
  },
  finish(params, method, session) {
    const state = session as State;
    const { cacheBreakpoints, moveDynamicToTail } = state.options;
    let out = params;
    // Breakpoints first: moving volatile lines then keeps the system marker on the stable part.
    if (cacheBreakpoints === 'auto' && !method.endsWith('countTokens')) out = addCacheBreakpoints(out as CacheableParams) as Obj;
    const system = out['system'];
    if (system === undefined || (typeof system !== 'string' && !Array.isArray(system))) return { params: out };
    const alignment = state.aligner.analyze(system as SystemPrompt);
    if (moveDynamicToTail === true && alignment.volatile.length > 0) {
      const room = cacheMarkers(out as unknown as CacheableParams).length < MAX_CACHE_MARKERS;
      out = { ...out, system: state.aligner.moveDynamicToTail(system as SystemPrompt, room) };
    }
    return { params: out, report: { alignment } };
  },
  usage: tapUsage,
  rounds: anthropicRounds,
};

function wrap<C extends object>(client: C, options: HeadroomOptions, fn: string, withStats: boolean): C {
  const state = newState(client, options, fn);
  return wrapClient(client, state, withStats, (c, self) => ({
    messages: () => wrapMessages(c['messages'] as Obj, 'messages', state, c, self),
    ...(isObj(c['beta'])
      ? {
          beta: () => {
            const beta = c['beta'] as Obj;
            const messages = isObj(beta['messages']) ? { messages: () => wrapMessages(beta['messages'] as Obj, 'beta.messages', state, c, self) } : {};
            return resource(beta, messages, self);
          },
        }
      : {}),
  }));
}

type Call = (params: unknown, options?: unknown) => unknown;

function wrapMessages(target: Obj, path: string, state: State, client: object, self: () => object): Obj {
  const original = (name: string): Call => (target[name] as Call).bind(target);
  return resource(
    target,
    {
      create: () => intercepted(dialect, state, client, `${path}.create`, original('create')),
      ...(typeof target['countTokens'] === 'function'
        ? { countTokens: () => intercepted(dialect, state, client, `${path}.countTokens`, original('countTokens'), true) }
        : {}),
      ...(isObj(target['batches']) ? { batches: () => wrapBatches(target['batches'] as Obj, `${path}.batches`, state, client, self) } : {}),
    },
    self,
  );
}

function wrapBatches(target: Obj, path: string, state: State, client: object, self: () => object): Obj {
  const create = (params: unknown, options?: unknown): unknown => {
    const requests = isObj(params) && Array.isArray(params['requests']) ? (params['requests'] as unknown[]) : undefined;
    if (requests === undefined) return (target['create'] as Call).call(target, params, options);
    requests.forEach((r, i) => {
      if (isObj(r)) checkHeadroomParam(r['params'], `${path}.create (requests[${i}].params)`);
    });
    const sent = requestContext(options).then(async (context) => {
      const prepared = await Promise.all(
        requests.map(async (r) => (isObj(r) && isObj(r['params']) ? { ...r, params: await prepare(dialect, state, r['params'], `${path}.create`, context, false) } : r)),
      );
      return { call: (target['create'] as Call).call(target, { ...(params as Obj), requests: prepared }, options) };
    });
    return deferred(dialect.APIPromise, client, sent);
  };
  return resource(target, { create: () => create }, self);
}

/** Counts the prompt-cache tokens a response reports, from a message or from a stream's events. */
function tapUsage(data: unknown, stats: HeadroomStats): unknown {
  const add = (usage: unknown): void => {
    if (!isObj(usage)) return;
    if (typeof usage['cache_read_input_tokens'] === 'number') stats.cacheReadInputTokens += usage['cache_read_input_tokens'];
    if (typeof usage['cache_creation_input_tokens'] === 'number') stats.cacheCreationInputTokens += usage['cache_creation_input_tokens'];
  };
  if (isObj(data) && data['type'] === 'message') add(data['usage']);
  else {
    // Only message_start carries the cache usage; every event is passed on unchanged.
    tapStream(data, (event) => {
      if (isObj(event) && event['type'] === 'message_start' && isObj(event['message'])) add(event['message']['usage']);
    });
  }
  return data;
}
