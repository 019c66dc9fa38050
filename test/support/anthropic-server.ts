// A local HTTP server that speaks enough of the Anthropic API for end-to-end tests with the real
// SDK: Messages (JSON and SSE streaming with the real event sequence), count_tokens, batches,
// Models, scripted 4xx/5xx errors, and a headroom-compatible `/v1/compress` for remote mode.
// It records every request (method, path, headers, parsed body).
import type { ServerResponse } from 'node:http';
import { LoopbackServer, type RecordedRequest } from './loopback-server.js';

export type { RecordedRequest, ScriptedError } from './loopback-server.js';

type CompressHandler = (body: { messages: unknown[]; model: string }) => { status: number; body: unknown } | 'hang';

export class MockAnthropic extends LoopbackServer {
  /** max_input_tokens per model id for GET /v1/models/{id}; absent ids answer 404. */
  readonly models = new Map<string, number | undefined>();
  /** The text every message response carries. */
  replyText = 'Done.';
  /** Content of the next message responses, in order (a tool_use block makes stop_reason tool_use); then replyText. */
  readonly replies: unknown[][] = [];
  /** When set, the content of each message response, from the request body and the count of messages answered (before `replies`). */
  respond: ((body: unknown, n: number) => unknown[] | undefined) | undefined;
  /** GET /v1/models/{id} never answers (the caller's abort must end it). */
  modelsHang = false;
  private compressHandler: CompressHandler | undefined;

  override reset(): void {
    super.reset();
    this.replies.length = 0;
    this.respond = undefined;
  }

  /** Enables `/v1/compress` (remote mode); without a handler it answers 404. */
  onCompress(handler: CompressHandler | undefined): void {
    this.compressHandler = handler;
  }

  protected answer({ method, path, raw, body }: RecordedRequest, res: ServerResponse): void {
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${this.requests.length}`, ...headers });
      res.end(JSON.stringify(payload));
    };

    if (method === 'POST' && path === '/v1/compress') {
      const result = this.compressHandler?.(body as { messages: unknown[]; model: string });
      if (result === undefined) return json(404, { error: 'not found' });
      if (result === 'hang') return; // never answers: the client's timeout must fire
      return json(result.status, result.body);
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      if (this.modelsHang) return;
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (!this.models.has(id)) return json(404, { type: 'error', error: { type: 'not_found_error', message: `model: ${id}` } });
      const max = this.models.get(id);
      return json(200, { type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z', ...(max === undefined ? {} : { max_input_tokens: max }) });
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      return json(200, { input_tokens: Math.ceil(raw.length / 4) });
    }
    if (method === 'POST' && path === '/v1/messages/batches') {
      const requests = (body as { requests?: unknown[] }).requests ?? [];
      return json(200, {
        id: 'msgbatch_01',
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        created_at: '2026-11-24T00:00:00Z',
        expires_at: '2026-11-25T00:00:00Z',
        ended_at: null,
        cancel_initiated_at: null,
        archived_at: null,
        results_url: null,
      });
    }
    if (method === 'POST' && path === '/v1/messages') {
      const error = this.errors.shift();
      if (error) return json(error.status, { type: 'error', error: { type: error.type, message: error.message } });
      const params = body as { model: string; stream?: boolean };
      const scripted = this.respond?.(body, this.to('/v1/messages').length);
      const content = (scripted ?? this.replies.shift() ?? [{ type: 'text', text: this.replyText }]) as { type: string; text?: string }[];
      const message = {
        id: `msg_${this.requests.length}`,
        type: 'message',
        role: 'assistant',
        model: params.model,
        content,
        stop_reason: content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: Math.ceil(raw.length / 4), output_tokens: 3, cache_read_input_tokens: 10, cache_creation_input_tokens: 5 },
      };
      if (!params.stream) return json(200, message);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${this.requests.length}` });
      const send = (event: string, data: unknown): void => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      send('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } });
      send('ping', { type: 'ping' });
      content.forEach((block, index) => {
        if (block.type === 'text') {
          send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
          for (const w of (block.text ?? '').split(/(?<= )/)) send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: w } });
        } else {
          const { input, ...start } = block as { input?: unknown };
          send('content_block_start', { type: 'content_block_start', index, content_block: { ...start, input: {} } });
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input ?? {}) } });
        }
        send('content_block_stop', { type: 'content_block_stop', index });
      });
      send('message_delta', { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: 3 } });
      send('message_stop', { type: 'message_stop' });
      res.end();
      return;
    }
    json(404, { type: 'error', error: { type: 'not_found_error', message: `${method} ${path}` } });
  }
}
