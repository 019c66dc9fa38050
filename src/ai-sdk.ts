// headroom-ai/ai-sdk: headroomMiddleware for the Vercel AI SDK's wrapLanguageModel. Its
// transformParams compresses the prompt's tool results and large user text before every model
// call, so generateText, streamText, tools and multi-step loops (each step is a call) all send
// compressed tool output, to any provider (@ai-sdk/anthropic, @ai-sdk/openai, …).

import type { LanguageModelMiddleware } from 'ai';
import { aiSdkView } from './messages/ai-sdk.js';
import { isObj } from './messages/types.js';
import { DEFAULT_MODEL } from './options.js';
import { checkWrapperOptions, newSession, prepare, type RequestDialect, type WrapperOptions } from './wrap/session.js';

export type { CompressEvent } from './wrap/session.js';

/** Options for `headroomMiddleware`. */
export interface HeadroomMiddlewareOptions extends WrapperOptions {}

/** How a language-model call's params read: `prompt` as a chat conversation (src/messages/ai-sdk.ts). */
const dialect: RequestDialect = {
  defaultModel: DEFAULT_MODEL,
  read(params) {
    const prompt = params['prompt'];
    if (!Array.isArray(prompt)) return undefined;
    const view = aiSdkView(prompt);
    return {
      model: undefined,
      messages: view.messages,
      format: 'openai',
      ...(Array.isArray(params['tools']) ? { tools: params['tools'] } : {}),
      ...(typeof params['maxOutputTokens'] === 'number' ? { maxTokens: params['maxOutputTokens'] } : {}),
      keepTurns: true,
      rebuild: (compressed) => ({ ...params, prompt: view.rebuild(compressed) }),
    };
  },
};

/**
 * A language-model middleware that compresses tool output and machine-output user text in every
 * call's prompt. The model's id picks the tokenizer and context window unless `model` is given.
 *
 * @example
 * ```ts
 * import { anthropic } from '@ai-sdk/anthropic';
 * import { generateText, wrapLanguageModel } from 'ai';
 * import { headroomMiddleware } from 'headroom-ai/ai-sdk';
 *
 * const model = wrapLanguageModel({ model: anthropic('claude-sonnet-4-5'), middleware: headroomMiddleware() });
 * const { text } = await generateText({ model, messages });
 * ```
 */
export function headroomMiddleware(options: HeadroomMiddlewareOptions = {}): LanguageModelMiddleware {
  checkWrapperOptions('headroomMiddleware', options, []);
  const session = newSession(options, options.provider);
  return {
    transformParams: async ({ params, model, type }) => {
      const modelId = options.model ?? (isObj(model) && typeof model['modelId'] === 'string' ? model['modelId'] : DEFAULT_MODEL);
      // Without a provider of the caller's, compress() picks one by the model id (Claude or OpenAI).
      const run = { ...session, options: { ...options, model: modelId } };
      const signal = (params as { abortSignal?: unknown }).abortSignal;
      const context = { signal: signal instanceof AbortSignal ? signal : undefined, headers: {} };
      return (await prepare(dialect, run, params, type === 'stream' ? 'doStream' : 'doGenerate', context)) as typeof params;
    },
  };
}
