// withHeadroom / HeadroomClient answer headroom_retrieve themselves: the real @anthropic-ai/sdk
// against a loopback Messages API whose scripted model reads back every block a marker names,
// page by page. What the model reads is the omitted original, byte for byte, for logs, JSON
// items, search hits and diffs (run under both engines: HEADROOM_ENGINE=js for the twin); the
// caller gets one message (JSON, create({ stream: true }), messages.stream()) with every round's
// usage summed; mixed turns come back as they are and get their answers on the next request; the
// SDK's toolRunner, JSON or streaming, sees one message per turn over every retrieval round.
import Anthropic from '@anthropic-ai/sdk';
import { betaTool } from '@anthropic-ai/sdk/helpers/beta/json-schema';
import { beforeEach, describe, expect, it } from 'vitest';
import { HeadroomClient, withHeadroom, type CompressEvent } from '../../src/anthropic.js';
import { retrievalTool } from '../../src/retrieval/tool.js';
import { MockAnthropic } from '../support/anthropic-server.js';
import { serveDuringTests } from '../support/loopback-server.js';
import { anthropicExchanges, anthropicRetriever, markerKeys, pagesRead, retrievalOutputs } from '../support/retrieval.js';

const MODEL = 'claude-sonnet-4-5-20250929';
const server = serveDuringTests(new MockAnthropic());
let sdk: Anthropic;
beforeEach(() => {
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
});

const OUTPUTS = retrievalOutputs();
const LOG = OUTPUTS[0].text;
const OPTIONS = { maxBlockTokens: 1000, maxRetrievalRounds: 20 };
const TOOLS = [{ name: 'fetch', description: 'Fetch', input_schema: { type: 'object' as const, properties: {} } }];

function conversation(outputs: readonly string[]): Anthropic.MessageParam[] {
  return [
    { role: 'user', content: 'What went wrong?' },
    { role: 'assistant', content: outputs.map((_, i) => ({ type: 'tool_use' as const, id: `toolu_${i}`, name: 'fetch', input: { i } })) },
    { role: 'user', content: outputs.map((text, i) => ({ type: 'tool_result' as const, tool_use_id: `toolu_${i}`, content: text })) },
  ];
}

const params = (outputs: readonly string[] = [LOG]) => ({ model: MODEL, max_tokens: 256, tools: TOOLS, messages: conversation(outputs) });
type Body = { messages: Anthropic.MessageParam[]; tools?: unknown[] };
const bodies = (): Body[] => server.to('/v1/messages').map((r) => r.body as Body);
const sumOf = (f: (raw: string) => number): number => server.to('/v1/messages').reduce((n, r) => n + f(r.raw), 0);

/** What the model read under each key the first request's markers name, from the last request. */
function readBack(): Map<string, string> {
  const first = anthropicExchanges(bodies()[0]);
  const { exchanges } = anthropicExchanges(bodies().at(-1));
  return new Map(first.toolOutputs.flatMap(markerKeys).map((key) => [key, pagesRead(exchanges, key)]));
}

/** Every round resends the first request with the exchange appended: its prefix, byte for byte. */
function expectRoundsExtendTheFirst(): void {
  const [first, ...rest] = server.to('/v1/messages').map((r) => r.body as Body);
  for (const b of rest) {
    expect(JSON.stringify(b.tools)).toBe(JSON.stringify(first!.tools));
    expect(JSON.stringify(b.messages.slice(0, first!.messages.length))).toBe(JSON.stringify(first!.messages));
  }
}

describe('messages.create answers the model’s retrieval calls', () => {
  it.each(OUTPUTS.map((o) => [o.kind, o] as const))('%s: the model reads the omitted original byte for byte, and the caller gets one message', async (_kind, output) => {
    server.respond = anthropicRetriever();
    const events: CompressEvent[] = [];
    const client = new HeadroomClient(sdk, { ...OPTIONS, onCompress: (e) => events.push(e) });
    const message = await client.messages.create(params([output.text]));
    const n = bodies().length;
    expect(n).toBeGreaterThan(1);
    // The tool went out at the end of the caller's tools, and only the first request was compressed.
    expect(bodies()[0]!.tools).toEqual([...TOOLS, retrievalTool('anthropic')]);
    expect(events).toHaveLength(1);
    expect(events[0]!.retrieval).toEqual({ keys: 1, unstored: 0 });
    const read = readBack();
    expect(read.size).toBe(1);
    expect([...read.values()][0]).toBe(output.text);
    expectRoundsExtendTheFirst();
    // One message: the rounds' text, never our calls, and the usage of every round.
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content.every((b) => b.type === 'text')).toBe(true);
    expect(message.content.at(-1)).toEqual({ type: 'text', text: 'Read every block.' });
    expect(message.content).toHaveLength(n);
    expect(message.usage.output_tokens).toBe(3 * n);
    expect(message.usage.input_tokens).toBe(sumOf((raw) => Math.ceil(raw.length / 4)));
    expect(message.usage.cache_read_input_tokens).toBe(10 * n);
    const stats = client.stats();
    expect(stats.requests).toBe(1);
    expect(stats.retrievalRounds).toBe(n - 1);
    expect(stats.retrievedTokens).toBeGreaterThan(0);
    expect(stats.cacheReadInputTokens).toBe(10 * n);
  });

  it('reads two blocks of one request side by side, each call answered in its round', async () => {
    server.respond = anthropicRetriever();
    await withHeadroom(sdk, OPTIONS).messages.create(params([LOG, OUTPUTS[1].text]));
    const read = readBack();
    expect([...read.values()]).toEqual([LOG, OUTPUTS[1].text]);
  });
});

describe('streams continue the same way', () => {
  it('create({ stream: true }): one message_start, every round’s blocks in order, one end with the summed usage', async () => {
    server.respond = anthropicRetriever();
    const client = withHeadroom(sdk, OPTIONS);
    const stream = await client.messages.create({ ...params(), stream: true });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const n = bodies().length;
    expect(n).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === 'message_start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'message_stop')).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('message_stop');
    const starts = events.filter((e) => e.type === 'content_block_start');
    expect(starts.map((e) => e.index)).toEqual(starts.map((_, i) => i));
    expect(starts.every((e) => e.content_block.type === 'text')).toBe(true);
    const end = events.filter((e) => e.type === 'message_delta');
    expect(end).toHaveLength(1);
    expect(end[0]!.delta.stop_reason).toBe('end_turn');
    expect(end[0]!.usage.output_tokens).toBe(3 * n);
    expect(end[0]!.usage.input_tokens).toBe(sumOf((raw) => Math.ceil(raw.length / 4)));
    expect([...readBack().values()]).toEqual([LOG]);
    expectRoundsExtendTheFirst();
  });

  it('messages.stream(): the text events and finalMessage() see one coherent message', async () => {
    server.respond = anthropicRetriever();
    const client = new HeadroomClient(sdk, OPTIONS);
    const texts: string[] = [];
    const final = await client.messages.stream(params([OUTPUTS[1].text])).on('text', (t) => texts.push(t)).finalMessage();
    const n = bodies().length;
    expect(final.content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual([...Array.from({ length: n - 1 }, () => 'Reading what was left out. '), 'Read every block.']);
    expect(texts.join('')).toBe(final.content.map((b) => (b.type === 'text' ? b.text : '')).join(''));
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(3 * n);
    expect(final.usage.input_tokens).toBe(sumOf((raw) => Math.ceil(raw.length / 4)));
    expect(final.usage.cache_read_input_tokens).toBe(10 * n);
    expect([...readBack().values()]).toEqual([OUTPUTS[1].text]);
    expect(client.stats().retrievalRounds).toBe(n - 1);
    expect(client.stats().cacheReadInputTokens).toBe(10 * n);
  });
});

describe('mixed turns and limits', () => {
  it('a retrieval call beside the caller’s own comes back as it is; the next request carries its answer', async () => {
    const client = new HeadroomClient(sdk, OPTIONS);
    const first = params();
    // The model asks for a page and calls the caller's tool in the same turn.
    server.respond = (body) => {
      const key = markerKeys(anthropicExchanges(body).toolOutputs.join('\n'))[0]!;
      return [
        { type: 'tool_use', id: 'toolu_mixed_r', name: 'headroom_retrieve', input: { key, offset: 0 } },
        { type: 'tool_use', id: 'toolu_mixed_f', name: 'fetch', input: {} },
      ];
    };
    const message = await client.messages.create(first);
    expect(bodies()).toHaveLength(1);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((b) => (b.type === 'tool_use' ? b.name : b.type))).toEqual(['headroom_retrieve', 'fetch']);
    // The caller answers only its own call and sends the conversation on.
    server.respond = undefined;
    const history: Anthropic.MessageParam[] = [
      ...first.messages,
      { role: 'assistant', content: message.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_mixed_f', content: 'ok' }] },
    ];
    const frozen = structuredClone(history);
    await client.messages.create({ ...first, messages: history });
    expect(history).toEqual(frozen);
    const sent = bodies()[1]!.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[];
    expect(sent.map((b) => b.tool_use_id)).toEqual(['toolu_mixed_f', 'toolu_mixed_r']);
    expect(LOG.startsWith((sent[1]!.content as string).replace(/\n\[… [^\n]*…\]$/, ''))).toBe(true);
    expect(client.stats().retrievalRounds).toBe(0);
  });

  it('round limit reached: the last response comes back as it is, usage summed; its calls are answered on the next request', async () => {
    server.respond = anthropicRetriever();
    const client = new HeadroomClient(sdk, { ...OPTIONS, maxRetrievalRounds: 1 });
    const message = await client.messages.create(params([OUTPUTS[1].text]));
    expect(bodies()).toHaveLength(2);
    expect(message.stop_reason).toBe('tool_use');
    const calls = message.content.filter((b) => b.type === 'tool_use');
    expect(calls.map((b) => b.name)).toEqual(['headroom_retrieve']);
    expect(message.usage.output_tokens).toBe(6);
    expect(client.stats().retrievalRounds).toBe(1);
  });

  it('retrieval: false: markers name no key, no tool goes out, and a call is never answered', async () => {
    server.respond = anthropicRetriever();
    const client = new HeadroomClient(sdk, { ...OPTIONS, retrieval: false });
    const message = await client.messages.create(params());
    expect(bodies()).toHaveLength(1);
    expect(bodies()[0]!.tools).toEqual(TOOLS);
    expect(JSON.stringify(bodies()[0])).not.toContain('headroom_retrieve');
    expect(message.content).toEqual([{ type: 'text', text: 'Read every block.' }]);
    expect(client.stats().retrievalRounds).toBe(0);
  });

  it('the tool goes out only with a retrievable marker, at the end, the same bytes every turn', async () => {
    const client = withHeadroom(sdk, OPTIONS);
    await client.messages.create({ model: MODEL, max_tokens: 256, tools: TOOLS, messages: [{ role: 'user', content: 'Hello' }] });
    expect(bodies()[0]!.tools).toEqual(TOOLS);
    await client.messages.create(params());
    await client.messages.create({ ...params(), messages: [...params().messages, { role: 'assistant', content: 'Seen.' }, { role: 'user', content: 'And now?' }] });
    expect(JSON.stringify(bodies()[2]!.tools)).toBe(JSON.stringify(bodies()[1]!.tools));
    expect(bodies()[1]!.tools).toEqual([...TOOLS, retrievalTool('anthropic')]);
  });

  it('rejects bad retrieval options with errors naming them', () => {
    expect(() => withHeadroom(sdk, { retrieval: 'yes' as never })).toThrow(/options\.retrieval must be a boolean/);
    expect(() => withHeadroom(sdk, { maxRetrievalRounds: -1 })).toThrow(/options\.maxRetrievalRounds must be an integer ≥ 0/);
    expect(() => withHeadroom(sdk, { retrieval: false, store: { get: async () => undefined, set: async () => undefined } })).toThrow(/options\.store needs retrieval on/);
  });
});

describe('beta.messages.toolRunner', () => {
  it.each([
    ['a message thread', {}],
    ['full history every turn', { thread: false }],
    ['a message thread, streaming', { stream: true }],
    ['full history every turn, streaming', { thread: false, stream: true }],
    ['streaming, tools started as their blocks end', { stream: true, runToolsEagerly: true }],
  ])('runs the caller’s tools while the wrapper answers the retrievals (%s)', async (_name, extra) => {
    let calledFetch = false;
    const retriever = anthropicRetriever('All read.');
    server.respond = (body, n) => {
      if (!calledFetch) {
        calledFetch = true;
        return [{ type: 'tool_use', id: 'toolu_run', name: 'fetch_log', input: {} }];
      }
      return retriever(body, n);
    };
    const client = new HeadroomClient(sdk, OPTIONS);
    const runner = client.beta.messages.toolRunner({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Read the log.' }],
      tools: [betaTool({ name: 'fetch_log', description: 'The log', inputSchema: { type: 'object', properties: {} }, run: () => LOG })],
      ...extra,
    } as never);
    // The runner sees two turns: its own tool call, then one message over every retrieval round
    // (a stream per turn when streaming, each read to its end as one coherent message).
    const turns: Anthropic.Beta.BetaMessage[] = [];
    for await (const item of runner as AsyncIterable<Anthropic.Beta.BetaMessage | { finalMessage(): Promise<Anthropic.Beta.BetaMessage> }>) {
      turns.push('finalMessage' in item ? await item.finalMessage() : item);
    }
    const final = await runner.runUntilDone();
    expect(turns.map((m) => m.content.filter((b) => b.type === 'tool_use').map((b) => b.name))).toEqual([['fetch_log'], []]);
    expect(turns[1]).toEqual(final);
    expect(final.content.at(-1)).toEqual({ type: 'text', text: 'All read.' });
    expect(final.stop_reason).toBe('end_turn');
    const n = bodies().length;
    expect(final.content).toHaveLength(n - 1);
    expect(final.usage.output_tokens).toBe(3 * (n - 1));
    const { exchanges, toolOutputs } = anthropicExchanges(bodies().at(-1));
    const key = markerKeys(toolOutputs.join('\n'))[0]!;
    expect(pagesRead(exchanges, key)).toBe(LOG);
    expect(client.stats().retrievalRounds).toBe(bodies().length - 2);
  });
});
