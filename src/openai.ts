// headroom-ai/openai: withHeadroom and HeadroomClient for the OpenAI SDK (and AzureOpenAI).
//
// `chat.completions.create` (streaming or not) and `responses.create` compress the request first,
// and `responses.inputTokens.count` counts what would be sent. The SDK's helpers build their
// requests through these: `chat.completions.parse`, `.stream` and `.runTools` (which calls the
// client's `chat.completions.create` each round), `responses.parse` and `.stream`, so they compress
// too. What they return is the SDK's own (src/wrap/): APIPromise, streams, runners and errors.

import { APIPromise } from 'openai';
import { describe } from './arguments.js';
import { isObj, type Obj, type OpenAIMessage } from './messages/types.js';
import { responsesView } from './messages/responses.js';
import { OpenAIProvider } from './providers/openai.js';
import type { Provider } from './providers/types.js';
import { resource } from './wrap/intercept.js';
import { chatRounds } from './wrap/chat-rounds.js';
import type { WrapperRetrievalOptions } from './wrap/retrieval.js';
import { tapStream } from './wrap/sdk.js';
import {
  checkWrapperOptions,
  intercepted,
  newSession,
  wrapClient,
  type Dialect,
  type HeadroomStats,
  type Session,
  type WithHeadroomParam,
  type WrapperOptions,
} from './wrap/session.js';

export type { CompressEvent, HeadroomStats } from './wrap/session.js';

/** Options for `withHeadroom` and `HeadroomClient`. */
export interface HeadroomOptions extends WrapperOptions, WrapperRetrievalOptions {
  /** Context windows and tokenizers (default: `new OpenAIProvider()`). */
  provider?: Provider;
}

/** The part of a client headroom needs: chat completions, the Responses API, or both. */
export type OpenAIClient = { chat: { completions: { create(...args: never[]): unknown } } } | { responses: { create(...args: never[]): unknown } };

type Bypass<R, K extends string> = R & { [P in K & keyof R]: WithHeadroomParam<R[P]> };

/**
 * A client wrapped by `withHeadroom`: the client's own type, whose intercepted calls also take
 * `headroom: false` (only the wrapped client's: an unwrapped one would send the field).
 */
export type Headroom<C> = C &
  (C extends { chat: infer Chat }
    ? { chat: Chat & (Chat extends { completions: infer R } ? { completions: Bypass<R, 'create' | 'parse' | 'stream' | 'runTools'> } : unknown) }
    : unknown) &
  (C extends { responses: infer R }
    ? {
        responses: Bypass<R, 'create' | 'parse' | 'stream'> &
          (R extends { inputTokens: infer T } ? { inputTokens: Bypass<T, 'count'> } : unknown);
      }
    : unknown);

/**
 * Wraps an OpenAI client so every request's tool output is compressed before it is sent. Returns
 * a client of the same type; members other than the intercepted calls pass through.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { withHeadroom } from 'headroom-ai/openai';
 *
 * const client = withHeadroom(new OpenAI());
 * const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });
 * ```
 */
export function withHeadroom<C extends OpenAIClient>(client: C, options: HeadroomOptions = {}): Headroom<C> {
  return wrap(client, options, 'withHeadroom', false) as Headroom<C>;
}

/** A client wrapped by HeadroomClient: the wrapped client plus `stats()`. */
export type HeadroomClient<C extends OpenAIClient> = Headroom<C> & { stats(): HeadroomStats };

/**
 * `withHeadroom` plus `stats()`: tokens saved and the cached prompt tokens the API reported.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { HeadroomClient } from 'headroom-ai/openai';
 *
 * const client = new HeadroomClient(new OpenAI());
 * await client.responses.create({ model: 'gpt-4.1', input });
 * client.stats().tokensSaved;
 * ```
 */
export const HeadroomClient = function HeadroomClient<C extends OpenAIClient>(this: unknown, client: C, options: HeadroomOptions = {}): HeadroomClient<C> {
  return wrap(client, options, 'HeadroomClient', true) as HeadroomClient<C>;
} as unknown as new <C extends OpenAIClient>(client: C, options?: HeadroomOptions) => HeadroomClient<C>;

function wrap<C extends object>(client: C, options: HeadroomOptions, fn: string, withStats: boolean): C {
  const state = newState(client, options, fn);
  return wrapClient(client, state, withStats, members(state));
}

function newState(client: unknown, options: HeadroomOptions, fn: string): Session<HeadroomOptions> {
  const chat = isObj(client) && isObj(client['chat']) && isObj(client['chat']['completions']);
  const responses = isObj(client) && isObj(client['responses']);
  if (!chat && !responses) {
    throw new TypeError(`${fn}: client must be an OpenAI client (with chat.completions or responses), got ${describe(client)}`);
  }
  checkWrapperOptions(fn, options, ['retrieval', 'maxRetrievalRounds']);
  return newSession(options, options.provider ?? new OpenAIProvider(), fn);
}

const DEFAULT_MODEL = 'gpt-4o';

/** Chat Completions: `messages` is already a chat conversation. */
const chatDialect: Dialect<HeadroomOptions> = {
  APIPromise: APIPromise as never,
  defaultModel: DEFAULT_MODEL,
  retrieval: true,
  rounds: chatRounds,
  read(params) {
    const messages = params['messages'];
    if (!Array.isArray(messages)) return undefined;
    const maxTokens = params['max_completion_tokens'] ?? params['max_tokens'];
    return {
      model: typeof params['model'] === 'string' ? params['model'] : undefined,
      messages: messages as OpenAIMessage[],
      format: 'openai',
      ...(Array.isArray(params['tools']) ? { tools: params['tools'] } : {}),
      ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
      rebuild: (compressed) => ({ ...params, messages: compressed }),
    };
  },
  usage(data, stats) {
    const add = (usage: unknown): void => {
      const details = isObj(usage) ? usage['prompt_tokens_details'] : undefined;
      if (isObj(details) && typeof details['cached_tokens'] === 'number') stats.cacheReadInputTokens += details['cached_tokens'];
    };
    if (isObj(data) && data['object'] === 'chat.completion') add(data['usage']);
    // A stream reports usage on its last chunk, with `stream_options: { include_usage: true }`.
    else tapStream(data, (chunk) => isObj(chunk) && add(chunk['usage']));
    return data;
  },
};

/** The Responses API: `input` read as a chat conversation (src/messages/responses.ts). */
const responsesDialect: Dialect<HeadroomOptions> = {
  APIPromise: APIPromise as never,
  defaultModel: DEFAULT_MODEL,
  read(params) {
    const input = params['input'];
    const view = responsesView(input);
    if (view === undefined) return undefined;
    const instructions = params['instructions'];
    return {
      model: typeof params['model'] === 'string' ? params['model'] : undefined,
      messages: view.messages,
      format: 'openai',
      ...(typeof instructions === 'string' ? { system: instructions } : {}),
      ...(Array.isArray(params['tools']) ? { tools: params['tools'] } : {}),
      ...(typeof params['max_output_tokens'] === 'number' ? { maxTokens: params['max_output_tokens'] } : {}),
      keepTurns: true,
      rebuild: (compressed) => {
        const items = view.rebuild(compressed);
        return { ...params, input: typeof input === 'string' ? items[0] : items };
      },
    };
  },
  usage(data, stats) {
    const add = (response: unknown): void => {
      const usage = isObj(response) ? response['usage'] : undefined;
      const details = isObj(usage) ? usage['input_tokens_details'] : undefined;
      if (isObj(details) && typeof details['cached_tokens'] === 'number') stats.cacheReadInputTokens += details['cached_tokens'];
    };
    if (isObj(data) && data['object'] === 'response') add(data);
    else tapStream(data, (event) => isObj(event) && event['type'] === 'response.completed' && add(event['response']));
    return data;
  },
};

type Call = (params: unknown, options?: unknown) => unknown;

/** The wrapped members: `chat` (its `completions`) and `responses` (with `inputTokens`). */
function members(state: Session<HeadroomOptions>) {
  return (c: Obj, self: () => object): Record<string, () => unknown> => {
    const client: object = c;
    const original = (target: Obj, name: string): Call => (target[name] as Call).bind(target);
    const chat = c['chat'];
    const responses = c['responses'];
    return {
      ...(isObj(chat) && isObj(chat['completions'])
        ? {
            chat: () => {
              const completions = chat['completions'] as Obj;
              const create = intercepted(chatDialect, state, client, 'chat.completions.create', original(completions, 'create'));
              return resource(chat, { completions: () => resource(completions, { create: () => create }, self) }, self);
            },
          }
        : {}),
      ...(isObj(responses)
        ? {
            responses: () => {
              const create = intercepted(responsesDialect, state, client, 'responses.create', original(responses, 'create'));
              const tokens = responses['inputTokens'];
              const count = isObj(tokens) && typeof tokens['count'] === 'function'
                ? { inputTokens: () => resource(tokens, { count: () => intercepted(responsesDialect, state, client, 'responses.inputTokens.count', original(tokens, 'count'), true) }, self) }
                : {};
              return resource(responses, { create: () => create, ...count }, self);
            },
          }
        : {}),
    };
  };
}
