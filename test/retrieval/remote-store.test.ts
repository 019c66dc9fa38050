// RemoteStore from the public entry: a client that compresses through a headroom server's
// `POST /v1/compress` (as any language can) answers the model's headroom_retrieve calls itself by
// reading the originals back through the server's `GET /v1/retrieve/:key`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteStore, retrieve, type RemoteStoreOptions } from '../../src/index.js';
import { startServer, type HeadroomServer } from '../../src/server/server.js';
import { markerKeys, readWhole } from '../support/retrieval.js';
import { serviceLog } from '../support/tool-output.js';

const LOG = serviceLog(240);
let server: HeadroomServer;
beforeAll(async () => {
  server = await startServer({ port: 0, compress: { maxBlockTokens: 400 } });
});
afterAll(async () => {
  await server.close();
});

/** The tool output as the server compressed it, with its retrieval notes (the raw protocol keeps them). */
async function compressedThroughServer(): Promise<string> {
  const response = await fetch(`${server.url}/v1/compress`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'What failed?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_logs', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: LOG },
      ],
    }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { messages: { content: string }[] };
  return body.messages[2]!.content;
}

describe('RemoteStore', () => {
  it('answers a call for a key the server named with the omitted original, byte for byte', async () => {
    const compressed = await compressedThroughServer();
    const [key] = markerKeys(compressed);
    expect(key).toBeDefined();
    const store = new RemoteStore(`${server.url}/`);
    expect(store.baseUrl).toBe(server.url);
    expect((await readWhole((call) => retrieve(store, call), key!)).text).toBe(LOG);
    const answer = await retrieve(store, { type: 'tool_use', id: 'toolu_1', name: 'headroom_retrieve', input: { key, query: 'ERROR' } });
    expect(answer.status).toBe('ok');
    expect(answer.reply).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_1' });
    expect(answer.text).toContain('ERROR');
  });

  it('tells the model when the server holds no such key or cannot be reached, and never writes', async () => {
    const store = new RemoteStore(server.url);
    expect((await retrieve(store, { key: 'hr_aaaaaaaaaaaaaaaa' })).status).toBe('unknown');
    const options: RemoteStoreOptions = { timeoutMs: 2000, headers: { 'x-proxy-token': 't' } };
    const down = new RemoteStore('http://127.0.0.1:1', options);
    const answer = await retrieve(down, { key: 'hr_aaaaaaaaaaaaaaaa' });
    expect(answer.status).toBe('unavailable');
    await expect(store.set()).rejects.toThrow(/read-only/);
    expect(() => new RemoteStore('127.0.0.1:8787')).toThrow(TypeError);
  });
});
