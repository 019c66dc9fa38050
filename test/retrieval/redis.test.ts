// RedisStore against a real Redis (Debian's redis-server on a free loopback port): two instances
// share it — one compresses, the other answers — originals expire with their time to live and the
// model is told so, a resent block renews its key instead of resending its text, and a Redis that
// is down or unreachable leaves compression going without retrieval keys (fail open).
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { compress, type CompressOptions } from '../../src/compress.js';
import type { AnthropicMessage } from '../../src/messages/types.js';
import { retrieve } from '../../src/retrieval/answer.js';
import { RedisStore } from '../../src/retrieval/redis.js';
import { corpusSample } from '../support/corpus.js';
import { freePort, startRedis } from '../support/redis.js';
import { markerKeys, readWhole } from '../support/retrieval.js';

const started = await startRedis();
if (!started.ok) console.warn(`Redis tests skipped: ${started.reason}`);

const OPTIONS = { maxBlockTokens: 1000 } satisfies CompressOptions;
const LOG = corpusSample('ciLog');
const JSON_RECORDS = corpusSample('records');

function conversation(texts: readonly string[]): AnthropicMessage[] {
  return [
    { role: 'user', content: 'What failed?' },
    { role: 'assistant', content: texts.map((_, i) => ({ type: 'tool_use', id: `toolu_${i}`, name: 'fetch', input: { i } })) },
    { role: 'user', content: texts.map((t, i) => ({ type: 'tool_result', tool_use_id: `toolu_${i}`, content: t })) },
  ] as AnthropicMessage[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!started.ok)('RedisStore on a real Redis', () => {
  const server = started.ok ? started.server : undefined!;
  // Instance A builds its own client from the URL; instance B is handed a node-redis client.
  const a = new RedisStore({ url: server?.url ?? 'redis://127.0.0.1:1', prefix: 'test:' });
  const clientB = createClient({ url: server?.url });
  clientB.on('error', () => undefined);
  const b = new RedisStore({ client: clientB, prefix: 'test:' });

  afterAll(async () => {
    await a.close();
    if (clientB.isOpen) await clientB.close();
    await server?.stop();
  });

  it('one instance compresses, another answers: the originals come back byte for byte', async () => {
    await clientB.connect();
    const r = await compress(conversation([LOG, JSON_RECORDS]), { ...OPTIONS, store: a });
    expect(r.retrieval!.error).toBeUndefined();
    expect(r.retrieval!.keys).toHaveLength(2);
    const texts = (r.messages[2]!.content as unknown as { content: string }[]).map((x) => markerKeys(x.content));
    expect(texts).toEqual(r.retrieval!.keys.map((k) => [k]));
    const [logKey, jsonKey] = r.retrieval!.keys as [string, string];
    expect((await readWhole((call) => retrieve(b, call), logKey)).text).toBe(LOG);
    expect((await readWhole((call) => retrieve(b, call), jsonKey, 1000)).text).toBe(JSON_RECORDS);
    const answer = await retrieve(b, { type: 'tool_use', id: 'toolu_9', name: 'headroom_retrieve', input: { key: logKey, query: 'error' } });
    expect(answer.status).toBe('ok');
    expect(answer.reply).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_9' });
    // Keys live under the prefix.
    expect(await clientB.exists(`test:${logKey}`)).toBe(1);
  });

  it('a resent block renews its key (PEXPIRE) instead of resending its text (SET)', async () => {
    const input = conversation([`${LOG}\nresent`]);
    await clientB.sendCommand(['CONFIG', 'RESETSTAT']);
    await compress(input, { ...OPTIONS, store: a });
    const calls = async (command: string): Promise<number> => {
      const info = String(await clientB.sendCommand(['INFO', 'commandstats']));
      return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    };
    expect(await calls('set')).toBe(1);
    for (let turn = 0; turn < 3; turn++) await compress(input, { ...OPTIONS, store: a });
    expect(await calls('set')).toBe(1);
    expect(await calls('pexpire')).toBe(4);
  });

  it('an original expires with its time to live, and the model is told so, not given an error', async () => {
    const r = await compress(conversation([`${LOG}\nshort-lived`]), { ...OPTIONS, store: a, retrievalTtlMs: 200 });
    const key = r.retrieval!.keys[0]!;
    expect((await retrieve(b, { key, limit: 1 })).status).toBe('ok');
    let answer = await retrieve(b, { key });
    for (let i = 0; i < 100 && answer.status === 'ok'; i++) {
      await sleep(50);
      answer = await retrieve(b, { key });
    }
    expect(answer.status).toBe('unknown');
    expect(answer.text).toBe(`Nothing is stored under key=${key}: it has expired or was never stored. Work from the compressed block as shown, or run the tool that produced it again.`);
  });
});

describe.skipIf(!started.ok)('a Redis that goes down', () => {
  it('compression goes on without retrieval keys and says why; retrieval calls are told it is unavailable', async () => {
    const own = await startRedis();
    if (!own.ok) throw new Error(own.reason);
    const store = new RedisStore({ url: own.server.url });
    try {
      const before = await compress(conversation([LOG]), { ...OPTIONS, store });
      const key = before.retrieval!.keys[0]!;
      expect(key).toBeDefined();
      await own.server.stop();
      const input = conversation([JSON_RECORDS]);
      const down = await compress(input, { ...OPTIONS, store });
      const plain = await compress(input, OPTIONS);
      expect(JSON.stringify(down.messages)).toBe(JSON.stringify(plain.messages));
      expect(down.tokensAfter).toBe(plain.tokensAfter);
      expect(down.retrieval!.keys).toEqual([]);
      expect(down.retrieval!.unstored).toBe(1);
      expect(down.retrieval!.error).toMatch(/^the store refused the original: /);
      expect(down.failures).toEqual([]);
      const answer = await down.retrieval!.retrieve({ key });
      expect(answer.status).toBe('unavailable');
      expect(answer.text).toContain(`key=${key} cannot be read right now`);
    } finally {
      await store.close();
      await own.server.stop();
    }
  });

  it('a Redis never reached: the same, and the store never throws into compress()', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeoutMs: 200 });
    try {
      const input = conversation([LOG]);
      for (let turn = 0; turn < 2; turn++) {
        const r = await compress(input, { ...OPTIONS, store });
        expect(JSON.stringify(r.messages)).toBe(JSON.stringify((await compress(input, OPTIONS)).messages));
        expect(r.retrieval!.keys).toEqual([]);
        expect(r.retrieval!.error).toMatch(/Redis/);
      }
    } finally {
      await store.close();
    }
  });
});
