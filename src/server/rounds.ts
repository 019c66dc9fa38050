// Retrieval rounds for proxied requests. When the server offered `headroom_retrieve` and the
// model's answer calls only that tool, the server answers the calls from its store, sends the
// conversation on with the answers, and the client gets one response: the content of every round
// (less our calls) and usage summed over the rounds. A JSON answer is joined once complete; an event
// stream is continued as one stream, the client's events flowing as they arrive. A turn that mixes
// our calls with the client's own goes back as it is (PendingRetrievals answers ours on the next
// request), and so does the answer after the last round allowed.

import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { retrieve, type RetrievalToolCall, type RetrievalToolUse } from '../retrieval/answer.js';
import { RETRIEVE_TOOL_NAME } from '../retrieval/markers.js';
import { errorBody, type ApiFlavor } from './errors.js';
import { isObj } from './request.js';
import type { ServerRetrieval } from './retrieval.js';
import { sseEvents, sseText, type SseEvent } from './sse.js';
import { HOP_BY_HOP, relay } from './upstream.js';

type Obj = Record<string, unknown>;
type Call = RetrievalToolUse | RetrievalToolCall;

export interface RoundsContext {
  flavor: ApiFlavor;
  /** The body sent upstream (compressed, with the retrieval tool). */
  body: Obj;
  /** The upstream's answer to it. */
  first: Dispatcher.ResponseData;
  /** Sends a continuation body upstream with the caller's headers. */
  send(body: string): Promise<Dispatcher.ResponseData>;
  res: ServerResponse;
  retrieval: ServerRetrieval;
  closing: boolean;
  /** Called for each round answered, with its number of calls. */
  onRound(calls: number): void;
}

/** Answers the model's retrieval rounds and writes one response to the client. */
export async function answerRounds(ctx: RoundsContext): Promise<void> {
  const stream = ctx.body['stream'] === true;
  if (ctx.first.statusCode !== 200 || isEventStream(ctx.first) !== stream) return relay(ctx.first, ctx.res, ctx.closing);
  return stream ? streamRounds(ctx) : jsonRounds(ctx);
}

const isEventStream = (answer: Dispatcher.ResponseData): boolean => String(answer.headers['content-type'] ?? '').startsWith('text/event-stream');

/** The body again with `messages` in place of its own. */
const continued = (ctx: RoundsContext, messages: unknown[]): string => JSON.stringify({ ...ctx.body, messages });

async function answers(ctx: RoundsContext, calls: readonly Call[]): Promise<unknown[]> {
  const replies = await Promise.all(calls.map((call) => retrieve(ctx.retrieval.store, call)));
  ctx.onRound(calls.length);
  return replies.map((r) => r.reply);
}

// ---- JSON ----

interface JsonDialect {
  /** The response's retrieval calls, when they are its only tool calls and it stopped for them. */
  retrieveOnly(response: Obj): Call[] | undefined;
  /** The assistant turn and the answers, to append to the conversation. */
  continuation(response: Obj, replies: unknown[]): unknown[];
  /** One response from all rounds'. */
  join(responses: readonly Obj[]): Obj;
}

const ANTHROPIC_USAGE = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];
const OPENAI_USAGE = ['prompt_tokens', 'completion_tokens', 'total_tokens'];

const isOurToolUse = (b: unknown): b is RetrievalToolUse => isObj(b) && b['type'] === 'tool_use' && b['name'] === RETRIEVE_TOOL_NAME;
const isOurToolCall = (c: unknown): c is RetrievalToolCall => isObj(c) && isObj(c['function']) && c['function']['name'] === RETRIEVE_TOOL_NAME;

/** `usage` objects summed field by field over `fields` (other fields: the last one's). */
function sumUsage(usages: readonly unknown[], fields: readonly string[]): Obj | undefined {
  const present = usages.filter(isObj);
  if (present.length === 0) return undefined;
  const out: Obj = { ...present[present.length - 1] };
  for (const f of fields) {
    const values = present.map((u) => u[f]).filter((v): v is number => typeof v === 'number');
    if (values.length > 0) out[f] = values.reduce((a, b) => a + b, 0);
  }
  return out;
}

const anthropicJson: JsonDialect = {
  retrieveOnly(response) {
    const content = response['content'];
    if (response['stop_reason'] !== 'tool_use' || !Array.isArray(content)) return undefined;
    const uses = content.filter((b) => isObj(b) && b['type'] === 'tool_use');
    return uses.length > 0 && uses.every(isOurToolUse) ? uses : undefined;
  },
  continuation(response, replies) {
    return [
      { role: 'assistant', content: response['content'] },
      { role: 'user', content: replies },
    ];
  },
  join(responses) {
    const last = responses[responses.length - 1]!;
    const earlier = responses.slice(0, -1).flatMap((r) => (Array.isArray(r['content']) ? r['content'].filter((b) => !isOurToolUse(b)) : []));
    const usage = sumUsage(
      responses.map((r) => r['usage']),
      ANTHROPIC_USAGE,
    );
    return { ...last, id: responses[0]!['id'], content: [...earlier, ...(Array.isArray(last['content']) ? last['content'] : [])], ...(usage === undefined ? {} : { usage }) };
  },
};

const firstChoice = (response: Obj): Obj | undefined => {
  const choices = response['choices'];
  return Array.isArray(choices) && choices.length === 1 && isObj(choices[0]) ? choices[0] : undefined;
};

const openaiJson: JsonDialect = {
  retrieveOnly(response) {
    const choice = firstChoice(response);
    const message = choice?.['message'];
    if (choice?.['finish_reason'] !== 'tool_calls' || !isObj(message) || !Array.isArray(message['tool_calls'])) return undefined;
    const calls = message['tool_calls'];
    return calls.length > 0 && calls.every(isOurToolCall) ? calls : undefined;
  },
  continuation(response, replies) {
    const message = firstChoice(response)!['message'] as Obj;
    return [{ role: 'assistant', content: message['content'] ?? null, tool_calls: message['tool_calls'] }, ...replies];
  },
  join(responses) {
    const last = responses[responses.length - 1]!;
    const usage = sumUsage(
      responses.map((r) => r['usage']),
      OPENAI_USAGE,
    );
    const text = responses.map((r) => firstChoice(r)?.['message']).map((m) => (isObj(m) && typeof m['content'] === 'string' ? m['content'] : ''));
    const choice = firstChoice(last);
    const message = isObj(choice?.['message']) ? choice['message'] : undefined;
    const joined = text.join('');
    const choices =
      choice === undefined || message === undefined ? last['choices'] : [{ ...choice, message: { ...message, content: joined === '' ? message['content'] : joined } }];
    return { ...last, id: responses[0]!['id'], choices, ...(usage === undefined ? {} : { usage }) };
  },
};

async function jsonRounds(ctx: RoundsContext): Promise<void> {
  const dialect = ctx.flavor === 'anthropic' ? anthropicJson : openaiJson;
  let messages = ctx.body['messages'] as unknown[];
  const responses: Obj[] = [];
  let answer = ctx.first;
  for (let round = 0; ; round++) {
    if (answer.statusCode !== 200 || isEventStream(answer)) return relay(answer, ctx.res, ctx.closing);
    const text = await answer.body.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (!isObj(data)) return sendAnswer(ctx, answer, text);
    responses.push(data);
    const calls = round < ctx.retrieval.maxRounds ? dialect.retrieveOnly(data) : undefined;
    if (calls === undefined) break;
    messages = [...messages, ...dialect.continuation(data, await answers(ctx, calls))];
    try {
      answer = await ctx.send(continued(ctx, messages));
    } catch (err) {
      if (ctx.res.destroyed) return;
      const text = errorBody(ctx.flavor, 502, `headroom could not continue after a retrieval round: ${err instanceof Error ? err.message : String(err)}`);
      ctx.res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      ctx.res.end(text);
      return;
    }
  }
  return sendAnswer(ctx, answer, JSON.stringify(dialect.join(responses)));
}

/** `text` as the body of the upstream's `answer` (its status and headers, the length set anew). */
function sendAnswer(ctx: RoundsContext, answer: Dispatcher.ResponseData, text: string): void {
  const headers = answerHeaders(answer, ctx.closing);
  headers['content-length'] = String(Buffer.byteLength(text));
  ctx.res.writeHead(answer.statusCode, headers);
  ctx.res.end(text);
}

function answerHeaders(answer: Dispatcher.ResponseData, closing: boolean): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'content-length' && name !== 'content-encoding') headers[name] = value;
  }
  if (closing) headers['connection'] = 'close';
  return headers;
}

// ---- Event streams ----

type Write = (text: string) => Promise<void>;

/** How a round of events ended: with our calls only (another round may follow), or with the stream done. */
type RoundEnd = { calls: Call[]; assistant: unknown } | 'done' | 'failed';

interface StreamJoin {
  /** Reads one round's events and writes what the client sees. */
  round(events: AsyncIterable<SseEvent>, write: Write, mayContinue: boolean): Promise<RoundEnd>;
  /** An error event that ends the stream (a continuation the upstream refused). */
  error(status: number, body: string): string;
}

async function streamRounds(ctx: RoundsContext): Promise<void> {
  const { res } = ctx;
  res.writeHead(200, answerHeaders(ctx.first, ctx.closing));
  res.flushHeaders();
  const write: Write = (text) =>
    res.write(text) || res.destroyed
      ? Promise.resolve()
      : new Promise((resolve) => {
          // Backpressure: the upstream is read no faster than the client takes the events.
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
  const join: StreamJoin = ctx.flavor === 'anthropic' ? new AnthropicStream() : new OpenAIStream();
  let messages = ctx.body['messages'] as unknown[];
  let answer = ctx.first;
  try {
    for (let round = 0; ; round++) {
      const end = await join.round(sseEvents(answer.body), write, round < ctx.retrieval.maxRounds);
      if (end === 'done' || end === 'failed') break;
      messages = [...messages, end.assistant, ...(await continuationReplies(ctx, end.calls))];
      try {
        answer = await ctx.send(continued(ctx, messages));
      } catch (err) {
        await write(join.error(502, errorBody(ctx.flavor, 502, `headroom could not continue after a retrieval round: ${err instanceof Error ? err.message : String(err)}`)));
        break;
      }
      if (answer.statusCode !== 200 || !isEventStream(answer)) {
        await write(join.error(answer.statusCode, await answer.body.text()));
        break;
      }
    }
    res.end();
  } catch {
    // The client went away (its signal aborted the upstream read), or the upstream broke off: the
    // client's connection closes as the upstream's did.
    res.destroy();
  }
}

/** Anthropic: the answers go in one user message; OpenAI: one tool message each. */
async function continuationReplies(ctx: RoundsContext, calls: readonly Call[]): Promise<unknown[]> {
  const replies = await answers(ctx, calls);
  return ctx.flavor === 'anthropic' ? [{ role: 'user', content: replies }] : replies;
}

const parse = (text: string): Obj | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return isObj(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Anthropic Messages events: `message_start` once, each round's content blocks numbered on from the
 * last round's (our tool_use blocks held back), and `message_delta` / `message_stop` at the very end
 * with usage summed over the rounds.
 */
class AnthropicStream implements StreamJoin {
  private started = false;
  private next = 0;
  private readonly usages: Obj[] = [];

  async round(events: AsyncIterable<SseEvent>, write: Write, mayContinue: boolean): Promise<RoundEnd> {
    const blocks: Obj[] = [];
    const partial: string[] = [];
    const index = new Map<number, number | 'held'>();
    let delta: Obj | undefined;
    let startUsage: Obj = {};
    let stopped = false;
    const send = (e: SseEvent, data: Obj): Promise<void> => write(sseText(e.event, JSON.stringify(data)));
    for await (const e of events) {
      const data = parse(e.data);
      const type = data?.['type'];
      if (data === undefined) {
        await write(sseText(e.event, e.data));
        continue;
      }
      const at = typeof data['index'] === 'number' ? data['index'] : -1;
      if (type === 'message_start') {
        const message = isObj(data['message']) ? data['message'] : {};
        startUsage = isObj(message['usage']) ? message['usage'] : {};
        if (!this.started) {
          this.started = true;
          await write(sseText(e.event, e.data));
        }
      } else if (type === 'content_block_start' && isObj(data['content_block'])) {
        const block = { ...data['content_block'] };
        blocks[at] = block;
        partial[at] = '';
        if (isOurToolUse(block)) index.set(at, 'held');
        else {
          index.set(at, this.next);
          await send(e, { ...data, index: this.next++ });
        }
      } else if (type === 'content_block_delta' || type === 'content_block_stop') {
        const block = blocks[at];
        if (block !== undefined && type === 'content_block_delta' && isObj(data['delta'])) partial[at] = accumulate(block, data['delta'], partial[at] ?? '');
        if (block !== undefined && type === 'content_block_stop' && block['type'] === 'tool_use') {
          block['input'] = partial[at] === '' ? (block['input'] ?? {}) : (parse(partial[at]!) ?? block['input']);
        }
        const mapped = index.get(at);
        if (mapped !== 'held') await send(e, mapped === undefined ? data : { ...data, index: mapped });
      } else if (type === 'message_delta') {
        delta = data;
      } else if (type === 'message_stop') {
        stopped = true;
      } else if (type === 'error') {
        await write(sseText(e.event, e.data));
        return 'failed';
      } else {
        await write(sseText(e.event, e.data));
      }
    }
    // A stream that broke off before its end is not continued: the client's ends the same way.
    if (!stopped || delta === undefined) throw new Error('the upstream stream ended early');
    const deltaUsage = isObj(delta['usage']) ? delta['usage'] : {};
    this.usages.push({ ...startUsage, ...deltaUsage });
    const content = blocks.filter((b) => b !== undefined);
    const uses = content.filter((b) => b['type'] === 'tool_use');
    const stopReason = isObj(delta['delta']) ? delta['delta']['stop_reason'] : undefined;
    if (mayContinue && stopReason === 'tool_use' && uses.length > 0 && uses.every(isOurToolUse)) {
      return { calls: uses as unknown as RetrievalToolUse[], assistant: { role: 'assistant', content } };
    }
    // Our calls the client gets after all (a mixed turn, the last round): whole, after its own blocks.
    for (const [at, mapped] of index) {
      if (mapped !== 'held') continue;
      const block = blocks[at]!;
      const n = this.next++;
      await write(sseText('content_block_start', JSON.stringify({ type: 'content_block_start', index: n, content_block: { ...block, input: {} } })));
      const json = JSON.stringify(block['input'] ?? {});
      await write(sseText('content_block_delta', JSON.stringify({ type: 'content_block_delta', index: n, delta: { type: 'input_json_delta', partial_json: json } })));
      await write(sseText('content_block_stop', JSON.stringify({ type: 'content_block_stop', index: n })));
    }
    // One round: usage as the upstream said it. Several: every counter summed, whole-message totals.
    const usage = sumUsage(this.usages, ANTHROPIC_USAGE) ?? {};
    const summed: Obj = { ...deltaUsage };
    if (this.usages.length > 1) for (const f of ANTHROPIC_USAGE) if (typeof usage[f] === 'number') summed[f] = usage[f];
    await write(sseText('message_delta', JSON.stringify({ ...delta, usage: summed })));
    await write(sseText('message_stop', JSON.stringify({ type: 'message_stop' })));
    return 'done';
  }

  error(status: number, body: string): string {
    const parsed = parse(body);
    const error = parsed !== undefined && parsed['type'] === 'error' ? parsed : (parse(errorBody('anthropic', status, body)) ?? {});
    return sseText('error', JSON.stringify(error));
  }
}

/** Adds a delta to the block it belongs to; returns the tool input's JSON text so far. */
function accumulate(block: Obj, delta: Obj, partialJson: string): string {
  switch (delta['type']) {
    case 'text_delta':
      block['text'] = String(block['text'] ?? '') + String(delta['text'] ?? '');
      return partialJson;
    case 'input_json_delta':
      return partialJson + String(delta['partial_json'] ?? '');
    case 'thinking_delta':
      block['thinking'] = String(block['thinking'] ?? '') + String(delta['thinking'] ?? '');
      return partialJson;
    case 'signature_delta':
      block['signature'] = delta['signature'];
      return partialJson;
    case 'citations_delta':
      block['citations'] = [...(Array.isArray(block['citations']) ? block['citations'] : []), delta['citation']];
      return partialJson;
    default:
      return partialJson;
  }
}

/**
 * OpenAI chat completion chunks: every round's under the first round's id, tool call chunks held
 * until the round's end, the finishing chunk and the usage chunk (summed) once, then `[DONE]`.
 */
class OpenAIStream implements StreamJoin {
  private id: unknown;
  private readonly usages: Obj[] = [];

  async round(events: AsyncIterable<SseEvent>, write: Write, mayContinue: boolean): Promise<RoundEnd> {
    const held: Obj[] = [];
    const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
    let text = '';
    let finish: Obj | undefined;
    let usageChunk: Obj | undefined;
    let single = true;
    let done = false;
    const send = (data: Obj): Promise<void> => write(sseText('', JSON.stringify(data)));
    for await (const e of events) {
      if (e.data === '[DONE]') {
        done = true;
        continue;
      }
      const data = parse(e.data);
      if (data === undefined || isObj(data['error'])) {
        await write(sseText(e.event, e.data));
        if (data !== undefined) return 'failed';
        continue;
      }
      this.id ??= data['id'];
      const chunk = { ...data, id: this.id };
      const choices = Array.isArray(data['choices']) ? data['choices'] : [];
      if (choices.length === 0) {
        if (isObj(data['usage'])) {
          usageChunk = chunk;
          this.usages.push(data['usage']);
        } else await send(chunk);
        continue;
      }
      const choice = choices[0];
      if (choices.length > 1 || !isObj(choice) || choice['index'] !== 0) single = false;
      const delta = isObj(choice) && isObj(choice['delta']) ? choice['delta'] : {};
      if (typeof delta['content'] === 'string') text += delta['content'];
      if (Array.isArray(delta['tool_calls'])) {
        for (const c of delta['tool_calls']) {
          if (!isObj(c) || typeof c['index'] !== 'number') continue;
          const fn = isObj(c['function']) ? c['function'] : {};
          const call = (calls[c['index']] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
          if (typeof c['id'] === 'string') call.id = c['id'];
          if (typeof fn['name'] === 'string') call.function.name += fn['name'];
          if (typeof fn['arguments'] === 'string') call.function.arguments += fn['arguments'];
        }
        held.push(chunk);
      } else if (isObj(choice) && choice['finish_reason'] != null) finish = chunk;
      else await send(chunk);
    }
    if (!done || finish === undefined) throw new Error('the upstream stream ended early');
    const reason = (finish['choices'] as Obj[])[0]!['finish_reason'];
    const made = calls.filter((c) => c !== undefined);
    if (mayContinue && single && reason === 'tool_calls' && made.length > 0 && made.every(isOurToolCall)) {
      return { calls: made, assistant: { role: 'assistant', content: text === '' ? null : text, tool_calls: made } };
    }
    for (const chunk of held) await send(chunk);
    await send(finish);
    if (usageChunk !== undefined) await send({ ...usageChunk, usage: sumUsage(this.usages, OPENAI_USAGE) });
    await write(sseText('', '[DONE]'));
    return 'done';
  }

  error(status: number, body: string): string {
    const parsed = parse(body);
    const error = parsed !== undefined && isObj(parsed['error']) ? parsed : (parse(errorBody('openai', status, body)) ?? {});
    return sseText('', JSON.stringify(error));
  }
}
