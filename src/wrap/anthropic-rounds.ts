// The Messages API's retrieval rounds: when a response's only tool calls are `headroom_retrieve`,
// the wrapper answers them and sends again, and the caller gets one message.
//
// A message (JSON): the last round's, after the content the earlier rounds showed (our tool_use
// blocks left out), with the usage of every round summed. A stream: the caller's iterator sees one
// message_start, every round's content blocks numbered one after the other (our tool_use blocks
// held back), and one message_delta / message_stop at the end carrying the summed usage, so the
// SDK's MessageStream and `finalMessage()` build the same message. A round whose tool calls are
// not all ours (a mixed turn), or the last round allowed, is handed on as it is (in a stream, the
// held-back calls come last).

import { isObj, type Obj } from '../messages/types.js';
import type { RetrievalToolUse } from '../retrieval/answer.js';
import { RETRIEVE_TOOL_NAME } from '../retrieval/markers.js';
import { sumUsage } from './retrieval.js';
import type { RoundContext } from './session.js';

/** The Dialect's `rounds` for the Messages API. */
export function anthropicRounds(data: unknown, context: RoundContext): unknown {
  if (context.retrieval.maxRounds === 0) return data;
  if (isObj(data) && data['type'] === 'message') return messageRounds(data, context);
  if (isObj(data) && typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') return streamRounds(data, context);
  return data;
}

const isOurs = (block: unknown): block is RetrievalToolUse => isObj(block) && block['type'] === 'tool_use' && block['name'] === RETRIEVE_TOOL_NAME;
const isToolUse = (block: unknown): boolean => isObj(block) && block['type'] === 'tool_use';

/** Our calls when a message's tool calls are all ours and it stopped for them; else undefined. */
function onlyOurCalls(content: readonly unknown[], stopReason: unknown): RetrievalToolUse[] | undefined {
  if (stopReason !== 'tool_use') return undefined;
  const tools = content.filter(isToolUse);
  return tools.length > 0 && tools.every(isOurs) ? (tools as RetrievalToolUse[]) : undefined;
}

/** The next round's messages: the round's assistant message and a user message with the answers. */
async function nextMessages(messages: readonly unknown[], content: readonly unknown[], calls: readonly RetrievalToolUse[], context: RoundContext): Promise<unknown[]> {
  const results = await context.retrieval.answer(calls, context.stats);
  return [...messages, { role: 'assistant', content }, { role: 'user', content: results }];
}

async function messageRounds(first: Obj, context: RoundContext): Promise<unknown> {
  let message = first;
  let messages = Array.isArray(context.params['messages']) ? (context.params['messages'] as unknown[]) : [];
  let usage = first['usage'];
  const shown: unknown[] = [];
  for (let round = 0; round < context.retrieval.maxRounds; round++) {
    const content = Array.isArray(message['content']) ? (message['content'] as unknown[]) : [];
    const calls = onlyOurCalls(content, message['stop_reason']);
    if (calls === undefined) break;
    messages = await nextMessages(messages, content, calls, context);
    const next = await context.send({ ...context.params, messages });
    // Anything but a message (a proxy's odd answer) goes to the caller as it came.
    if (!isObj(next) || next['type'] !== 'message') return next;
    shown.push(...content.filter((b) => !isOurs(b)));
    usage = sumUsage(usage, next['usage']);
    message = next;
  }
  if (message === first) return first;
  const content = Array.isArray(message['content']) ? (message['content'] as unknown[]) : [];
  return { ...message, content: [...shown, ...content], usage };
}

type Events = AsyncIterable<unknown> & { [Symbol.asyncIterator](): AsyncIterator<unknown> };

/** A held-back tool_use block: its start and its input's JSON as it streamed. */
interface Held {
  block: Obj;
  json: string;
}

function streamRounds(data: Obj, context: RoundContext): unknown {
  const stream = data as unknown as Events;
  const firstEvents = stream[Symbol.asyncIterator].bind(stream);
  stream[Symbol.asyncIterator] = async function* coherent() {
    let events: AsyncIterator<unknown> = firstEvents();
    let messages = Array.isArray(context.params['messages']) ? (context.params['messages'] as unknown[]) : [];
    let out = 0;
    let total: unknown;
    for (let round = 0; ; round++) {
      const blocks = new RoundContent();
      const held = new Map<number, Held>();
      const index = new Map<number, number>();
      let othersCalled = false;
      let usage: unknown;
      let delta: Obj | undefined;
      let stop: unknown;
      for (let r = await events.next(); r.done !== true; r = await events.next()) {
        const event = r.value;
        if (!isObj(event)) {
          yield event;
          continue;
        }
        const at = typeof event['index'] === 'number' ? event['index'] : -1;
        switch (event['type']) {
          case 'message_start':
            usage = isObj(event['message']) ? event['message']['usage'] : undefined;
            if (round === 0) yield event;
            break;
          case 'content_block_start': {
            const block = event['content_block'];
            blocks.start(at, block);
            if (isOurs(block)) held.set(at, { block: block as unknown as Obj, json: '' });
            else {
              if (isToolUse(block)) othersCalled = true;
              index.set(at, out++);
              yield { ...event, index: index.get(at) };
            }
            break;
          }
          case 'content_block_delta':
          case 'content_block_stop': {
            blocks.delta(at, event['delta']);
            const h = held.get(at);
            if (h !== undefined) {
              const d = event['delta'];
              if (isObj(d) && d['type'] === 'input_json_delta' && typeof d['partial_json'] === 'string') h.json += d['partial_json'];
            } else yield { ...event, index: index.get(at) ?? at };
            break;
          }
          case 'message_delta':
            delta = event;
            // Its counters are the message's totals so far: they replace message_start's.
            if (isObj(event['usage'])) usage = { ...(isObj(usage) ? usage : {}), ...withoutNulls(event['usage']) };
            break;
          case 'message_stop':
            stop = event;
            break;
          default:
            yield event;
        }
      }
      total = round === 0 ? usage : sumUsage(total, usage);
      const calls = [...held.values()].map((h) => ({ ...h.block, input: parseInput(h.json) }) as RetrievalToolUse);
      const stopReason = isObj(delta) && isObj(delta['delta']) ? delta['delta']['stop_reason'] : undefined;
      if (round < context.retrieval.maxRounds && calls.length > 0 && !othersCalled && stopReason === 'tool_use') {
        messages = await nextMessages(messages, blocks.content(), calls, context);
        const next = await context.send({ ...context.params, messages });
        if (isObj(next) && typeof (next as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
          events = (next as unknown as Events)[Symbol.asyncIterator]();
          continue;
        }
      }
      // The round handed on: the held-back calls come last, then the message's end.
      for (const [, h] of held) {
        const i = out++;
        yield { type: 'content_block_start', index: i, content_block: { ...h.block, input: {} } };
        yield { type: 'content_block_delta', index: i, delta: { type: 'input_json_delta', partial_json: h.json } };
        yield { type: 'content_block_stop', index: i };
      }
      if (delta !== undefined) yield round === 0 ? delta : { ...delta, usage: total };
      if (stop !== undefined) yield stop;
      return;
    }
  } as never;
  return data;
}

function withoutNulls(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

function parseInput(json: string): unknown {
  if (json === '') return {};
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
}

/** A round's content blocks as they stream, for the assistant message the next round sends. */
class RoundContent {
  private readonly blocks = new Map<number, Record<string, unknown>>();
  private readonly json = new Map<number, string>();

  start(at: number, block: unknown): void {
    if (isObj(block)) this.blocks.set(at, { ...block });
  }

  delta(at: number, delta: unknown): void {
    const b = this.blocks.get(at);
    if (b === undefined || !isObj(delta)) return;
    switch (delta['type']) {
      case 'text_delta':
        b['text'] = String(b['text'] ?? '') + String(delta['text'] ?? '');
        break;
      case 'citations_delta':
        b['citations'] = [...(Array.isArray(b['citations']) ? (b['citations'] as unknown[]) : []), delta['citation']];
        break;
      case 'thinking_delta':
        b['thinking'] = String(b['thinking'] ?? '') + String(delta['thinking'] ?? '');
        break;
      case 'signature_delta':
        b['signature'] = delta['signature'];
        break;
      case 'input_json_delta':
        this.json.set(at, (this.json.get(at) ?? '') + String(delta['partial_json'] ?? ''));
        break;
    }
  }

  /** The blocks in order, tool inputs parsed. */
  content(): unknown[] {
    return [...this.blocks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, b]) => {
        const json = this.json.get(at);
        return json === undefined ? b : { ...b, input: parseInput(json) };
      });
  }
}
