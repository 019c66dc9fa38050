// withHeadroom / HeadroomClient for the OpenAI SDK end to end: the real `openai` package against a
// local server that speaks Chat Completions and the Responses API and records every request body.
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { beforeEach, describe, expect, it } from 'vitest';
import { compress, countTokens, retrievalTool } from '../src/index.js';
import { HeadroomClient, withHeadroom, type CompressEvent } from '../src/openai.js';
import { serveDuringTests } from './support/loopback-server.js';
import { MockOpenAI } from './support/openai-server.js';

const server = serveDuringTests(new MockOpenAI());
let sdk: OpenAI;

beforeEach(() => {
  sdk = new OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
});

/** A service log: 400 routine lines around two errors, as a log tool returns it. */
const LOG = Array.from({ length: 400 }, (_, i) => {
  const t = `2026-11-24T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
  if (i === 137) return `${t} ERROR payment-api request failed: upstream timeout after 30000 ms (order=8812)`;
  if (i === 301) return `${t} ERROR payment-api connection refused: db-primary:5432`;
  return `${t} INFO payment-api request served path=/v1/orders/${1000 + (i % 37)} status=200 latency_ms=${12 + (i % 9)}`;
}).join('\n');

const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_logs', description: 'Service logs', parameters: { type: 'object', properties: { service: { type: 'string' } } } } },
];

function history(): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: 'You are an SRE assistant.' },
    { role: 'user', content: 'Why are payments failing?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_logs', arguments: '{"limit":400}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: LOG },
  ];
}

const chatParams = (messages = history()) => ({ model: 'gpt-4o', messages, tools: TOOLS, temperature: 0.2 });

type ChatBody = { messages: { role: string; content: unknown; tool_call_id?: string }[]; headroom?: unknown };
const chatBody = (i = -1): ChatBody => server.to('/v1/chat/completions').at(i)!.body as ChatBody;

/** The wire body: the tool message smaller, both errors kept, every other field as given. */
function expectCompressedChat(body: ChatBody, original = chatParams()): void {
  const tool = body.messages[3]!;
  expect(tool.tool_call_id).toBe('call_1');
  expect(countTokens(tool.content as string)).toBeLessThan(countTokens(LOG) / 2);
  expect(tool.content).toContain('upstream timeout after 30000 ms');
  expect(tool.content).toContain('connection refused: db-primary:5432');
  const { messages, ...rest } = body as ChatBody & Record<string, unknown>;
  const { messages: originalMessages, ...originalRest } = original;
  // The log lost lines, so its marker names a retrieval key and the tool goes out at the end.
  expect(rest).toEqual({ ...originalRest, tools: [...originalRest.tools, retrievalTool('openai')] });
  expect(messages.slice(0, 3)).toEqual(originalMessages.slice(0, 3));
  expect(body.headroom).toBeUndefined();
}

describe('chat.completions', () => {
  it('create compresses tool messages on the wire and sends every other field byte-identical', async () => {
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { onCompress: (e) => events.push(e) });
    const params = chatParams();
    const frozen = structuredClone(params);
    const completion = await client.chat.completions.create(params);
    expect(completion.choices[0]!.message.content).toBe('Done.');
    expectCompressedChat(chatBody(), frozen);
    expect(params).toEqual(frozen);
    const raw = server.to('/v1/chat/completions')[0]!.raw;
    expect(raw).toContain(JSON.stringify(params.messages[2]));
    expect(events).toEqual([expect.objectContaining({ method: 'chat.completions.create', model: 'gpt-4o', mode: 'local' })]);
    expect(events[0]!.tokensSaved).toBeGreaterThan(0);
  });

  it('keeps the SDK’s APIPromise: withResponse() and asResponse()', async () => {
    const client = withHeadroom(sdk);
    const { data, response, request_id } = await client.chat.completions.create(chatParams()).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    const raw = await client.chat.completions.create(chatParams()).asResponse();
    expect(((await raw.json()) as { object: string }).object).toBe('chat.completion');
    expectCompressedChat(chatBody());
  });

  it('streams through create({ stream: true }) and the stream() helper', async () => {
    const client = withHeadroom(sdk);
    server.replies.push({ text: 'Two errors: an upstream timeout and a refused connection.' });
    let text = '';
    for await (const chunk of await client.chat.completions.create({ ...chatParams(), stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Two errors: an upstream timeout and a refused connection.');
    expectCompressedChat(chatBody(), { ...chatParams(), stream: true } as never);
    const deltas: string[] = [];
    const final = await client.chat.completions
      .stream(chatParams())
      .on('content.delta', ({ delta }) => deltas.push(delta))
      .finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Done.');
    expect(deltas.join('')).toBe('Done.');
    expectCompressedChat(chatBody(), { ...chatParams(), stream: true } as never);
  });

  it('parse() runs on the compressed request', async () => {
    const client = withHeadroom(sdk);
    server.replies.push({ text: '{"errors":2}' });
    const response_format = zodResponseFormat(z.object({ errors: z.number() }), 'summary');
    const { tools: _tools, ...rest } = chatParams();
    const parsed = await client.chat.completions.parse({ ...rest, response_format });
    expect(parsed.choices[0]!.message.parsed).toEqual({ errors: 2 });
    expect(countTokens(chatBody().messages[3]!.content as string)).toBeLessThan(countTokens(LOG) / 2);
  });

  it('runTools() compresses the tool output it sends each round', async () => {
    const client = withHeadroom(sdk);
    server.replies.push({ calls: [{ id: 'call_9', name: 'get_logs', arguments: '{"limit":400}' }] });
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Why are payments failing?' }],
      tools: [{ type: 'function', function: { name: 'get_logs', description: 'Service logs', parameters: { type: 'object', properties: { service: { type: 'string' } } }, function: () => LOG, parse: JSON.parse } }],
    });
    expect(await runner.finalContent()).toBe('Done.');
    const bodies = server.to('/v1/chat/completions').map((r) => r.body as ChatBody);
    expect(bodies).toHaveLength(2);
    const tool = bodies[1]!.messages.find((m) => m.role === 'tool')!;
    expect(tool.tool_call_id).toBe('call_9');
    expect(countTokens(tool.content as string)).toBeLessThan(countTokens(LOG) / 2);
    // The runner's own history keeps the tool's full output: only the wire copy is compressed.
    expect(runner.messages.find((m) => m.role === 'tool')!.content).toBe(LOG);
  });

  it('hands errors and aborts to the caller as the SDK’s own classes', async () => {
    const client = withHeadroom(sdk);
    server.failNext({ status: 400, type: 'invalid_request_error', message: 'bad' });
    await expect(client.chat.completions.create(chatParams())).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    server.failNext({ status: 500, type: 'server_error', message: 'boom' });
    await expect(client.chat.completions.stream(chatParams()).finalChatCompletion()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const controller = new AbortController();
    controller.abort();
    await expect(client.chat.completions.create(chatParams(), { signal: controller.signal })).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
  });

  it('headroom: false sends the request untouched, without the field', async () => {
    const client = withHeadroom(sdk);
    await client.chat.completions.create({ ...chatParams(), headroom: false });
    expect(server.to('/v1/chat/completions')[0]!.raw).toBe(JSON.stringify(chatParams()));
  });

  it('passes every other member through, withOptions() included', async () => {
    const client = withHeadroom(sdk);
    expect(client).toBeInstanceOf(OpenAI);
    expect(client.apiKey).toBe('test-key');
    await client.withOptions({ timeout: 5000 }).chat.completions.create(chatParams());
    expectCompressedChat(chatBody());
  });
});

describe('responses', () => {
  const input = (): OpenAI.Responses.ResponseInput => [
    { role: 'user', content: 'Why are payments failing?' },
    { type: 'function_call', call_id: 'call_1', name: 'get_logs', arguments: '{"limit":400}' },
    { type: 'function_call_output', call_id: 'call_1', output: LOG },
  ];
  const params = () => ({ model: 'gpt-4.1', input: input(), instructions: 'You are an SRE assistant.', previous_response_id: 'resp_0' });
  type Body = { input: { type?: string; output?: string; content?: unknown }[] | string } & Record<string, unknown>;
  const body = (i = -1): Body => server.to('/v1/responses').at(i)!.body as Body;

  function expectCompressedInput(sent: Body, original: object = params()): void {
    const items = sent.input as { type?: string; output?: string }[];
    const output = items[2]!.output!;
    expect(countTokens(output)).toBeLessThan(countTokens(LOG) / 2);
    expect(output).toContain('connection refused: db-primary:5432');
    expect(items.slice(0, 2)).toEqual(input().slice(0, 2));
    const { input: _a, ...rest } = sent;
    const { input: _b, ...originalRest } = original as Body;
    expect(rest).toEqual(originalRest);
  }

  it('create compresses function_call_output items and leaves previous_response_id as it is', async () => {
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { onCompress: (e) => events.push(e) });
    const response = await client.responses.create(params());
    expect(response.output_text).toBe('Done.');
    expectCompressedInput(body());
    expect(body()['previous_response_id']).toBe('resp_0');
    expect(events[0]).toMatchObject({ method: 'responses.create', model: 'gpt-4.1', mode: 'local' });
  });

  it('compresses large input text, parts included, and leaves prose alone', async () => {
    const client = withHeadroom(sdk);
    await client.responses.create({ model: 'gpt-4.1', input: LOG });
    expect(countTokens(body().input as string)).toBeLessThan(countTokens(LOG) / 2);
    await client.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Summarise this:' }, { type: 'input_text', text: LOG }] }] });
    const parts = (body().input as { content: { text: string }[] }[])[0]!.content;
    expect(parts[0]).toEqual({ type: 'input_text', text: 'Summarise this:' });
    expect(countTokens(parts[1]!.text)).toBeLessThan(countTokens(LOG) / 2);
    await client.responses.create({ model: 'gpt-4.1', input: 'Tell me a short story about a lighthouse keeper.' });
    expect(server.to('/v1/responses').at(-1)!.raw).toBe(JSON.stringify({ model: 'gpt-4.1', input: 'Tell me a short story about a lighthouse keeper.' }));
  });

  it('streams through create({ stream: true }) and the stream() helper', async () => {
    const client = withHeadroom(sdk);
    const types: string[] = [];
    for await (const event of await client.responses.create({ ...params(), stream: true })) types.push(event.type);
    expect(types.at(0)).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expectCompressedInput(body(), { ...params(), stream: true });
    const deltas: string[] = [];
    const final = await client.responses
      .stream(params())
      .on('response.output_text.delta', (e) => deltas.push(e.delta))
      .finalResponse();
    expect(final.output_text).toBe('Done.');
    expect(deltas.join('')).toBe('Done.');
    expectCompressedInput(body(), { ...params(), stream: true });
  });

  it('parse() runs on the compressed request', async () => {
    const client = withHeadroom(sdk);
    server.replies.push({ text: '{"errors":2}' });
    const parsed = await client.responses.parse({ ...params(), text: { format: zodTextFormat(z.object({ errors: z.number() }), 'summary') } });
    expect(parsed.output_parsed).toEqual({ errors: 2 });
    expect(countTokens((body().input as { output?: string }[])[2]!.output!)).toBeLessThan(countTokens(LOG) / 2);
  });

  it('inputTokens.count counts what would be sent', async () => {
    const client = withHeadroom(sdk);
    const counted = await client.responses.inputTokens.count({ model: 'gpt-4.1', input: input() });
    const sent = server.to('/v1/responses/input_tokens')[0]!;
    expect(countTokens(((sent.body as Body).input as { output: string }[])[2]!.output)).toBeLessThan(countTokens(LOG) / 2);
    expect(counted.input_tokens).toBe(Math.ceil(sent.raw.length / 4));
  });

  it('over the context window never drops input items (they have no place for the marker)', async () => {
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { tokenBudget: 600, onCompress: (e) => events.push(e) });
    const long: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Why are payments failing?' }];
    for (let i = 0; i < 4; i++) {
      long.push({ type: 'function_call', call_id: `call_${i}`, name: 'get_logs', arguments: `{"page":${i}}` });
      long.push({ type: 'function_call_output', call_id: `call_${i}`, output: LOG });
    }
    await client.responses.create({ model: 'gpt-4.1', input: long });
    const sent = body().input as { type?: string; call_id?: string }[];
    expect(sent.map((i) => i.call_id ?? i.type)).toEqual(long.map((i) => ('call_id' in i ? i.call_id : undefined) ?? ('type' in i ? i.type : undefined)));
    expect(events[0]!.transformsApplied).toContain('over_limit:unresolved');
    expect(events[0]!.transformsApplied).not.toContain('over_limit:dropped_turns');
    // Chat messages are the conversation itself: there the oldest turns go, with one marker.
    const chat: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Why are payments failing?' }];
    for (let i = 0; i < 4; i++) {
      chat.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'get_logs', arguments: `{"page":${i}}` } }] });
      chat.push({ role: 'tool', tool_call_id: `call_${i}`, content: LOG });
    }
    await client.chat.completions.create({ model: 'gpt-4o', messages: chat });
    expect(events[1]!.transformsApplied).toContain('over_limit:dropped_turns');
    expect(chatBody().messages.length).toBeLessThan(chat.length);
  });

  it('hands server errors to the caller as the SDK’s own classes', async () => {
    const client = withHeadroom(sdk);
    server.failNext({ status: 429, type: 'rate_limit_error', message: 'slow down' });
    await expect(client.responses.create(params())).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('HeadroomClient', () => {
  it('counts requests, savings and the cached prompt tokens the API reported (streams included)', async () => {
    const client = new HeadroomClient(sdk);
    await client.chat.completions.create(chatParams());
    for await (const chunk of await client.chat.completions.create({ ...chatParams(), stream: true, stream_options: { include_usage: true } })) void chunk;
    await client.responses.create({ model: 'gpt-4.1', input: LOG });
    await client.responses.stream({ model: 'gpt-4.1', input: LOG }).finalResponse();
    await client.responses.inputTokens.count({ model: 'gpt-4.1', input: LOG });
    const stats = client.stats();
    expect(stats.requests).toBe(4);
    expect(stats.tokensSaved).toBeGreaterThan(0);
    expect(stats.tokensBefore - stats.tokensAfter).toBe(stats.tokensSaved);
    expect(stats.cacheReadInputTokens).toBe(4 * server.cachedTokens);
  });

  it('rejects bad options with errors naming them', () => {
    expect(() => withHeadroom({} as never)).toThrow(/client must be an OpenAI client/);
    expect(() => withHeadroom(sdk, { maxBlockToken: 10 } as never)).toThrow(/options\.maxBlockToken is not an option \(did you mean maxBlockTokens\?\)/);
    expect(() => withHeadroom(sdk, { cacheBreakpoints: 'auto' } as never)).toThrow(/options\.cacheBreakpoints is not an option/);
    expect(() => withHeadroom(sdk, { minTokens: -1 })).toThrow(RangeError);
  });
});

describe('OpenAI message types', () => {
  it('compress() takes ChatCompletionMessageParam[] (custom tool calls too) and returns what create() takes', async () => {
    const messages: ChatCompletionMessageParam[] = [
      ...history(),
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'custom', custom: { name: 'grep', input: 'ERROR' } }] },
      { role: 'tool', tool_call_id: 'call_2', content: LOG },
    ];
    const result = await compress(messages, { model: 'gpt-4o' });
    const sent: ChatCompletionMessageParam[] = result.messages;
    await sdk.chat.completions.create({ model: 'gpt-4o', messages: sent });
    expect(result.blocks.map((b) => b.messageIndex)).toEqual([3, 5]);
    expect(chatBody().messages[4]).toEqual(messages[4]);
  });

  it('only the wrapped client’s params take headroom', () => {
    const client = withHeadroom(sdk);
    // Type checks, never called: the file compiles under the project's strict settings (npm test).
    const typed = (): unknown[] => [
      client.chat.completions.create({ ...chatParams(), headroom: false }),
      client.chat.completions.create({ ...chatParams(), stream: true, headroom: false }),
      client.responses.create({ model: 'gpt-4.1', input: 'x', headroom: false }),
      client.responses.inputTokens.count({ model: 'gpt-4.1', input: 'x', headroom: false }),
      // @ts-expect-error an unwrapped client would send the field to the API
      sdk.chat.completions.create({ ...chatParams(), headroom: false }),
      // @ts-expect-error the same for the Responses API
      sdk.responses.create({ model: 'gpt-4.1', input: 'x', headroom: false }),
    ];
    expect(typeof typed).toBe('function');
  });
});
