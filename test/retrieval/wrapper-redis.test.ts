// The wrappers' retrieval on a real Redis (Debian's redis-server on a free loopback port; these
// tests skip, saying why, when it cannot start): two wrapped clients share one Redis, as two
// instances of a service behind a load balancer do. One compresses and hands the model's retrieval
// call back unanswered (a mixed turn or the round limit); the other, given the next request,
// answers it from Redis. An expired original gets the model a plain "expired" answer and the
// request goes through; a Redis that is down leaves compression going without retrieval keys,
// and onCompress says so.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withHeadroom, type CompressEvent } from '../../src/anthropic.js';
import { RedisStore } from '../../src/retrieval/redis.js';
import { MockAnthropic } from '../support/anthropic-server.js';
import { serveDuringTests } from '../support/loopback-server.js';
import { freePort, startRedis } from '../support/redis.js';
import { anthropicExchanges, markerKeys, retrievalOutputs } from '../support/retrieval.js';

const started = await startRedis();
if (!started.ok) console.warn(`Redis wrapper tests skipped: ${started.reason}`);

const MODEL = 'claude-sonnet-4-5-20250929';
const server = serveDuringTests(new MockAnthropic());
let sdk: Anthropic;
beforeEach(() => {
  sdk = new Anthropic({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
});

const [LOG_OUTPUT, JSON_OUTPUT] = retrievalOutputs();
const OPTIONS = { maxBlockTokens: 1000 };

function conversation(text: string): Anthropic.MessageParam[] {
  return [
    { role: 'user', content: 'What went wrong?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_0', name: 'fetch', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: text }] },
  ];
}

/** The model asks for the first page of the first key it sees. */
const askFirstKey = (body: unknown): unknown[] => {
  const key = markerKeys(anthropicExchanges(body).toolOutputs.join('\n'))[0]!;
  return [{ type: 'tool_use', id: 'toolu_ask', name: 'headroom_retrieve', input: { key, limit: 5 } }];
};

/** Instance A compresses and hands the model's call back (no rounds); the caller sends the turn on to B. */
async function handOver(a: ReturnType<typeof withHeadroom<Anthropic>>, b: ReturnType<typeof withHeadroom<Anthropic>>, text: string, between?: () => Promise<void>): Promise<string> {
  const first = { model: MODEL, max_tokens: 256, messages: conversation(text) };
  server.respond = askFirstKey;
  const message = await a.messages.create(first);
  expect(message.content.map((c) => (c.type === 'tool_use' ? c.name : c.type))).toEqual(['headroom_retrieve']);
  server.respond = undefined;
  await between?.();
  const reply = await b.messages.create({ ...first, messages: [...first.messages, { role: 'assistant', content: message.content }] });
  expect(reply.content).toEqual([{ type: 'text', text: 'Done.' }]);
  const last = server.to('/v1/messages').at(-1)!.body as { messages: Anthropic.MessageParam[] };
  const answer = (last.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[])[0]!;
  expect(answer.tool_use_id).toBe('toolu_ask');
  return answer.content as string;
}

describe.skipIf(!started.ok)('two wrapped clients sharing one Redis', () => {
  const redis = started.ok ? started.server : undefined!;
  // A loaded machine may take a while to connect: more than the default 500 ms per command.
  const storeA = new RedisStore({ url: redis?.url ?? 'redis://127.0.0.1:1', prefix: 'wrap:', timeoutMs: 5000 });
  const storeB = new RedisStore({ url: redis?.url ?? 'redis://127.0.0.1:1', prefix: 'wrap:', timeoutMs: 5000 });
  beforeAll(async () => {
    await storeA.get('hr_aaaaaaaaaaaaaaaa');
    await storeB.get('hr_aaaaaaaaaaaaaaaa');
  });
  afterAll(async () => {
    await storeA.close();
    await storeB.close();
    await redis?.stop();
  });

  it('one compresses, the other answers the model’s call from Redis, byte for byte', async () => {
    const a = withHeadroom(sdk, { ...OPTIONS, store: storeA, maxRetrievalRounds: 0 });
    const b = withHeadroom(sdk, { ...OPTIONS, store: storeB, maxRetrievalRounds: 0 });
    const answer = await handOver(a, b, LOG_OUTPUT.text);
    const page = answer.replace(/\n\[… \d+ more lines[^\n]*…\]$/, '');
    expect(page).toBe(LOG_OUTPUT.text.split(/(?<=\n)/).slice(0, 5).join(''));
  });

  it('an original that expired: the model is told so, and the request goes through', async () => {
    const a = withHeadroom(sdk, { ...OPTIONS, store: storeA, maxRetrievalRounds: 0, retrievalTtlMs: 200 });
    const b = withHeadroom(sdk, { ...OPTIONS, store: storeB, maxRetrievalRounds: 0 });
    let key = '';
    const answer = await handOver(a, b, `${JSON_OUTPUT.text}\n`, async () => {
      key = markerKeys(anthropicExchanges(server.to('/v1/messages')[0]!.body).toolOutputs.join('\n'))[0]!;
      // Until Redis has let it go (at most 5 s).
      for (let i = 0; i < 100 && (await storeB.get(key)) !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await storeB.get(key)).toBeUndefined();
    });
    expect(answer).toBe(`Nothing is stored under key=${key}: it has expired or was never stored. Work from the compressed block as shown, or run the tool that produced it again.`);
  });
});

describe.skipIf(!started.ok)('a Redis that is down', () => {
  it('compression goes on without retrieval keys or the tool, and onCompress says why', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeoutMs: 200 });
    try {
      const events: CompressEvent[] = [];
      const client = withHeadroom(sdk, { ...OPTIONS, store, onCompress: (e) => events.push(e) });
      const request = { model: MODEL, max_tokens: 256, messages: conversation(LOG_OUTPUT.text) };
      const message = await client.messages.create(request);
      expect(message.content).toEqual([{ type: 'text', text: 'Done.' }]);
      await withHeadroom(sdk, { ...OPTIONS, retrieval: false }).messages.create(request);
      const [down, plain] = server.to('/v1/messages').map((r) => r.raw);
      expect(down).toBe(plain);
      expect(down).not.toContain('headroom_retrieve');
      expect(events).toHaveLength(1);
      expect(events[0]!.mode).toBe('local');
      expect(events[0]!.tokensSaved).toBeGreaterThan(0);
      expect(events[0]!.retrieval).toMatchObject({ keys: 0, unstored: 1 });
      expect(events[0]!.retrieval!.error).toMatch(/^the store refused the original: .*Redis/);
    } finally {
      await store.close();
    }
  });
});
