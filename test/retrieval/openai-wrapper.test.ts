// withHeadroom / HeadroomClient for the OpenAI SDK answer headroom_retrieve themselves in chat
// completions: the real `openai` package against a loopback API whose scripted model reads back
// every block a marker names, page by page. What it reads is the omitted original, byte for byte
// (run under both engines: HEADROOM_ENGINE=js for the twin); the caller gets one completion (JSON
// or a stream, the stream() helper included) with every round's usage summed.
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { beforeEach, describe, expect, it } from 'vitest';
import { HeadroomClient, withHeadroom, type CompressEvent } from '../../src/openai.js';
import { retrievalTool } from '../../src/retrieval/tool.js';
import { MockOpenAI } from '../support/openai-server.js';
import { serveDuringTests } from '../support/loopback-server.js';
import { chatExchanges, chatRetriever, markerKeys, pagesRead, retrievalOutputs } from '../support/retrieval.js';

const server = serveDuringTests(new MockOpenAI());
let sdk: OpenAI;
beforeEach(() => {
  sdk = new OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
});

const OUTPUTS = retrievalOutputs();
const LOG = OUTPUTS[0].text;
const OPTIONS = { maxBlockTokens: 1000, maxRetrievalRounds: 20 };
const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'fetch', description: 'Fetch', parameters: { type: 'object', properties: {} } } }];

function conversation(outputs: readonly string[]): ChatCompletionMessageParam[] {
  return [
    { role: 'user', content: 'What went wrong?' },
    { role: 'assistant', content: null, tool_calls: outputs.map((_, i) => ({ id: `call_${i}`, type: 'function' as const, function: { name: 'fetch', arguments: '{}' } })) },
    ...outputs.map((text, i) => ({ role: 'tool' as const, tool_call_id: `call_${i}`, content: text })),
  ];
}

const params = (outputs: readonly string[] = [LOG]) => ({ model: 'gpt-4o', tools: TOOLS, messages: conversation(outputs) });
type Body = { messages: ChatCompletionMessageParam[]; tools?: unknown[] };
const bodies = (): Body[] => server.to('/v1/chat/completions').map((r) => r.body as Body);
const promptTokens = (): number => server.to('/v1/chat/completions').reduce((n, r) => n + Math.ceil(r.raw.length / 4), 0);

function readBack(): string[] {
  const keys = chatExchanges(bodies()[0]).toolOutputs.flatMap(markerKeys);
  const { exchanges } = chatExchanges(bodies().at(-1));
  return keys.map((key) => pagesRead(exchanges, key));
}

function expectRoundsExtendTheFirst(): void {
  const [first, ...rest] = bodies();
  for (const b of rest) {
    expect(JSON.stringify(b.tools)).toBe(JSON.stringify(first!.tools));
    expect(JSON.stringify(b.messages.slice(0, first!.messages.length))).toBe(JSON.stringify(first!.messages));
  }
}

describe('chat.completions.create answers the model’s retrieval calls', () => {
  it.each(OUTPUTS.map((o) => [o.kind, o] as const))('%s: the model reads the omitted original byte for byte, and the caller gets one completion', async (_kind, output) => {
    server.respond = chatRetriever();
    const events: CompressEvent[] = [];
    const client = new HeadroomClient(sdk, { ...OPTIONS, onCompress: (e) => events.push(e) });
    const completion = await client.chat.completions.create(params([output.text]));
    const n = bodies().length;
    expect(n).toBeGreaterThan(1);
    expect(bodies()[0]!.tools).toEqual([...TOOLS, retrievalTool('openai')]);
    expect(events).toHaveLength(1);
    expect(events[0]!.retrieval).toEqual({ keys: 1, unstored: 0 });
    expect(readBack()).toEqual([output.text]);
    expectRoundsExtendTheFirst();
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.choices[0]!.message.content).toBe('Read every block.');
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.usage!.prompt_tokens).toBe(promptTokens());
    expect(completion.usage!.completion_tokens).toBe(3 * n);
    expect(completion.usage!.prompt_tokens_details!.cached_tokens).toBe(7 * n);
    const stats = client.stats();
    expect(stats.requests).toBe(1);
    expect(stats.retrievalRounds).toBe(n - 1);
    expect(stats.retrievedTokens).toBeGreaterThan(0);
    expect(stats.cacheReadInputTokens).toBe(7 * n);
  });
});

describe('streams continue the same way', () => {
  it('create({ stream: true }): one completion id, no retrieval call, one finish and one summed usage chunk', async () => {
    server.respond = chatRetriever();
    const client = withHeadroom(sdk, OPTIONS);
    const stream = await client.chat.completions.create({ ...params([OUTPUTS[1].text]), stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const n = bodies().length;
    expect(n).toBeGreaterThan(1);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.some((c) => c.choices.some((ch) => ch.delta.tool_calls !== undefined))).toBe(false);
    const finishes = chunks.flatMap((c) => c.choices.filter((ch) => ch.finish_reason !== null));
    expect(finishes.map((ch) => ch.finish_reason)).toEqual(['stop']);
    const usage = chunks.filter((c) => c.usage !== undefined && c.usage !== null);
    expect(usage).toHaveLength(1);
    expect(usage[0]!.usage!.completion_tokens).toBe(3 * n);
    expect(usage[0]!.usage!.prompt_tokens).toBe(promptTokens());
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Read every block.');
    expect(readBack()).toEqual([OUTPUTS[1].text]);
    expectRoundsExtendTheFirst();
  });

  it('the stream() helper: finalChatCompletion() is one coherent completion', async () => {
    server.respond = chatRetriever();
    const client = new HeadroomClient(sdk, OPTIONS);
    const final = await client.chat.completions.stream({ ...params(), stream_options: { include_usage: true } }).finalChatCompletion();
    const n = bodies().length;
    expect(final.choices[0]!.message.content).toBe('Read every block.');
    expect(final.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(final.choices[0]!.finish_reason).toBe('stop');
    expect(final.usage!.completion_tokens).toBe(3 * n);
    expect(readBack()).toEqual([LOG]);
    expect(client.stats().retrievalRounds).toBe(n - 1);
  });
});

describe('mixed turns and limits', () => {
  it('a retrieval call beside the caller’s own comes back as it is; the next request carries its answer', async () => {
    const client = new HeadroomClient(sdk, OPTIONS);
    const first = params();
    server.respond = (body) => {
      const key = markerKeys(chatExchanges(body).toolOutputs.join('\n'))[0]!;
      return {
        calls: [
          { id: 'call_mixed_r', name: 'headroom_retrieve', arguments: JSON.stringify({ key }) },
          { id: 'call_mixed_f', name: 'fetch', arguments: '{}' },
        ],
      };
    };
    const completion = await client.chat.completions.create(first);
    expect(bodies()).toHaveLength(1);
    const message = completion.choices[0]!.message;
    expect(message.tool_calls!.map((c) => (c.type === 'function' ? c.function.name : c.type))).toEqual(['headroom_retrieve', 'fetch']);
    server.respond = undefined;
    const history: ChatCompletionMessageParam[] = [...first.messages, message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: 'call_mixed_f', content: 'ok' }];
    await client.chat.completions.create({ ...first, messages: history });
    const sent = bodies()[1]!.messages.slice(-2) as { role: string; tool_call_id: string; content: string }[];
    expect(sent.map((m) => m.tool_call_id)).toEqual(['call_mixed_f', 'call_mixed_r']);
    expect(LOG.startsWith(sent[1]!.content.replace(/\n\[… [^\n]*…\]$/, ''))).toBe(true);
  });

  it('round limit reached: the last completion comes back as it is, usage summed', async () => {
    server.respond = chatRetriever();
    const client = new HeadroomClient(sdk, { ...OPTIONS, maxRetrievalRounds: 1 });
    const completion = await client.chat.completions.create(params([OUTPUTS[1].text]));
    expect(bodies()).toHaveLength(2);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]!.message.tool_calls!.map((c) => (c.type === 'function' ? c.function.name : c.type))).toEqual(['headroom_retrieve']);
    expect(completion.usage!.completion_tokens).toBe(6);
  });

  it('retrieval: false: markers name no key, no tool goes out', async () => {
    server.respond = chatRetriever();
    const client = withHeadroom(sdk, { ...OPTIONS, retrieval: false });
    await client.chat.completions.create(params());
    expect(bodies()).toHaveLength(1);
    expect(bodies()[0]!.tools).toEqual(TOOLS);
    expect(JSON.stringify(bodies()[0])).not.toContain('headroom_retrieve');
  });
});
