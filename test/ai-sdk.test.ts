// headroomMiddleware end to end: the real `ai` package with its Anthropic and OpenAI providers
// against the local Anthropic and OpenAI servers, through generateText, streamText, tools and a
// multi-step loop.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, stepCountIs, streamText, tool, wrapLanguageModel, type ModelMessage } from 'ai';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { headroomMiddleware, type CompressEvent } from '../src/ai-sdk.js';
import { countTokens } from '../src/index.js';
import { MockAnthropic } from './support/anthropic-server.js';
import { serveDuringTests } from './support/loopback-server.js';
import { MockOpenAI } from './support/openai-server.js';

const claude = serveDuringTests(new MockAnthropic());
const gpt = serveDuringTests(new MockOpenAI());

/** Query results as a tool returns them: 300 rows, two of them failures. */
const ROWS = Array.from({ length: 300 }, (_, i) => ({
  id: 50_000 + i,
  region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
  status: i === 77 ? 'failed' : i === 211 ? 'timeout' : 'ok',
  latency_ms: 20 + ((i * 7) % 50),
}));
const JSON_TEXT = JSON.stringify(ROWS, null, 2);

const anthropicModel = (events: CompressEvent[] = []) =>
  wrapLanguageModel({
    model: createAnthropic({ apiKey: 'test-key', baseURL: `${claude.baseURL}/v1` })('claude-sonnet-4-5-20250929'),
    middleware: headroomMiddleware({ onCompress: (e) => events.push(e) }),
  });

function conversation(output: { type: 'text'; value: string } | { type: 'json'; value: typeof ROWS }): ModelMessage[] {
  return [
    { role: 'user', content: 'Which jobs failed?' },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'toolu_1', toolName: 'list_jobs', input: { limit: 300 } }] },
    {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'toolu_1', toolName: 'list_jobs', output, providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } }],
    },
  ];
}

type AnthropicBody = { messages: { role: string; content: { type: string; content?: unknown; cache_control?: unknown; tool_use_id?: string }[] }[] };
const toolResultOf = (body: AnthropicBody) => body.messages.flatMap((m) => m.content).find((b) => b.type === 'tool_result')!;
const textOf = (content: unknown): string => (typeof content === 'string' ? content : (content as { text: string }[]).map((b) => b.text).join(''));

describe('headroomMiddleware', () => {
  it('generateText (Anthropic provider): the tool result is compressed on the wire, providerOptions kept', async () => {
    const events: CompressEvent[] = [];
    const messages = conversation({ type: 'text', value: JSON_TEXT });
    const frozen = structuredClone(messages);
    const { text } = await generateText({ model: anthropicModel(events), messages, maxRetries: 0 });
    expect(text).toBe('Done.');
    const result = toolResultOf(claude.to('/v1/messages')[0]!.body as AnthropicBody);
    expect(result.tool_use_id).toBe('toolu_1');
    expect(result.cache_control).toEqual({ type: 'ephemeral' });
    const sent = textOf(result.content);
    expect(countTokens(sent)).toBeLessThan(countTokens(JSON_TEXT) / 2);
    expect(sent).toContain('failed');
    expect(sent).toContain('timeout');
    expect(messages).toEqual(frozen);
    expect(events).toEqual([expect.objectContaining({ method: 'doGenerate', model: 'claude-sonnet-4-5-20250929', mode: 'local' })]);
    expect(events[0]!.tokensSaved).toBeGreaterThan(0);
  });

  it('compresses a JSON tool output (sent as its text) and leaves small prompts untouched', async () => {
    await generateText({ model: anthropicModel(), messages: conversation({ type: 'json', value: ROWS }), maxRetries: 0 });
    const sent = textOf(toolResultOf(claude.to('/v1/messages')[0]!.body as AnthropicBody).content);
    expect(countTokens(sent)).toBeLessThan(countTokens(JSON.stringify(ROWS)));
    expect(sent).toContain('failed');
    const plain = await generateText({ model: anthropicModel(), prompt: 'Say hello.', maxRetries: 0 });
    expect(plain.text).toBe('Done.');
    expect((claude.to('/v1/messages')[1]!.body as AnthropicBody).messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }]);
  });

  it('streamText (OpenAI provider, Responses API): the function_call_output is compressed on the wire', async () => {
    const model = wrapLanguageModel({ model: createOpenAI({ apiKey: 'test-key', baseURL: gpt.baseURL })('gpt-4.1'), middleware: headroomMiddleware() });
    const result = streamText({ model, messages: conversation({ type: 'text', value: JSON_TEXT }), maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Done.');
    const input = (gpt.to('/v1/responses')[0]!.body as { input: { type?: string; output?: string }[] }).input;
    const output = input.find((i) => i.type === 'function_call_output')!.output!;
    expect(countTokens(output)).toBeLessThan(countTokens(JSON_TEXT) / 2);
  });

  it('a multi-step tool loop sends compressed tool output on every later step (OpenAI chat)', async () => {
    gpt.replies.push({ calls: [{ id: 'call_1', name: 'list_jobs', arguments: '{"limit":300}' }] });
    const events: CompressEvent[] = [];
    const model = wrapLanguageModel({ model: createOpenAI({ apiKey: 'test-key', baseURL: gpt.baseURL }).chat('gpt-4o'), middleware: headroomMiddleware({ onCompress: (e) => events.push(e) }) });
    const { text, steps } = await generateText({
      model,
      prompt: 'Which jobs failed?',
      tools: { list_jobs: tool({ description: 'List jobs', inputSchema: z.object({ limit: z.number() }), execute: async () => JSON_TEXT }) },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(text).toBe('Done.');
    expect(steps).toHaveLength(2);
    const bodies = gpt.to('/v1/chat/completions').map((r) => r.body as { messages: { role: string; content: string }[] });
    expect(bodies).toHaveLength(2);
    const tool0 = bodies[1]!.messages.find((m) => m.role === 'tool')!;
    expect(countTokens(tool0.content)).toBeLessThan(countTokens(JSON_TEXT) / 2);
    expect(events.map((e) => e.tokensSaved > 0)).toEqual([false, true]);
  });

  it('hands provider errors to the caller unchanged', async () => {
    claude.failNext({ status: 400, type: 'invalid_request_error', message: 'bad request' });
    const err = await generateText({ model: anthropicModel(), messages: conversation({ type: 'text', value: JSON_TEXT }), maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(400);
  });

  it('compresses machine output a user pastes, keeping the part’s providerOptions; prose stays as it is', async () => {
    const messages: ModelMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What stands out in these jobs?' },
          { type: 'text', text: JSON_TEXT, providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } },
        ],
      },
    ];
    await generateText({ model: anthropicModel(), messages, maxRetries: 0 });
    const [prose, pasted] = (claude.to('/v1/messages')[0]!.body as { messages: { content: { text: string; cache_control?: unknown }[] }[] }).messages[0]!.content;
    expect(prose).toEqual({ type: 'text', text: 'What stands out in these jobs?' });
    expect(pasted!.cache_control).toEqual({ type: 'ephemeral' });
    expect(countTokens(pasted!.text)).toBeLessThan(countTokens(JSON_TEXT) / 2);
  });

  it('an aborted call rejects as the AI SDK rejects it, and sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await generateText({ model: anthropicModel(), messages: conversation({ type: 'text', value: JSON_TEXT }), abortSignal: controller.signal, maxRetries: 0 }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(claude.to('/v1/messages')).toHaveLength(0);
  });

  it('rejects bad options with errors naming them', () => {
    expect(() => headroomMiddleware({ maxBlockToken: 1 } as never)).toThrow(/headroomMiddleware: options\.maxBlockToken is not an option \(did you mean maxBlockTokens\?\)/);
    expect(() => headroomMiddleware({ onCompress: 1 } as never)).toThrow(/options\.onCompress must be a function/);
  });
});
