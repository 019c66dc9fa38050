// Event streams the server continues across retrieval rounds, from an upstream that writes its
// events the way real ones may: CRLF line ends, events cut anywhere between writes, comments and
// pings, a thinking block with its signature before the retrieval call. The client's SDK reads one
// message; the continuation carries the model's turn exactly (thinking text and signature included).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type HeadroomServer } from '../../src/server/server.js';
import { sseEvents } from '../../src/server/sse.js';
import { serviceLog } from '../support/tool-output.js';

const LOG = serviceLog(240);
const bodies: { messages: { role: string; content: unknown }[] }[] = [];
let upstream: Server;
let server: HeadroomServer;

/** `event` lines with CRLF ends. */
const event = (name: string, data: object): string => `event: ${name}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`;

function round(key: string | undefined): string {
  const usage = { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const start = event('message_start', { type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage } });
  if (key === undefined) {
    return (
      start +
      event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) +
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'The gateway ' } }) +
      event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'reset the connection.' } }) +
      event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
      event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }) +
      event('message_stop', { type: 'message_stop' })
    );
  }
  const input = JSON.stringify({ key, limit: 1000 });
  return (
    start +
    ': a comment line\r\n\r\n' +
    event('ping', { type: 'ping' }) +
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'The marker hides 200 lines; ' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'read them.' } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'c2lnbmF0dXJlLW9mLXRoaW5raW5n' } }) +
    event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    event('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_hr_sse', name: 'headroom_retrieve', input: {} } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: input.slice(0, 9) } }) +
    event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: input.slice(9) } }) +
    event('content_block_stop', { type: 'content_block_stop', index: 1 }) +
    event('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } }) +
    event('message_stop', { type: 'message_stop' })
  );
}

beforeAll(async () => {
  upstream = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof bodies)[number];
    bodies.push(body);
    const key = bodies.length === 1 ? /headroom_retrieve key=(hr_[a-z2-7]{16})/.exec(JSON.stringify(body.messages))?.[1] : undefined;
    const text = round(key);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // Cut into 7 pieces at arbitrary points, events and CRLFs split across writes.
    const cuts = [0, 1, 37, 38, 400, 401, 1000, text.length];
    for (let i = 0; i + 1 < cuts.length; i++) res.write(text.slice(cuts[i], cuts[i + 1]));
    res.end();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  server = await startServer({ port: 0, upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, compress: { maxBlockTokens: 400 } });
});
afterAll(async () => {
  await server.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe('a stream continued across a retrieval round', () => {
  it('reaches the SDK as one message, and the model’s turn goes back exactly', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.url, maxRetries: 0 });
    const final = await client.messages
      .stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [
          { role: 'user', content: 'Why did the payment worker fail?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_logs', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: LOG }] },
        ],
      })
      .finalMessage();
    expect(bodies).toHaveLength(2);
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(final.content[0]).toMatchObject({ thinking: 'The marker hides 200 lines; read them.', signature: 'c2lnbmF0dXJlLW9mLXRoaW5raW5n' });
    expect(final.content[1]).toMatchObject({ text: 'The gateway reset the connection.' });
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 200, output_tokens: 37 });
    const [assistant, answers] = bodies[1]!.messages.slice(3);
    expect(assistant).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'The marker hides 200 lines; read them.', signature: 'c2lnbmF0dXJlLW9mLXRoaW5raW5n' },
        { type: 'tool_use', id: 'toolu_hr_sse', name: 'headroom_retrieve', input: { key: expect.stringMatching(/^hr_/), limit: 1000 } },
      ],
    });
    expect(answers).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_hr_sse', content: LOG }] });
  });
});

describe('sseEvents', () => {
  it('reads events cut anywhere, with CRLF, CR or LF line ends, comments and multi-line data', async () => {
    const text = 'event: a\r\ndata: {"x":1}\r\n\r\n: comment\n\nevent: b\rdata: line 1\rdata: line 2\r\rdata: [DONE]\n\ndata: last';
    async function* pieces(): AsyncGenerator<Uint8Array> {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 3) yield bytes.slice(i, i + 3);
    }
    const events = [];
    for await (const e of sseEvents(pieces())) events.push(e);
    expect(events).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: 'b', data: 'line 1\nline 2' },
      { event: '', data: '[DONE]' },
      { event: '', data: 'last' },
    ]);
  });
});
