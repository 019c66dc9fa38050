// `headroom serve` end to end: the real Anthropic and OpenAI SDKs pointed at the server, which
// points at loopback fake upstreams that record what reaches them.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/index.js';
import { withHeadroom, type CompressEvent } from '../../src/anthropic.js';
import { startServer, type HeadroomServer } from '../../src/server/server.js';
import { MockAnthropic } from '../support/anthropic-server.js';
import { MockOpenAI } from '../support/openai-server.js';
import { orderRecords, serviceLog } from '../support/tool-output.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const API_KEY = 'sk-ant-test-5f3c9e1d-never-in-logs';
const OPENAI_KEY = 'sk-openai-test-77a1-never-in-logs';
const anthropicUp = new MockAnthropic();
const openaiUp = new MockOpenAI();
const logs: string[] = [];
let server: HeadroomServer;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  await anthropicUp.start();
  await openaiUp.start();
  server = await startServer({
    port: 0,
    upstream: anthropicUp.baseURL,
    openaiUpstream: openaiUp.baseURL,
    maxBody: 2 * 1024 * 1024,
    log: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await server.close();
  await anthropicUp.stop();
  await openaiUp.stop();
});
beforeEach(() => {
  anthropicUp.requests.length = 0;
  openaiUp.requests.length = 0;
  anthropic = new Anthropic({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
});

const LOG = serviceLog(1500);
const RECORDS = orderRecords(400);

function conversation(output = LOG): Anthropic.MessageParam[] {
  return [
    { role: 'user', content: 'Why did the payment worker fail?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_logs', input: { service: 'payment-worker' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: output }] },
  ];
}

const params = (messages = conversation()): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 256,
  system: 'You are an SRE assistant.',
  messages,
});

type Sent = { messages: Anthropic.MessageParam[]; system?: unknown; model?: string };
const toolText = (body: Sent): string => ((body.messages[2]!.content as Anthropic.ToolResultBlockParam[])[0]!.content as string);

/** Server-sent events as [event, data] pairs. */
function sseEvents(text: string): Array<[string, string]> {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(chunk)?.[1] ?? '';
      return [event, data];
    });
}

describe('POST /v1/messages with the Anthropic SDK', () => {
  it('compresses tool output on the wire, keeps the error, and forwards everything else as sent', async () => {
    const original = params();
    const frozen = structuredClone(original);
    const message = await anthropic.messages.create(original);
    expect(message.content[0]).toEqual({ type: 'text', text: 'Done.' });
    const sent = anthropicUp.to('/v1/messages')[0]!;
    const body = sent.body as Sent;
    expect(countTokens(toolText(body))).toBeLessThan(countTokens(LOG) / 3);
    expect(toolText(body)).toContain('ERROR payment-worker: charge failed for order');
    expect(toolText(body)).toContain('java.net.SocketException: Connection reset');
    expect(body.messages.slice(0, 2)).toEqual(frozen.messages.slice(0, 2));
    expect(body.system).toBe(frozen.system);
    expect(body.model).toBe(MODEL);
    expect(original).toEqual(frozen);
  });

  it('passes the caller’s auth and version headers as given, and never logs them', async () => {
    logs.length = 0;
    const client = new Anthropic({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0, defaultHeaders: { 'anthropic-beta': 'context-1m-2025-08-07' } });
    await client.messages.create(params());
    const direct = new Anthropic({ apiKey: API_KEY, baseURL: anthropicUp.baseURL, maxRetries: 0, defaultHeaders: { 'anthropic-beta': 'context-1m-2025-08-07' } });
    await direct.messages.create(params());
    // Every header the SDK sends arrives as it would have without the server (the connection's own aside).
    const [via, straight] = anthropicUp.to('/v1/messages').map((r) => {
      const { host: _h, 'content-length': _l, connection: _c, 'accept-encoding': _e, ...rest } = r.headers;
      return { ...rest, encoding: _e } as Record<string, string | string[] | undefined>;
    });
    // The server offers headroom_retrieve here and reads the answer to see whether the model called
    // it, so it asks for the answer uncompressed; every other header is the SDK's own.
    expect(via!['encoding']).toBe('identity');
    expect({ ...via, encoding: undefined }).toEqual({ ...straight, encoding: undefined });
    expect(JSON.stringify(via)).toContain(API_KEY);
    expect(via!['anthropic-beta']).toBe('context-1m-2025-08-07');
    expect(via!['anthropic-version']).toBeDefined();
    const legacy = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'x-api-key-0c1d-never-in-logs', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(params()),
    });
    expect(legacy.status).toBe(200);
    expect(anthropicUp.to('/v1/messages')[2]!.headers['x-api-key']).toBe('x-api-key-0c1d-never-in-logs');
    expect(anthropicUp.to('/v1/messages')[2]!.headers['anthropic-version']).toBe('2023-06-01');
    expect(logs.some((l) => l.startsWith('POST /v1/messages 200'))).toBe(true);
    for (const line of logs) {
      expect(line).not.toContain(API_KEY);
      expect(line).not.toContain('x-api-key-0c1d');
    }
  });

  it('forwards a request with nothing to compress byte for byte', async () => {
    const raw = JSON.stringify({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hello   there' }] }, null, 3);
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' },
      body: raw,
    });
    expect(res.status).toBe(200);
    expect(anthropicUp.to('/v1/messages')[0]!.raw).toBe(raw);
  });

  it('streams the upstream’s events back event for event, byte for byte', async () => {
    anthropicUp.replyText = 'The payment worker lost its connection to the gateway.';
    try {
      const events: unknown[] = [];
      const stream = await anthropic.messages.create({ ...params(), stream: true });
      for await (const event of stream) events.push(event);
      const direct = new Anthropic({ apiKey: API_KEY, baseURL: anthropicUp.baseURL, maxRetries: 0 });
      const directEvents: unknown[] = [];
      for await (const event of await direct.messages.create({ ...params(), stream: true })) directEvents.push(event);
      // The upstream names messages by request count: the two streams differ in that id only.
      const withoutIds = (list: unknown[]): string => JSON.stringify(list).replace(/msg_\d+/g, 'msg_N').replace(/"input_tokens":\d+/g, '"input_tokens":N');
      expect(withoutIds(events)).toBe(withoutIds(directEvents));
      expect(events.map((e) => (e as { type: string }).type)).toEqual([
        'message_start',
        'content_block_start',
        // (the SDK drops the upstream's `ping`; the byte comparison below has it)
        ...'The payment worker lost its connection to the gateway.'.split(/(?<= )/).map(() => 'content_block_delta'),
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);

      const final = await anthropic.messages.stream(params()).finalMessage();
      expect(final.content[0]).toEqual({ type: 'text', text: 'The payment worker lost its connection to the gateway.' });

      // The bytes themselves: the same request through the server and straight to the upstream.
      const body = JSON.stringify({ model: MODEL, max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' };
      const via = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers, body });
      expect(via.headers.get('content-type')).toBe('text/event-stream');
      const viaText = await via.text();
      const straight = await (await fetch(`${anthropicUp.baseURL}/v1/messages`, { method: 'POST', headers, body })).text();
      expect(sseEvents(viaText).map(([e]) => e)).toEqual(sseEvents(straight).map(([e]) => e));
      expect(viaText.replace(/msg_\d+/g, 'msg_N')).toBe(straight.replace(/msg_\d+/g, 'msg_N'));
    } finally {
      anthropicUp.replyText = 'Done.';
    }
  });

  it('passes upstream errors through with their status and body', async () => {
    anthropicUp.failNext({ status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' });
    const err = await anthropic.messages.create(params()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(429);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' },
    });
    anthropicUp.failNext({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(params()),
    });
    expect(res.status).toBe(529);
    expect(res.headers.get('request-id')).toMatch(/^req_\d+$/);
    expect(await res.text()).toBe('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
  });

  it('answers malformed JSON with 400 and a body over --max-body with 413, in Anthropic’s error shape', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' };
    const bad = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers, body: '{"model": "x", "messages": [' });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { type: string; error: { type: string; message: string } };
    expect(badBody.type).toBe('error');
    expect(badBody.error.type).toBe('invalid_request_error');
    expect(badBody.error.message).toMatch(/not valid JSON/);

    const huge = params(conversation('x'.repeat(3 * 1024 * 1024)));
    const err = await anthropic.messages.create(huge).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(413);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(anthropicUp.to('/v1/messages')).toHaveLength(0);
  });

  it('passes count_tokens and the Models API through untouched', async () => {
    const counted = await anthropic.messages.countTokens({ model: MODEL, messages: conversation() });
    const sent = anthropicUp.to('/v1/messages/count_tokens')[0]!;
    expect(toolText(sent.body as Sent)).toBe(LOG);
    expect(counted.input_tokens).toBe(Math.ceil(sent.raw.length / 4));
    anthropicUp.models.set('claude-opus-4-8', 1_000_000);
    const model = await anthropic.models.retrieve('claude-opus-4-8');
    expect(model).toMatchObject({ id: 'claude-opus-4-8', max_input_tokens: 1_000_000 });
    expect(anthropicUp.to('/v1/models/claude-opus-4-8')[0]!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
  });

  it('answers 502 in Anthropic’s shape when the upstream is unreachable, without the key in the message or logs', async () => {
    logs.length = 0;
    const dead = await startServer({ port: 0, upstream: 'http://127.0.0.1:9', log: (l) => logs.push(l) });
    try {
      const client = new Anthropic({ apiKey: API_KEY, baseURL: dead.url, maxRetries: 0 });
      const err = await client.messages.create(params()).catch((e: unknown) => e);
      expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
      expect(JSON.stringify((err as InstanceType<typeof Anthropic.APIError>).error)).toContain('could not reach the upstream API at http://127.0.0.1:9');
      expect(JSON.stringify((err as InstanceType<typeof Anthropic.APIError>).error)).not.toContain(API_KEY);
      expect(logs.join('\n')).not.toContain(API_KEY);
      expect(dead.metrics.failures.get({ reason: 'upstream' })).toBe(1);
    } finally {
      await dead.close();
    }
  });
});

describe('OpenAI routes with the OpenAI SDK', () => {
  const chat = (output = RECORDS): OpenAI.ChatCompletionMessageParam[] => [
    { role: 'system', content: 'You answer questions about orders.' },
    { role: 'user', content: 'Which orders failed?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_orders', arguments: '{"day":"2026-11-24"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: output },
  ];

  it('compresses tool messages of chat completions and keeps every failed order', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: chat(), max_completion_tokens: 200 });
    expect(completion.choices[0]!.message.content).toBe('Done.');
    const sent = openaiUp.to('/v1/chat/completions')[0]!;
    expect(sent.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    const body = sent.body as { messages: OpenAI.ChatCompletionMessageParam[]; max_completion_tokens: number };
    const tool = body.messages[3]!.content as string;
    expect(countTokens(tool)).toBeLessThan(countTokens(RECORDS) / 2);
    for (let i = 17; i < 400; i += 40) expect(tool).toContain(String(10_000 + i));
    expect(body.messages.slice(0, 3)).toEqual(chat().slice(0, 3));
    expect(body.max_completion_tokens).toBe(200);
  });

  it('streams chat completion chunks back as sent', async () => {
    openaiUp.replies.push({ text: 'Orders 10017 and 10057 failed.' });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: chat(), stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Orders 10017 and 10057 failed.');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('passes OpenAI errors through and answers its own in OpenAI’s shape', async () => {
    openaiUp.failNext({ status: 400, type: 'invalid_request_error', message: "Invalid value for 'model'" });
    const err = await openai.chat.completions.create({ model: 'nope', messages: chat() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain("Invalid value for 'model'");
    const bad = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPENAI_KEY}` },
      body: 'not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
  });

  it('compresses the Responses API’s input and passes the model list through', async () => {
    const response = await openai.responses.create({ model: 'gpt-4o', input: [{ role: 'user', content: RECORDS }] });
    expect(response.output_text).toBe('Done.');
    const sent = openaiUp.to('/v1/responses')[0]!;
    const text = (sent.body as { input: Array<{ content: string }> }).input[0]!.content;
    expect(countTokens(text)).toBeLessThan(countTokens(RECORDS) / 2);
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-4o']);
    expect(anthropicUp.requests).toHaveLength(0);
  });
});

describe('POST /v1/compress (the Headroom proxy protocol)', () => {
  it('answers with compressed OpenAI messages and the protocol’s fields', async () => {
    const res = await fetch(`${server.url}/v1/compress`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'Why did the payment worker fail?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_logs', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: LOG },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { messages: Array<{ content: string }> };
    expect(Object.keys(body).sort()).toEqual(
      ['ccr_hashes', 'compression_ratio', 'messages', 'tokens_after', 'tokens_before', 'tokens_saved', 'transforms_applied', 'transforms_summary'].sort(),
    );
    expect(body['tokens_before']).toBeGreaterThan(body['tokens_after'] as number);
    expect(body['tokens_saved']).toBe((body['tokens_before'] as number) - (body['tokens_after'] as number));
    expect(body['transforms_applied']).toEqual([expect.stringMatching(/^log:/)]);
    expect(body['transforms_summary']).toMatch(/^1 block compressed \(log:\w+\): \d+ → \d+ tokens$/);
    // Retrieval is on by default: the lossy log block's key, named in its marker.
    expect(body['ccr_hashes']).toEqual([expect.stringMatching(/^hr_[a-z2-7]{16}$/)]);
    expect(body.messages[2]!.content).toContain(`headroom_retrieve key=${(body['ccr_hashes'] as string[])[0]}`);
    expect(body.messages[2]!.content).toContain('ERROR payment-worker');
    expect(body.messages[0]).toEqual({ role: 'user', content: 'Why did the payment worker fail?' });
  });

  it('serves the in-process client’s remote mode', async () => {
    const events: CompressEvent[] = [];
    const sdk = new Anthropic({ apiKey: API_KEY, baseURL: anthropicUp.baseURL, maxRetries: 0 });
    const client = withHeadroom(sdk, { baseUrl: server.url, onCompress: (e) => events.push(e) });
    await client.messages.create(params());
    expect(events[0]).toMatchObject({ mode: 'remote' });
    expect(events[0]!.error).toBeUndefined();
    expect(events[0]!.tokensAfter).toBeLessThan(events[0]!.tokensBefore);
    const body = anthropicUp.to('/v1/messages')[0]!.body as Sent;
    expect(countTokens(toolText(body))).toBeLessThan(countTokens(LOG) / 3);
    expect(toolText(body)).toContain('java.net.SocketException: Connection reset');
  });

  it('refuses a body without messages with 400', async () => {
    const res = await fetch(`${server.url}/v1/compress`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: 'messages must be an array of OpenAI chat messages' } });
  });
});

describe('health, metrics and retrieval', () => {
  it('reports health and Prometheus metrics for what it served', async () => {
    await anthropic.messages.create(params());
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Every line is a comment or `name{labels} value`.
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+|[a-z_]+(\{.*\})? \+Inf)$/);
    }
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('headroom_requests_total{route="messages",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(value('headroom_tokens_before_total{kind="log"}')).toBeGreaterThan(value('headroom_tokens_after_total{kind="log"}'));
    expect(value('headroom_compression_seconds_count{route="messages"}')).toBeGreaterThanOrEqual(1);
    expect(value('headroom_upstream_seconds_count{route="messages"}')).toBeGreaterThanOrEqual(1);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE headroom_retrieval_rounds_total counter');
  });

  it('says when retrieval is off, and answers 404 for a key it does not hold', async () => {
    const off = await startServer({ port: 0, retrieval: false });
    try {
      const res = await fetch(`${off.url}/v1/retrieve/hr_aaaaaaaaaaaaaaaa`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('retrieval is off') } });
    } finally {
      await off.close();
    }
    const unknown = await fetch(`${server.url}/v1/retrieve/hr_aaaaaaaaaaaaaaaa`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { message: expect.stringContaining('no original is kept under hr_aaaaaaaaaaaaaaaa') } });
    expect((await fetch(`${server.url}/v1/retrieve/not-a-key`)).status).toBe(404);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${server.url}/v2/whatever`)).status).toBe(404);
    const wrong = await fetch(`${server.url}/v1/messages`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});
