// Several `headroom serve` instances sharing a real Redis (Debian's redis-server on a free loopback
// port): one compresses, another answers the retrieval — by `GET /v1/retrieve/:key`, and as the
// missing answer of a mixed turn the client sends to the other instance. `headroom serve --redis`
// from the command line joins them. With Redis gone, requests still go through, without keys.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { ServerResponse } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/retrieval/redis.js';
import { storeReady } from '../../src/server/retrieval.js';
import { startServer, type HeadroomServer } from '../../src/server/server.js';
import { MockAnthropic } from '../support/anthropic-server.js';
import type { RecordedRequest } from '../support/loopback-server.js';
import { startRedis } from '../support/redis.js';
import { markerKeys } from '../support/retrieval.js';
import { serviceLog } from '../support/tool-output.js';

const started = await startRedis();
if (!started.ok) console.warn(`Redis server tests skipped: ${started.reason}`);

const ROOT = resolve(import.meta.dirname, '../..');
const MODEL = 'claude-sonnet-4-5-20250929';
const LOG = serviceLog(240);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A model that, offered the tool, calls headroom_retrieve beside a tool of the caller's (a mixed turn). */
class MixedModel extends MockAnthropic {
  protected override answer(request: RecordedRequest, res: ServerResponse): void {
    const body = request.body as { messages?: unknown[]; tools?: { name?: string }[] } | undefined;
    const key = /headroom_retrieve key=(hr_[a-z2-7]{16})/.exec(JSON.stringify(body?.messages ?? []))?.[1];
    const answered = JSON.stringify(body?.messages ?? []).includes('toolu_hr1');
    if (request.path === '/v1/messages' && key !== undefined && !answered && body?.tools?.some((t) => t.name === 'headroom_retrieve') === true) {
      this.replies.push([
        { type: 'tool_use', id: 'toolu_hr1', name: 'headroom_retrieve', input: { key, limit: 1000 } },
        { type: 'tool_use', id: 'toolu_own1', name: 'get_metrics', input: {} },
      ]);
    }
    super.answer(request, res);
  }
}

describe.skipIf(!started.ok)('headroom serve instances sharing Redis', () => {
  const redis = started.ok ? started.server : undefined!;
  const upstream = new MixedModel();
  const storeA = new RedisStore({ url: redis?.url ?? 'redis://127.0.0.1:1' });
  const storeB = new RedisStore({ url: redis?.url ?? 'redis://127.0.0.1:1' });
  let a: HeadroomServer;
  let b: HeadroomServer;

  beforeAll(async () => {
    // The stores connect on first use; the servers start once they answer.
    expect(await storeReady(storeA, 10_000)).toBe(true);
    expect(await storeReady(storeB, 10_000)).toBe(true);
    await upstream.start();
    a = await startServer({ port: 0, upstream: upstream.baseURL, retrieval: storeA, compress: { maxBlockTokens: 400 } });
    b = await startServer({ port: 0, upstream: upstream.baseURL, retrieval: storeB, compress: { maxBlockTokens: 400 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storeA.close();
    await storeB.close();
    await upstream.stop();
    await redis?.stop();
  });

  const conversation = (): Anthropic.MessageParam[] => [
    { role: 'user', content: 'Why did the payment worker fail?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_logs', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: LOG }] },
  ];

  it('one instance compresses, the other serves the original', async () => {
    const res = await fetch(`${a.url}/v1/compress`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'logs?' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_logs', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: LOG }] }),
    });
    const { ccr_hashes: keys } = (await res.json()) as { ccr_hashes: string[] };
    expect(keys).toHaveLength(1);
    expect(await (await fetch(`${b.url}/v1/retrieve/${keys[0]}`)).json()).toEqual({ key: keys[0], kind: 'log', content: LOG });
  });

  it('a mixed turn from one instance gets its retrieval answer from the other', async () => {
    upstream.reset();
    const viaA = new Anthropic({ apiKey: 'sk-ant-test', baseURL: a.url, maxRetries: 0 });
    const message = await viaA.messages.create({ model: MODEL, max_tokens: 64, messages: conversation() });
    expect(message.content.map((c) => (c as Anthropic.ToolUseBlock).name)).toEqual(['headroom_retrieve', 'get_metrics']);
    const viaB = new Anthropic({ apiKey: 'sk-ant-test', baseURL: b.url, maxRetries: 0 });
    const final = await viaB.messages.create({
      model: MODEL,
      max_tokens: 64,
      messages: [...conversation(), { role: 'assistant', content: message.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_own1', content: 'cpu 93%' }] }],
    });
    expect(final.content).toEqual([{ type: 'text', text: 'Done.' }]);
    const sent = upstream.to('/v1/messages')[1]!.body as { messages: { content: { tool_use_id?: string; content?: string }[] }[] };
    const answer = sent.messages[4]!.content.find((r) => r.tool_use_id === 'toolu_hr1');
    expect(answer?.content).toBe(LOG);
  });

  it('headroom serve --redis shares the store from the command line', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--quiet', '--redis', redis.url, '--upstream', upstream.baseURL, '--max-block-tokens', '400'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = once(child, 'exit');
    try {
      for (let i = 0; i < 300 && !/listening on (\S+)/.test(stderr); i++) await sleep(50);
      const url = /listening on (\S+)/.exec(stderr)?.[1];
      expect(url, stderr).toBeDefined();
      expect(stderr).toContain(`retrieval: Redis at ${redis.url}`);
      const res = await fetch(`${url}/v1/compress`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'logs?' }, { role: 'user', content: `${LOG}\nmore` }] }),
      });
      const body = (await res.json()) as { ccr_hashes: string[]; messages: { content: string }[] };
      expect(body.ccr_hashes).toHaveLength(1);
      expect(markerKeys(body.messages[1]!.content)).toEqual(body.ccr_hashes);
      expect(((await (await fetch(`${b.url}/v1/retrieve/${body.ccr_hashes[0]}`)).json()) as { content: string }).content).toBe(`${LOG}\nmore`);
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('with Redis gone, requests go through compressed, without keys or the tool', async () => {
    await redis.stop();
    upstream.reset();
    const viaA = new Anthropic({ apiKey: 'sk-ant-test', baseURL: a.url, maxRetries: 0 });
    const message = await viaA.messages.create({ model: MODEL, max_tokens: 64, messages: conversation() });
    expect(message.content).toEqual([{ type: 'text', text: 'Done.' }]);
    const sent = upstream.to('/v1/messages')[0]!.body as { tools?: unknown; messages: { content: { content?: string }[] }[] };
    expect(sent.tools).toBeUndefined();
    const text = sent.messages[2]!.content[0]!.content!;
    expect(text).not.toContain('headroom_retrieve');
    expect(text.length).toBeLessThan(LOG.length / 2);
    expect((await fetch(`${b.url}/v1/retrieve/hr_aaaaaaaaaaaaaaaa`)).status).toBe(503);
  });
});
