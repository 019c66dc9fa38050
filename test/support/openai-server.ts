// A local HTTP server that speaks enough of the OpenAI API for end-to-end tests with the real
// SDK: chat completions (JSON, and SSE chunks ending in `[DONE]`), the Responses API, models,
// and scripted errors. It records every request (method, path, headers, raw body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest, ScriptedError } from './anthropic-server.js';

export class MockOpenAI {
  readonly requests: RecordedRequest[] = [];
  replyText = 'Done.';
  private readonly errors: ScriptedError[] = [];
  private server: Server | undefined;
  baseURL = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  failNext(error: ScriptedError): void {
    this.errors.push(error);
  }

  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const body: unknown = raw === '' ? undefined : JSON.parse(raw);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, headers: req.headers, raw, body });
    const json = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${this.requests.length}` });
      res.end(JSON.stringify(payload));
    };
    const error = this.errors.shift();
    if (error !== undefined) return json(error.status, { error: { message: error.message, type: error.type, param: null, code: null } });
    const params = (body ?? {}) as { model?: string; stream?: boolean };
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return json(200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1_700_000_000, owned_by: 'openai' }] });
    }
    if (req.method === 'POST' && url.pathname === '/v1/responses') {
      return json(200, {
        id: 'resp_1',
        object: 'response',
        created_at: 1_700_000_000,
        status: 'completed',
        model: params.model,
        output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: this.replyText, annotations: [] }] }],
        usage: { input_tokens: Math.ceil(raw.length / 4), output_tokens: 2, total_tokens: Math.ceil(raw.length / 4) + 2 },
      });
    }
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') {
      const head = { id: `chatcmpl-${this.requests.length}`, created: 1_700_000_000, model: params.model };
      if (!params.stream) {
        return json(200, {
          ...head,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: this.replyText, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: 2, total_tokens: Math.ceil(raw.length / 4) + 2 },
        });
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: unknown, finish: string | null): void => {
        res.write(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      };
      chunk({ role: 'assistant', content: '' }, null);
      for (const w of this.replyText.split(/(?<= )/)) chunk({ content: w }, null);
      chunk({}, 'stop');
      res.end('data: [DONE]\n\n');
      return;
    }
    json(404, { error: { message: `${req.method} ${url.pathname}`, type: 'invalid_request_error', param: null, code: null } });
  }
}
