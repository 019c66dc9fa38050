// A local HTTP server that speaks enough of the OpenAI API for end-to-end tests with the real SDK:
// Chat Completions and the Responses API (JSON and SSE streaming with the real event sequences,
// tool calls included), responses/input_tokens, the model list, and scripted errors. It records every request.
import type { ServerResponse } from 'node:http';
import { LoopbackServer, type RecordedRequest } from './loopback-server.js';

/** A scripted answer: text, or tool calls the model makes. */
export type Reply = { text: string } | { calls: { id: string; name: string; arguments: string }[] };

export class MockOpenAI extends LoopbackServer {
  /** The next answers, in order; then `{ text: 'Done.' }`. */
  readonly replies: Reply[] = [];
  /** When set, the answer to each request, from its body and the count of requests to its path (before `replies`). */
  respond: ((body: unknown, n: number) => Reply | undefined) | undefined;
  /** Cached prompt tokens every answer reports. */
  cachedTokens = 7;

  constructor() {
    super('/v1');
  }

  override reset(): void {
    super.reset();
    this.replies.length = 0;
    this.respond = undefined;
  }

  protected answer(request: RecordedRequest, res: ServerResponse): void {
    const { raw, method, path } = request;
    const body = (request.body ?? {}) as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
    const id = `req_${this.requests.length}`;
    const json = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': id });
      res.end(JSON.stringify(payload));
    };
    const sse = (): ((data: unknown, event?: string) => void) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': id });
      return (data, event) => res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    };
    const usage = { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: 3, total_tokens: Math.ceil(raw.length / 4) + 3, prompt_tokens_details: { cached_tokens: this.cachedTokens } };
    const model = body.model ?? 'gpt-4o';

    if (method === 'GET' && path === '/v1/models') {
      return json(200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1_715_367_049, owned_by: 'system' }] });
    }
    if (method === 'POST' && path === '/v1/responses/input_tokens') {
      return json(200, { object: 'response.input_tokens', input_tokens: Math.ceil(raw.length / 4) });
    }
    if (method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/responses')) {
      return json(404, { error: { message: `${method} ${path}`, type: 'invalid_request_error' } });
    }
    const error = this.errors.shift();
    if (error) return json(error.status, { error: { message: error.message, type: error.type, code: null, param: null } });
    const reply = this.respond?.(request.body, this.to(path).length) ?? this.replies.shift() ?? { text: 'Done.' };

    if (path === '/v1/chat/completions') {
      const toolCalls = 'calls' in reply ? reply.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) : undefined;
      const finish = toolCalls === undefined ? 'stop' : 'tool_calls';
      const base = { id: `chatcmpl_${this.requests.length}`, created: 1_764_000_000, model, system_fingerprint: 'fp_1' };
      if (!body.stream) {
        const message = { role: 'assistant', content: 'text' in reply ? reply.text : null, refusal: null, ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }) };
        return json(200, { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage });
      }
      const send = sse();
      const chunk = (delta: object, finishReason: string | null = null): void =>
        send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
      chunk({ role: 'assistant', content: '', refusal: null });
      if ('text' in reply) for (const w of reply.text.split(/(?<= )/)) chunk({ content: w });
      else {
        reply.calls.forEach((c, index) => {
          chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
          chunk({ tool_calls: [{ index, function: { arguments: c.arguments } }] });
        });
      }
      chunk({}, finish);
      if (body.stream_options?.include_usage === true) send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
      send('[DONE]');
      res.end();
      return;
    }

    // The Responses API.
    const output =
      'text' in reply
        ? [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }] }]
        : reply.calls.map((c, i) => ({ type: 'function_call', id: `fc_${i}`, call_id: c.id, name: c.name, arguments: c.arguments, status: 'completed' }));
    const response = (status: string, items: unknown[]): object => ({
      id: `resp_${this.requests.length}`,
      object: 'response',
      created_at: 1_764_000_000,
      status,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      model,
      output: items,
      parallel_tool_calls: true,
      previous_response_id: null,
      temperature: 1,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
      top_p: 1,
      truncation: 'disabled',
      usage:
        status === 'completed'
          ? { input_tokens: usage.prompt_tokens, input_tokens_details: { cached_tokens: this.cachedTokens }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: usage.total_tokens }
          : null,
      metadata: {},
    });
    if (!body.stream) return json(200, response('completed', output));
    const send = sse();
    let seq = 0;
    const event = (type: string, data: object): void => send({ type, sequence_number: seq++, ...data }, type);
    event('response.created', { response: response('in_progress', []) });
    event('response.in_progress', { response: response('in_progress', []) });
    output.forEach((item, output_index) => {
      if (item.type === 'message') {
        const text = 'text' in reply ? reply.text : '';
        event('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
        event('response.content_part.added', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
        for (const w of text.split(/(?<= )/)) event('response.output_text.delta', { item_id: item.id, output_index, content_index: 0, delta: w, logprobs: [] });
        event('response.output_text.done', { item_id: item.id, output_index, content_index: 0, text, logprobs: [] });
        event('response.content_part.done', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text, annotations: [], logprobs: [] } });
      } else {
        const call = item as { id: string; arguments: string };
        event('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
        event('response.function_call_arguments.delta', { item_id: call.id, output_index, delta: call.arguments });
        event('response.function_call_arguments.done', { item_id: call.id, output_index, arguments: call.arguments });
      }
      event('response.output_item.done', { output_index, item });
    });
    event('response.completed', { response: response('completed', output) });
    res.end();
  }
}
