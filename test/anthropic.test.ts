// withHeadroom / HeadroomClient end to end: the real @anthropic-ai/sdk against a local server that
// speaks the Messages API and records every request body.
import Anthropic from '@anthropic-ai/sdk';
import { betaTool } from '@anthropic-ai/sdk/helpers/beta/json-schema';
import { beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider, countTokens, retrievalTool } from '../src/index.js';
import { HeadroomClient, withHeadroom, type CompressEvent } from '../src/anthropic.js';
import { MockAnthropic } from './support/anthropic-server.js';
import { serveDuringTests } from './support/loopback-server.js';
import { corpusSample } from './support/corpus.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const server = serveDuringTests(new MockAnthropic());
let sdk: Anthropic;

beforeEach(() => {
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
});

const repos = corpusSample('records');
const SYSTEM = [{ type: 'text' as const, text: 'You are a repository analyst.', cache_control: { type: 'ephemeral' as const } }];
const TOOLS = [{ name: 'list_repos', description: 'List repositories', input_schema: { type: 'object' as const, properties: {} } }];

function conversation(toolOutput = repos): Anthropic.MessageParam[] {
  return [
    { role: 'user', content: 'Which of our repositories have open issues?' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should list the repositories.', signature: 'sig-abc' },
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'toolu_1', name: 'list_repos', input: { org: 'octokit' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: toolOutput }] },
  ];
}

const params = (messages = conversation()): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 256,
  system: SYSTEM,
  tools: TOOLS,
  messages,
});

type Sent = { messages: Anthropic.MessageParam[]; system?: unknown; tools?: unknown; headroom?: unknown };
const sentBody = (i = -1): Sent => server.to('/v1/messages').at(i)!.body as Sent;
const toolContent = (body: Sent): string => {
  const block = (body.messages[2]!.content as Anthropic.ToolResultBlockParam[])[0]!;
  return block.content as string;
};

/** The wire body carries a smaller tool result and every other block exactly as given. */
function expectCompressedOnTheWire(body: Sent, original = params(), retrievable = true): void {
  expect(countTokens(toolContent(body))).toBeLessThan(countTokens(repos));
  expect(body.messages.slice(0, 2)).toEqual(original.messages.slice(0, 2));
  expect(body.system).toEqual(original.system);
  // The tool result lost items, so its marker names a retrieval key and the tool goes out at the end.
  // (A batch is answered later, by no one who could answer the tool: its markers name no key.)
  expect(body.tools).toEqual([...(original.tools ?? []), ...(retrievable ? [retrievalTool('anthropic')] : [])]);
  const block = (body.messages[2]!.content as Anthropic.ToolResultBlockParam[])[0]!;
  expect(block.tool_use_id).toBe('toolu_1');
  expect(body.headroom).toBeUndefined();
}

describe('messages.create', () => {
  it('compresses tool results on the wire and leaves every other block byte-identical', async () => {
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { onCompress: (e) => events.push(e) });
    const original = params();
    const frozen = structuredClone(original);
    const message = await client.messages.create(original);
    expect(message.content[0]).toEqual({ type: 'text', text: 'Done.' });
    expectCompressedOnTheWire(sentBody(), frozen);
    expect(original).toEqual(frozen); // the caller's params are not mutated
    const raw = server.to('/v1/messages')[0]!.raw;
    expect(raw).toContain(JSON.stringify(original.messages[1]));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ method: 'messages.create', model: MODEL, mode: 'local' });
    expect(events[0]!.tokensSaved).toBeGreaterThan(0);
  });

  it('keeps the SDK’s APIPromise: withResponse() and asResponse()', async () => {
    const client = withHeadroom(sdk);
    const { data, response, request_id } = await client.messages.create(params()).withResponse();
    expect(data.type).toBe('message');
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    const raw = await client.messages.create(params()).asResponse();
    expect(((await raw.json()) as { type: string }).type).toBe('message');
    expectCompressedOnTheWire(sentBody());
  });

  it('streams through create({ stream: true }) with the server’s events', async () => {
    const client = withHeadroom(sdk);
    const stream = await client.messages.create({ ...params(), stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(text).toBe('Done.');
    expectCompressedOnTheWire(sentBody());
  });

  it('streams through messages.stream() to finalMessage()', async () => {
    server.replyText = 'Two repositories have open issues.';
    try {
      const client = withHeadroom(sdk);
      const chunks: string[] = [];
      const final = await client.messages
        .stream(params())
        .on('text', (t) => chunks.push(t))
        .finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Two repositories have open issues.' }]);
      expect(chunks.join('')).toBe('Two repositories have open issues.');
      expectCompressedOnTheWire(sentBody());
    } finally {
      server.replyText = 'Done.';
    }
  });

  it('parse() runs on the compressed request', async () => {
    const client = withHeadroom(sdk);
    const parsed = await client.messages.parse(params());
    expect(parsed.content[0]).toMatchObject({ type: 'text', text: 'Done.' });
    expectCompressedOnTheWire(sentBody());
  });

  it('hands server errors to the caller as the SDK’s own error classes', async () => {
    const client = withHeadroom(sdk);
    server.failNext({ status: 400, type: 'invalid_request_error', message: 'messages: bad' });
    await expect(client.messages.create(params())).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    server.failNext({ status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const err = await client.messages.create(params()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    server.failNext({ status: 500, type: 'api_error', message: 'boom' });
    await expect(client.messages.stream(params()).finalMessage()).rejects.toBeInstanceOf(Anthropic.InternalServerError);
  });

  it('sends the original blocks and reports it when compression fails internally', async () => {
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, {
      onCompress: (e) => events.push(e),
      hooks: {
        preCompress() {
          throw new Error('hook exploded');
        },
      },
    });
    await client.messages.create(params());
    expect(sentBody().messages).toEqual(params().messages);
    expect(events[0]).toMatchObject({ mode: 'failed', error: 'hook exploded', tokensSaved: 0 });
  });

  it('headroom: false sends the request untouched, without the field', async () => {
    const client = withHeadroom(sdk);
    const original = { ...params(), headroom: false };
    await client.messages.create(original);
    const { headroom, ...rest } = original;
    void headroom;
    expect(server.to('/v1/messages')[0]!.raw).toBe(JSON.stringify(rest));
    const call = client.messages.create as (p: unknown) => unknown;
    expect(() => call({ ...params(), headroom: 'no' })).toThrow(/params\.headroom must be a boolean/);
  });

  it('passes every other member through', async () => {
    const client = withHeadroom(sdk);
    expect(client).toBeInstanceOf(Anthropic);
    expect(client.apiKey).toBe('test-key');
    expect(client.baseURL).toBe(server.baseURL);
    server.models.set('claude-x', 123_000);
    expect(await client.models.retrieve('claude-x')).toMatchObject({ id: 'claude-x', max_input_tokens: 123_000 });
    const other = client.withOptions({ maxRetries: 0 });
    await other.messages.create(params());
    expectCompressedOnTheWire(sentBody());
  });
});

describe('countTokens, batches and beta', () => {
  it('countTokens counts what would be sent', async () => {
    const client = withHeadroom(sdk);
    const counted = await client.messages.countTokens({ model: MODEL, system: SYSTEM, tools: TOOLS, messages: conversation() });
    const body = server.to('/v1/messages/count_tokens')[0]!.body as Sent;
    expect(countTokens(toolContent(body))).toBeLessThan(countTokens(repos));
    expect(counted.input_tokens).toBe(Math.ceil(server.to('/v1/messages/count_tokens')[0]!.raw.length / 4));
  });

  it('batches.create compresses every request’s params', async () => {
    const client = withHeadroom(sdk);
    const batch = await client.messages.batches.create({
      requests: [
        { custom_id: 'a', params: params() },
        { custom_id: 'b', params: { ...params(), headroom: false } },
      ],
    });
    expect(batch.type).toBe('message_batch');
    const sent = server.to('/v1/messages/batches')[0]!.body as { requests: { custom_id: string; params: Sent }[] };
    expectCompressedOnTheWire(sent.requests[0]!.params, params(), false);
    expect(JSON.stringify(sent.requests[0]!.params)).not.toContain('headroom_retrieve');
    expect(sent.requests[1]!.params).toEqual(params());
  });

  it('beta.messages is intercepted too', async () => {
    const client = withHeadroom(sdk);
    await client.beta.messages.create({ ...params(), betas: ['context-management-2025-06-27'] } as never);
    expectCompressedOnTheWire(sentBody());
    const final = await client.beta.messages.stream(params() as never).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text' });
    expectCompressedOnTheWire(sentBody());
  });
});

describe('beta.messages.toolRunner', () => {
  const runnerParams = (extra: object = {}) => ({
    model: MODEL,
    max_tokens: 256,
    messages: [{ role: 'user' as const, content: 'Which of our repositories have open issues?' }],
    tools: [
      betaTool({
        name: 'list_repos',
        description: 'List repositories',
        inputSchema: { type: 'object', properties: { org: { type: 'string' } }, required: ['org'] },
        run: () => repos,
      }),
    ],
    ...extra,
  });

  it.each([
    ['full history every turn (thread: false)', { thread: false }],
    ['a message thread (only new messages each turn)', {}],
    ['streaming', { stream: true, thread: false }],
  ])('compresses the tool results it sends: %s', async (_name, extra) => {
    server.replies.push([{ type: 'tool_use', id: 'toolu_r1', name: 'list_repos', input: { org: 'octokit' } }]);
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { onCompress: (e) => events.push(e) });
    const runner = client.beta.messages.toolRunner(runnerParams(extra) as never);
    const final = await runner.runUntilDone();
    expect(final.content).toEqual([{ type: 'text', text: 'Done.' }]);
    const bodies = server.to('/v1/messages').map((r) => r.body as Sent);
    expect(bodies).toHaveLength(2);
    const results = bodies[1]!.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'tool_result') as Anthropic.ToolResultBlockParam[];
    expect(results).toHaveLength(1);
    expect(results[0]!.tool_use_id).toBe('toolu_r1');
    const text = typeof results[0]!.content === 'string' ? results[0]!.content : (results[0]!.content as { text: string }[]).map((b) => b.text).join('');
    expect(countTokens(text)).toBeLessThan(countTokens(repos));
    expect(events.map((e) => e.method)).toEqual(['beta.messages.create', 'beta.messages.create']);
    expect(events[1]!.tokensSaved).toBeGreaterThan(0);
  });
});

describe('the Models API', () => {
  it('is never asked for a model the table knows, and asked once, without retries, for a newer one', async () => {
    const retrying = new Anthropic({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 2 });
    const client = withHeadroom(retrying);
    await client.messages.create(params());
    await client.messages.create({ ...params(), model: 'claude-3-5-sonnet-latest' });
    expect(server.requests.filter((r) => r.path.startsWith('/v1/models'))).toEqual([]);
    await client.messages.create({ ...params(), model: 'claude-unknown-9' }); // answered 404
    await client.messages.create({ ...params(), model: 'claude-unknown-9' });
    expect(server.to('/v1/models/claude-unknown-9')).toHaveLength(1);
  });

  it('stops with the request’s abort signal', async () => {
    server.modelsHang = true;
    try {
      const client = withHeadroom(sdk);
      const controller = new AbortController();
      const pending = client.messages.create({ ...params(), model: 'claude-unknown-10' }, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.to('/v1/models/claude-unknown-10')).toHaveLength(1);
      controller.abort();
      await expect(pending).rejects.toThrow(/abort/i);
      expect(server.to('/v1/messages')).toHaveLength(0);
    } finally {
      server.modelsHang = false;
    }
  });
});

describe('types', () => {
  it('only the wrapped client’s params take headroom', () => {
    const client = withHeadroom(sdk);
    // Type checks, never called: the file compiles under the project's strict settings (npm test).
    const typed = (): unknown[] => [
      client.messages.create({ ...params(), headroom: false }),
      client.messages.create({ ...params(), stream: true, headroom: false }),
      client.messages.countTokens({ model: MODEL, messages: conversation(), headroom: false }),
      client.beta.messages.create({ ...params(), headroom: false } as Anthropic.Beta.MessageCreateParamsNonStreaming & { headroom: false }),
      // @ts-expect-error an unwrapped client would send the field to the API (a 400)
      sdk.messages.create({ ...params(), headroom: false }),
      // @ts-expect-error the same for countTokens
      sdk.messages.countTokens({ model: MODEL, messages: conversation(), headroom: false }),
    ];
    expect(typeof typed).toBe('function');
  });
});

describe('HeadroomClient', () => {
  it('counts requests, savings and the cache usage the API reported (streams included)', async () => {
    const client = new HeadroomClient(sdk, { provider: new AnthropicProvider() });
    await client.messages.create(params());
    await client.messages.stream(params()).finalMessage();
    const stats = client.stats();
    expect(stats.requests).toBe(2);
    expect(stats.tokensSaved).toBeGreaterThan(0);
    expect(stats.tokensBefore - stats.tokensAfter).toBe(stats.tokensSaved);
    expect(stats.cacheReadInputTokens).toBe(20);
    expect(stats.cacheCreationInputTokens).toBe(10);
  });

  it('asks the Models API once per model and uses its limit', async () => {
    server.models.set('claude-sonnet-4-6', 6_000);
    const events: CompressEvent[] = [];
    const client = new HeadroomClient(sdk, { onCompress: (e) => events.push(e), maxBlockTokens: Infinity });
    const long = conversation(repos);
    await client.messages.create({ ...params(long), model: 'claude-sonnet-4-6' });
    await client.messages.create({ ...params(long), model: 'claude-sonnet-4-6' });
    expect(server.to('/v1/models/claude-sonnet-4-6')).toHaveLength(1);
    // A 6 000-token window cannot hold the lossless table: the over-limit path ran.
    expect(events[0]!.transformsApplied.join(' ')).toMatch(/limit|drop|harder/);
  });

  it('reads the 1M-context beta from the betas param or the anthropic-beta header', async () => {
    // Five CI logs of about 48 000 tokens each: over claude-sonnet-4-5's 200 000, within 1M.
    const log = corpusSample('ciLog');
    const text = log.repeat(Math.ceil(48_000 / countTokens(log)));
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: 'Why did these builds fail?' }];
    for (let i = 0; i < 5; i++) {
      history.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'ci_log', input: { run: i } }] });
      history.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `run ${i}\n${text}` }] });
    }
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { provider: new AnthropicProvider(), maxBlockTokens: Infinity, minTokens: 1e9, onCompress: (e) => events.push(e) });
    const request = { model: MODEL, max_tokens: 1024, messages: history };
    await client.messages.create(request);
    await client.messages.create(request, { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } });
    await client.beta.messages.create({ ...request, betas: ['context-1m-2025-08-07'] });
    expect(events[0]!.tokensBefore).toBeGreaterThan(200_000 / 1.15);
    expect(events[0]!.tokensBefore).toBeLessThan(800_000);
    expect(events[0]!.transformsApplied).toContain('over_limit:dropped_turns');
    expect(events[1]!.transformsApplied).toEqual([]);
    expect(events[2]!.transformsApplied).toEqual([]);
  });

  it('rejects bad options with errors naming them', () => {
    expect(() => new HeadroomClient({} as never)).toThrow(/client must be an Anthropic client/);
    expect(() => withHeadroom(sdk, { baseUrl: 'not a url' })).toThrow(/options\.baseUrl/);
    expect(() => withHeadroom(sdk, { cacheBreakpoints: 'always' as never })).toThrow(RangeError);
    expect(() => withHeadroom(sdk, { provider: {} as never })).toThrow(/options\.provider/);
  });
});

describe('remote mode', () => {
  it('uses the server’s answer when it has one', async () => {
    server.onCompress(({ messages }) => {
      const out = structuredClone(messages) as { role: string; content: unknown }[];
      const tool = out.find((m) => m.role === 'tool')!;
      tool.content = '[… 100 repositories …]';
      return { status: 200, body: { messages: out, tokens_before: 9000, tokens_after: 100, tokens_saved: 8900, compression_ratio: 0.01, transforms_applied: ['remote'] } };
    });
    try {
      const events: CompressEvent[] = [];
      const client = withHeadroom(sdk, { baseUrl: server.baseURL, onCompress: (e) => events.push(e) });
      await client.messages.create(params());
      expect(server.to('/v1/compress')).toHaveLength(1);
      expect((server.to('/v1/compress')[0]!.body as { model: string }).model).toBe(MODEL);
      expect(toolContent(sentBody())).toBe('[… 100 repositories …]');
      expect(sentBody().messages.slice(0, 2)).toEqual(params().messages.slice(0, 2));
      expect(events[0]).toMatchObject({ mode: 'remote', tokensSaved: 8900, transformsApplied: ['remote'] });
    } finally {
      server.onCompress(undefined);
    }
  });

  it('falls back in-process on an error or a timeout, and says so', async () => {
    const events: CompressEvent[] = [];
    const client = withHeadroom(sdk, { baseUrl: server.baseURL, timeoutMs: 300, onCompress: (e) => events.push(e) });
    server.onCompress(() => ({ status: 503, body: { error: 'down' } }));
    await client.messages.create(params());
    server.onCompress(() => 'hang');
    await client.messages.create(params());
    server.onCompress(undefined);
    expect(events.map((e) => e.mode)).toEqual(['local', 'local']);
    expect(events[0]!.error).toMatch(/HTTP 503/);
    expect(events[1]!.error).toMatch(/timed out after 300 ms/);
    expectCompressedOnTheWire(sentBody(0));
    expectCompressedOnTheWire(sentBody(1));
  });
});

describe('cache alignment on the wire', () => {
  it('cacheBreakpoints: auto and moveDynamicToTail', async () => {
    const client = withHeadroom(sdk, { cacheBreakpoints: 'auto', moveDynamicToTail: true });
    await client.messages.create({ ...params(), system: 'You are a repository analyst.\nToday is 2026-11-24.' });
    const body = sentBody() as Sent & { system: { text: string; cache_control?: unknown }[]; tools: { cache_control?: unknown }[] };
    expect(body.system).toEqual([
      { type: 'text', text: 'You are a repository analyst.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Today is 2026-11-24.' },
    ]);
    expect(body.tools.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    const last = body.messages.at(-1)!.content as { cache_control?: unknown }[];
    expect(last.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
  });

  it('a growing conversation is prefix-stable on the wire', async () => {
    const client = withHeadroom(sdk, { cacheBreakpoints: 'auto' });
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: 'Audit our repositories.' }];
    const bodies: Anthropic.MessageParam[][] = [];
    for (let turn = 0; turn < 6; turn++) {
      await client.messages.create({ ...params(history), system: SYSTEM });
      bodies.push(sentBody().messages);
      const id = `toolu_${turn}`;
      const output = turn % 2 === 0 ? repos : corpusSample('nested');
      history.push({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'list_repos', input: { page: turn } }] });
      history.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: output }] });
    }
    // headroom's marker on the last message turns string content into one text block (the API
    // reads both the same); beyond that marker, earlier messages must be byte-identical.
    const unmarked = (m: unknown): string =>
      JSON.stringify(m, (k, v: unknown) => {
        if (k === 'cache_control') return undefined;
        if (k === 'content' && typeof v === 'string') return [{ type: 'text', text: v }];
        return v;
      });
    for (let i = 1; i < bodies.length; i++) {
      const prev = bodies[i - 1]!;
      const next = bodies[i]!;
      // Every earlier message, but for headroom's own marker on the then-last one, is byte-identical.
      prev.forEach((m, k) => expect(unmarked(next[k])).toBe(unmarked(m)));
      prev.slice(0, -1).forEach((m, k) => expect(JSON.stringify(next[k])).toBe(JSON.stringify(m)));
    }
  });
});
