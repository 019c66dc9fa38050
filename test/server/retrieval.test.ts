// Retrieval through `headroom serve`: the real Anthropic and OpenAI SDKs pointed at the server,
// which points at loopback upstreams whose scripted model calls `headroom_retrieve` for every key
// it sees. The server answers those calls itself and the client gets one response, JSON or one
// event stream; what reached the model as the answer is the omitted original, byte for byte (this
// file runs on both engines: `HEADROOM_ENGINE=js` for the JS one).
import type { ServerResponse } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/index.js';
import { retrieve } from '../../src/retrieval/answer.js';
import type { Store } from '../../src/retrieval/store.js';
import { remoteCompress, RemoteStore } from '../../src/remote.js';
import { startServer, type HeadroomServer } from '../../src/server/server.js';
import { MockAnthropic } from '../support/anthropic-server.js';
import type { RecordedRequest } from '../support/loopback-server.js';
import { MockOpenAI } from '../support/openai-server.js';
import { markerKeys, readWhole } from '../support/retrieval.js';
import { orderRecords, serviceLog } from '../support/tool-output.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const LOG = serviceLog(240);
const RECORDS = orderRecords(120);
const KEY = /headroom_retrieve key=(hr_[a-z2-7]{16})/g;

type Obj = Record<string, unknown>;
type Mode = 'retrieve' | 'always' | 'mixed';

/** Keys named anywhere in a request's messages that no earlier call of the conversation asked for. */
function keysToAsk(messages: unknown[], asked: (m: unknown) => string[]): string[] {
  const text = JSON.stringify(messages);
  const named = [...new Set([...text.matchAll(KEY)].map((m) => m[1]!))];
  const done = new Set(messages.flatMap(asked));
  return named.filter((k) => !done.has(k));
}

/** A Messages API whose model calls headroom_retrieve (limit 1000) for each key it has not asked for yet. */
class ScriptedAnthropic extends MockAnthropic {
  mode: Mode = 'retrieve';
  /** The Messages request (1-based) the upstream refuses with 529, if any. */
  failAt = 0;
  private calls = 0;

  override reset(): void {
    super.reset();
    this.failAt = 0;
  }

  protected override answer(request: RecordedRequest, res: ServerResponse): void {
    const body = request.body as { messages?: unknown[]; tools?: { name?: string }[] } | undefined;
    if (request.path === '/v1/messages' && this.to('/v1/messages').length === this.failAt) this.failNext({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
    else if (request.method === 'POST' && request.path === '/v1/messages' && body?.messages !== undefined && this.replies.length === 0) {
      const offered = body.tools?.some((t) => t.name === 'headroom_retrieve') === true;
      const asked = (m: unknown): string[] =>
        Array.isArray((m as Obj)['content']) ? ((m as { content: Obj[] }).content.filter((b) => b['name'] === 'headroom_retrieve').map((b) => (b['input'] as Obj)['key'] as string)) : [];
      const keys = keysToAsk(body.messages, asked);
      const ask = this.mode === 'always' ? [...body.messages.map((m) => JSON.stringify(m)).join('').matchAll(KEY)].map((m) => m[1]!).slice(0, 1) : keys;
      if (offered && ask.length > 0) {
        const uses = ask.map((key) => ({ type: 'tool_use', id: `toolu_hr${++this.calls}`, name: 'headroom_retrieve', input: { key, limit: 1000 } }));
        const mine = this.mode === 'mixed' ? [{ type: 'tool_use', id: `toolu_own${this.calls}`, name: 'get_metrics', input: { service: 'payment-worker' } }] : [];
        this.replies.push([{ type: 'text', text: 'Let me read what was left out.' }, ...uses, ...mine]);
      }
    }
    super.answer(request, res);
  }
}

/** The same for chat completions. */
class ScriptedOpenAI extends MockOpenAI {
  /** `always`: calls headroom_retrieve on every turn it is offered, answered or not. */
  always = false;
  private calls = 0;

  override reset(): void {
    super.reset();
    this.always = false;
  }

  protected override answer(request: RecordedRequest, res: ServerResponse): void {
    const body = request.body as { messages?: unknown[]; tools?: { function?: { name?: string } }[] } | undefined;
    if (request.method === 'POST' && request.path === '/v1/chat/completions' && body?.messages !== undefined && this.replies.length === 0) {
      const offered = body.tools?.some((t) => t.function?.name === 'headroom_retrieve') === true;
      const asked = (m: unknown): string[] =>
        Array.isArray((m as Obj)['tool_calls'])
          ? (m as { tool_calls: { function: { name: string; arguments: string } }[] }).tool_calls
              .filter((c) => c.function.name === 'headroom_retrieve')
              .map((c) => (JSON.parse(c.function.arguments) as { key: string }).key)
          : [];
      const keys = this.always ? [...JSON.stringify(body.messages).matchAll(KEY)].map((m) => m[1]!).slice(0, 1) : keysToAsk(body.messages, asked);
      if (offered && keys.length > 0) {
        this.replies.push({ calls: keys.map((key) => ({ id: `call_hr${++this.calls}`, name: 'headroom_retrieve', arguments: JSON.stringify({ key, limit: 1000 }) })) });
      }
    }
    super.answer(request, res);
  }
}

const anthropicUp = new ScriptedAnthropic();
const openaiUp = new ScriptedOpenAI();
let server: HeadroomServer;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  await anthropicUp.start();
  await openaiUp.start();
  server = await startServer({ port: 0, upstream: anthropicUp.baseURL, openaiUpstream: openaiUp.baseURL, compress: { maxBlockTokens: 400 } });
});
afterAll(async () => {
  await server.close();
  await anthropicUp.stop();
  await openaiUp.stop();
});
beforeEach(() => {
  anthropicUp.reset();
  openaiUp.reset();
  anthropicUp.mode = 'retrieve';
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 });
});

function conversation(outputs: readonly string[] = [LOG]): Anthropic.MessageParam[] {
  return [
    { role: 'user', content: 'Why did the payment worker fail?' },
    { role: 'assistant', content: outputs.map((_, i) => ({ type: 'tool_use' as const, id: `toolu_${i}`, name: 'get_logs', input: { i } })) },
    { role: 'user', content: outputs.map((o, i) => ({ type: 'tool_result' as const, tool_use_id: `toolu_${i}`, content: o })) },
  ];
}

const params = (messages = conversation()): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 256,
  tools: [{ name: 'get_logs', description: 'Service logs', input_schema: { type: 'object', properties: {} } }],
  messages,
});

type SentMessages = { messages: { role: string; content: unknown }[]; tools?: { name: string }[] };
const sent = (i: number): SentMessages => anthropicUp.to('/v1/messages')[i]!.body as SentMessages;
/** The tool_result contents the server sent upstream as answers to headroom_retrieve calls. */
const answersSent = (body: SentMessages): string[] =>
  body.messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as Obj[]) : [])).filter((b) => b['type'] === 'tool_result' && String(b['tool_use_id']).startsWith('toolu_hr')).map((b) => b['content'] as string);

describe('the server answers headroom_retrieve for Anthropic clients', () => {
  it('JSON: the model gets the original byte for byte, the client one message with usage summed', async () => {
    const message = await anthropic.messages.create(params());
    const requests = anthropicUp.to('/v1/messages');
    expect(requests).toHaveLength(2);
    const first = sent(0);
    // The tool is offered at the end of the caller's tools, the marker names its key.
    expect(first.tools!.map((t) => t.name)).toEqual(['get_logs', 'headroom_retrieve']);
    const compressed = ((first.messages[2]!.content as Obj[])[0]!['content'] as string);
    expect(countTokens(compressed)).toBeLessThan(countTokens(LOG) / 2);
    expect(markerKeys(compressed)).toHaveLength(1);
    // The continuation: the conversation as sent, the model's call, the answer — the original.
    const second = sent(1);
    expect(second.messages.slice(0, 3)).toEqual(first.messages);
    expect(answersSent(second)).toEqual([LOG]);
    // One message: the text of both rounds, no retrieval call, usage of both rounds.
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me read what was left out.' },
      { type: 'text', text: 'Done.' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBe(Math.ceil(requests[0]!.raw.length / 4) + Math.ceil(requests[1]!.raw.length / 4));
    expect(message.usage.output_tokens).toBe(6);
    expect(server.metrics.retrievalRounds.get()).toBeGreaterThanOrEqual(1);
  });

  it('JSON: every lossy block, logs and JSON items alike, comes back whole', async () => {
    await anthropic.messages.create(params(conversation([LOG, RECORDS])));
    expect(answersSent(sent(1)).sort()).toEqual([LOG, RECORDS].sort());
  });

  it('SSE: one stream of events, blocks numbered on across rounds, and the final message the SDK assembles', async () => {
    const events: Anthropic.MessageStreamEvent[] = [];
    for await (const event of await anthropic.messages.create({ ...params(), stream: true })) events.push(event);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'message_start')).toHaveLength(1);
    expect(types.filter((t) => t === 'message_stop')).toHaveLength(1);
    expect(types.at(-1)).toBe('message_stop');
    const starts = events.filter((e): e is Anthropic.RawContentBlockStartEvent => e.type === 'content_block_start');
    expect(starts.map((e) => [e.index, e.content_block.type])).toEqual([
      [0, 'text'],
      [1, 'text'],
    ]);
    expect(answersSent(sent(1))).toEqual([LOG]);

    anthropicUp.reset();
    const stream = anthropic.messages.stream(params());
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'text', text: 'Let me read what was left out.', citations: null },
      { type: 'text', text: 'Done.', citations: null },
    ].map(({ citations: _c, ...b }) => expect.objectContaining(b)));
    expect(final.stop_reason).toBe('end_turn');
    const requests = anthropicUp.to('/v1/messages');
    expect(final.usage.input_tokens).toBe(requests.reduce((n, r) => n + Math.ceil(r.raw.length / 4), 0));
    expect(answersSent(sent(1))).toEqual([LOG]);
  });

  it('stops after 3 rounds and hands the call to the client; the next request carries its answer', async () => {
    anthropicUp.mode = 'always';
    const message = await anthropic.messages.create(params());
    expect(anthropicUp.to('/v1/messages')).toHaveLength(4);
    expect(message.stop_reason).toBe('tool_use');
    const call = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    expect(call.name).toBe('headroom_retrieve');
    // Event streams stop after the same number of rounds.
    anthropicUp.reset();
    const streamed = await anthropic.messages.stream(params()).finalMessage();
    expect(anthropicUp.to('/v1/messages')).toHaveLength(4);
    expect(streamed.content.filter((b) => b.type === 'tool_use').map((b) => (b as Anthropic.ToolUseBlock).name)).toEqual(['headroom_retrieve']);
    // The client goes on without answering the call it does not know: the server answers it.
    anthropicUp.reset();
    anthropicUp.mode = 'retrieve';
    const next = [...conversation(), { role: 'assistant' as const, content: message.content }, { role: 'user' as const, content: 'Go on.' }];
    await anthropic.messages.create(params(next));
    const body = sent(0);
    const user = body.messages[4]!.content as Obj[];
    expect(user[0]).toMatchObject({ type: 'tool_result', tool_use_id: call.id });
    expect(user[0]!['content']).toBe(LOG);
    expect(user[1]).toEqual({ type: 'text', text: 'Go on.' });
  });

  it('an upstream error on a continuation reaches the client as that error, JSON or stream', async () => {
    anthropicUp.failAt = 2;
    const err = await anthropic.messages.create(params()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    anthropicUp.reset();
    anthropicUp.failAt = 2;
    const seen: string[] = [];
    const streamed = await (async () => {
      for await (const event of await anthropic.messages.create({ ...params(), stream: true })) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(Anthropic.APIError);
    expect(String((streamed as Error).message)).toContain('Overloaded');
    expect(seen[0]).toBe('message_start');
    expect(seen).not.toContain('message_stop');
  });

  it('returns a mixed turn as it is and supplies the missing answer on the next request', async () => {
    anthropicUp.mode = 'mixed';
    const message = await anthropic.messages.create(params());
    expect(anthropicUp.to('/v1/messages')).toHaveLength(1);
    const uses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(uses.map((u) => u.name)).toEqual(['headroom_retrieve', 'get_metrics']);
    anthropicUp.reset();
    anthropicUp.mode = 'retrieve';
    const own = uses[1]!;
    const next: Anthropic.MessageParam[] = [
      ...conversation(),
      { role: 'assistant', content: message.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: own.id, content: 'cpu 93%' }] },
    ];
    const final = await anthropic.messages.create(params(next));
    expect(final.content.at(-1)).toEqual({ type: 'text', text: 'Done.' });
    const results = sent(0).messages[4]!.content as Obj[];
    expect(results.map((r) => r['tool_use_id'])).toEqual([own.id, uses[0]!.id]);
    expect(results[1]!['content']).toBe(LOG);
  });

  it('with retrieval off, offers no tool and names no key', async () => {
    const off = await startServer({ port: 0, upstream: anthropicUp.baseURL, retrieval: false, compress: { maxBlockTokens: 400 } });
    try {
      const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: off.url, maxRetries: 0 });
      const message = await client.messages.create(params());
      expect(message.content).toEqual([{ type: 'text', text: 'Done.' }]);
      const body = sent(0);
      expect(body.tools!.map((t) => t.name)).toEqual(['get_logs']);
      const compressed = (body.messages[2]!.content as Obj[])[0]!['content'] as string;
      expect(countTokens(compressed)).toBeLessThan(countTokens(LOG) / 2);
      expect(compressed).not.toContain('headroom_retrieve');
    } finally {
      await off.close();
    }
  });

  it('fails open when the store is down: compressed without keys, no tool offered', async () => {
    const down: Store = {
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
    };
    const logs: string[] = [];
    const broken = await startServer({ port: 0, upstream: anthropicUp.baseURL, retrieval: down, compress: { maxBlockTokens: 400 }, log: (l) => logs.push(l) });
    try {
      const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: broken.url, maxRetries: 0 });
      await client.messages.create(params());
      const body = sent(0);
      expect(body.tools!.map((t) => t.name)).toEqual(['get_logs']);
      const compressed = (body.messages[2]!.content as Obj[])[0]!['content'] as string;
      expect(compressed).not.toContain('headroom_retrieve');
      expect(countTokens(compressed)).toBeLessThan(countTokens(LOG) / 2);
      expect(logs.some((l) => l.includes('retrieval store refused 1 original(s)'))).toBe(true);
      expect(broken.metrics.failures.get({ reason: 'store' })).toBe(1);
      expect((await fetch(`${broken.url}/v1/retrieve/hr_aaaaaaaaaaaaaaaa`)).status).toBe(503);
    } finally {
      await broken.close();
    }
  });

  it('keeps out of a client that offers headroom_retrieve itself', async () => {
    const tools = [...params().tools!, { name: 'headroom_retrieve', description: 'mine', input_schema: { type: 'object' as const, properties: {} } }];
    await anthropic.messages.create({ ...params(), tools });
    const body = sent(0);
    expect(body.tools).toEqual(tools);
    expect(JSON.stringify(body.messages)).not.toContain('headroom_retrieve key=');
  });
});

describe('the server answers headroom_retrieve for OpenAI chat clients', () => {
  const chat = (): OpenAI.ChatCompletionMessageParam[] => [
    { role: 'user', content: 'Why did the payment worker fail?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_logs', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: LOG },
  ];
  const toolAnswers = (i: number): string[] =>
    ((openaiUp.to('/v1/chat/completions')[i]!.body as { messages: Obj[] }).messages)
      .filter((m) => m['role'] === 'tool' && String(m['tool_call_id']).startsWith('call_hr'))
      .map((m) => m['content'] as string);

  it('JSON: the original reaches the model, the client gets one completion', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: chat() });
    expect(openaiUp.to('/v1/chat/completions')).toHaveLength(2);
    const first = openaiUp.to('/v1/chat/completions')[0]!.body as { tools: { function: { name: string } }[] };
    expect(first.tools.map((t) => t.function.name)).toEqual(['headroom_retrieve']);
    expect(toolAnswers(1)).toEqual([LOG]);
    expect(completion.choices[0]!.message.content).toBe('Done.');
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.completion_tokens).toBe(6);
  });

  it('SSE: one stream of chunks under one id, usage summed, [DONE] once', async () => {
    const ids = new Set<string>();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: chat(), stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) {
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta.content ?? '';
      expect(chunk.choices[0]?.delta.tool_calls).toBeUndefined();
      if (chunk.usage) usage = chunk.usage;
    }
    expect(ids.size).toBe(1);
    expect(text).toBe('Done.');
    expect(usage!.completion_tokens).toBe(6);
    expect(toolAnswers(1)).toEqual([LOG]);
    openaiUp.reset();
    const final = await openai.chat.completions.stream({ model: 'gpt-4o', messages: chat() }).finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Done.');
    expect(toolAnswers(1)).toEqual([LOG]);
  });
});

describe('OpenAI: the round limit, then the answer on the next request', () => {
  it('a stream stops after 3 rounds with the call for the client; the next request carries its answer', async () => {
    openaiUp.always = true;
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Why did the payment worker fail?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_logs', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: LOG },
    ];
    const final = await openai.chat.completions.stream({ model: 'gpt-4o', messages }).finalChatCompletion();
    expect(openaiUp.to('/v1/chat/completions')).toHaveLength(4);
    const message = final.choices[0]!.message;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.tool_calls!.map((c) => (c as { function: { name: string } }).function.name)).toEqual(['headroom_retrieve']);
    openaiUp.reset();
    const next: OpenAI.ChatCompletionMessageParam[] = [
      ...messages,
      { role: 'assistant', content: null, tool_calls: message.tool_calls! },
      { role: 'user', content: 'Go on.' },
    ];
    await openai.chat.completions.create({ model: 'gpt-4o', messages: next });
    const sent = (openaiUp.to('/v1/chat/completions')[0]!.body as { messages: Obj[] }).messages;
    expect(sent.map((m) => m['role'])).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'user']);
    expect(sent[4]).toEqual({ role: 'tool', tool_call_id: message.tool_calls![0]!.id, content: LOG });
  });
});

describe('/v1/compress, GET /v1/retrieve and remote mode', () => {
  const openaiConversation = [
    { role: 'user', content: 'Why did the payment worker fail?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_logs', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: LOG },
  ];

  it('ccr_hashes name the lossy blocks, and GET /v1/retrieve/:key gives each original back whole', async () => {
    const res = await fetch(`${server.url}/v1/compress`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: openaiConversation }) });
    const body = (await res.json()) as { ccr_hashes: string[]; messages: { content: string }[] };
    expect(body.ccr_hashes).toHaveLength(1);
    const key = body.ccr_hashes[0]!;
    expect(markerKeys(body.messages[2]!.content)).toEqual([key]);
    const original = await fetch(`${server.url}/v1/retrieve/${key}`);
    expect(original.status).toBe(200);
    expect(await original.json()).toEqual({ key, kind: 'log', content: LOG });
  });

  it('remote mode takes the key notes out unless the caller keeps keys, and RemoteStore answers calls through the server', async () => {
    const messages = conversation() as Parameters<typeof remoteCompress>[1];
    const plain = await remoteCompress(server.url, messages, MODEL, 5000, undefined);
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    const stripped = (plain.result.messages[2]!.content as unknown as Obj[])[0]!['content'] as string;
    expect(stripped).not.toContain('headroom_retrieve');
    expect(stripped).toContain('[…');
    expect(plain.result.keys).toEqual([]);

    const keeping = await remoteCompress(server.url, messages, MODEL, 5000, undefined, { keepKeys: true });
    if (!keeping.ok) throw new Error(keeping.reason);
    const kept = (keeping.result.messages[2]!.content as unknown as Obj[])[0]!['content'] as string;
    expect(markerKeys(kept)).toEqual(keeping.result.keys);
    expect(kept.replace(/ · headroom_retrieve key=hr_[a-z2-7]{16}/, '')).toBe(stripped);

    const store = new RemoteStore(server.url);
    const key = keeping.result.keys[0]!;
    expect((await readWhole((call) => retrieve(store, call), key)).text).toBe(LOG);
    const hits = await retrieve(store, { key, query: 'ERROR' });
    expect(hits.text).toContain('charge failed for order');
    expect((await retrieve(store, { key: 'hr_aaaaaaaaaaaaaaaa' })).status).toBe('unknown');
  });
});

describe('POST /v1/responses', () => {
  it('compresses function_call_output items and leaves a previous_response_id chain as it is', async () => {
    const input: OpenAI.Responses.ResponseInputItem[] = [
      { type: 'function_call_output', call_id: 'call_1', output: LOG },
      { role: 'user', content: 'What failed?' },
    ];
    const response = await openai.responses.create({ model: 'gpt-4o', previous_response_id: 'resp_prev', input });
    expect(response.output_text).toBe('Done.');
    const body = openaiUp.to('/v1/responses')[0]!.body as { previous_response_id: string; input: Obj[]; tools?: unknown };
    expect(body.previous_response_id).toBe('resp_prev');
    expect(body.tools).toBeUndefined();
    const output = body.input[0]!['output'] as string;
    expect(countTokens(output)).toBeLessThan(countTokens(LOG) / 2);
    expect(output).toContain('ERROR payment-worker: charge failed');
    expect(body.input[1]).toEqual({ role: 'user', content: 'What failed?' });
    expect(body.input[0]).toMatchObject({ type: 'function_call_output', call_id: 'call_1' });
  });
});
