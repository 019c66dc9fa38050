// Chat Completions' retrieval rounds: when a completion's only tool calls are `headroom_retrieve`,
// the wrapper answers them and sends again, and the caller gets one completion.
//
// JSON: the last round's completion, its message's text after the text the earlier rounds gave,
// with the usage of every round summed. A stream: every round's chunks under the first round's id,
// our tool calls held back and the caller's numbered one after the other, one finish_reason and
// one usage chunk (when the request asked for usage) at the end, summed. Only single-choice
// requests go round; a mixed turn, or the last round allowed, is handed on as it is (in a stream,
// the held-back calls come last).

import { isObj, type Obj } from '../messages/types.js';
import type { RetrievalToolCall } from '../retrieval/answer.js';
import { RETRIEVE_TOOL_NAME } from '../retrieval/markers.js';
import { sumUsage } from './retrieval.js';
import type { RoundContext } from './session.js';

/** The Dialect's `rounds` for chat completions. */
export function chatRounds(data: unknown, context: RoundContext): unknown {
  const n = context.params['n'];
  if (context.retrieval.maxRounds === 0 || (n !== undefined && n !== null && n !== 1)) return data;
  if (isObj(data) && data['object'] === 'chat.completion') return completionRounds(data, context);
  if (isObj(data) && typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') return streamRounds(data, context);
  return data;
}

const callName = (call: unknown): unknown => (isObj(call) && isObj(call['function']) ? call['function']['name'] : undefined);
const isOurs = (call: unknown): call is RetrievalToolCall => callName(call) === RETRIEVE_TOOL_NAME;

function onlyOurCalls(calls: readonly unknown[], finish: unknown): RetrievalToolCall[] | undefined {
  if (finish !== 'tool_calls' || calls.length === 0) return undefined;
  return calls.every(isOurs) ? (calls as RetrievalToolCall[]) : undefined;
}

async function nextMessages(messages: readonly unknown[], content: string | null, calls: readonly RetrievalToolCall[], context: RoundContext): Promise<unknown[]> {
  const answers = await context.retrieval.answer(calls, context.stats);
  const toolCalls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } }));
  return [...messages, { role: 'assistant', content, tool_calls: toolCalls }, ...answers];
}

const joined = (a: string, b: unknown): string | null => (typeof b === 'string' ? a + b : a === '' ? (b as null) : a);

async function completionRounds(first: Obj, context: RoundContext): Promise<unknown> {
  let completion = first;
  let messages = Array.isArray(context.params['messages']) ? (context.params['messages'] as unknown[]) : [];
  let usage = first['usage'];
  let shown = '';
  for (let round = 0; round < context.retrieval.maxRounds; round++) {
    const choices = completion['choices'];
    const choice = Array.isArray(choices) && choices.length === 1 && isObj(choices[0]) ? choices[0] : undefined;
    const message = choice !== undefined && isObj(choice['message']) ? choice['message'] : undefined;
    if (choice === undefined || message === undefined) break;
    const calls = onlyOurCalls(Array.isArray(message['tool_calls']) ? (message['tool_calls'] as unknown[]) : [], choice['finish_reason']);
    if (calls === undefined) break;
    const content = typeof message['content'] === 'string' ? message['content'] : null;
    messages = await nextMessages(messages, content, calls, context);
    const next = await context.send({ ...context.params, messages });
    if (!isObj(next) || next['object'] !== 'chat.completion') return next;
    shown += content ?? '';
    usage = sumUsage(usage, next['usage']);
    completion = next;
  }
  if (completion === first) return first;
  const choices = (completion['choices'] as Obj[]).map((c) =>
    isObj(c['message']) ? { ...c, message: { ...c['message'], content: joined(shown, c['message']['content']) } } : c,
  );
  return { ...completion, choices, ...(usage === undefined ? {} : { usage }) };
}

type Chunks = AsyncIterable<unknown> & { [Symbol.asyncIterator](): AsyncIterator<unknown> };

interface HeldCall {
  id: string;
  name: string;
  arguments: string;
}

function streamRounds(data: Obj, context: RoundContext): unknown {
  const stream = data as unknown as Chunks;
  const firstChunks = stream[Symbol.asyncIterator].bind(stream);
  stream[Symbol.asyncIterator] = async function* coherent() {
    let chunks: AsyncIterator<unknown> = firstChunks();
    let messages = Array.isArray(context.params['messages']) ? (context.params['messages'] as unknown[]) : [];
    let id: unknown;
    let out = 0;
    let total: unknown;
    for (let round = 0; ; round++) {
      const held = new Map<number, HeldCall>();
      const index = new Map<number, number>();
      let othersCalled = false;
      let content = '';
      let finish: Obj | undefined;
      let usageChunk: Obj | undefined;
      for (let r = await chunks.next(); r.done !== true; r = await chunks.next()) {
        const chunk = r.value;
        if (!isObj(chunk) || !Array.isArray(chunk['choices'])) {
          yield chunk;
          continue;
        }
        if (round === 0) id ??= chunk['id'];
        const choices = chunk['choices'] as unknown[];
        if (choices.length === 0) {
          if (isObj(chunk['usage'])) usageChunk = chunk;
          else yield chunk;
          continue;
        }
        const choice = choices[0];
        if (choices.length !== 1 || !isObj(choice) || !isObj(choice['delta'])) {
          yield chunk;
          continue;
        }
        const delta = choice['delta'];
        if (typeof delta['content'] === 'string') content += delta['content'];
        const passed: unknown[] = [];
        for (const call of Array.isArray(delta['tool_calls']) ? (delta['tool_calls'] as unknown[]) : []) {
          if (!isObj(call) || typeof call['index'] !== 'number') continue;
          const at = call['index'];
          const fn = isObj(call['function']) ? call['function'] : {};
          const h = held.get(at);
          if (h !== undefined) h.arguments += typeof fn['arguments'] === 'string' ? fn['arguments'] : '';
          else if (!index.has(at) && fn['name'] === RETRIEVE_TOOL_NAME) {
            held.set(at, { id: String(call['id']), name: RETRIEVE_TOOL_NAME, arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : '' });
          } else {
            if (!index.has(at)) {
              othersCalled = true;
              index.set(at, out++);
            }
            passed.push({ ...call, index: index.get(at) });
          }
        }
        const { tool_calls: toolCalls, ...rest } = delta;
        void toolCalls;
        const kept: Obj = { ...rest, ...(passed.length > 0 ? { tool_calls: passed } : {}) };
        const renamed = { ...chunk, id: id ?? chunk['id'], choices: [{ ...choice, delta: kept }] };
        if (choice['finish_reason'] !== null && choice['finish_reason'] !== undefined) {
          finish = renamed;
          continue;
        }
        // A later round's opening chunk (its role, empty text) says nothing new.
        if (round > 0 && !Object.entries(kept).some(([k, v]) => k !== 'role' && v !== null && v !== '')) continue;
        if (round === 0 && passed.length === 0 && Array.isArray(delta['tool_calls']) && Object.keys(rest).length === 0) continue;
        yield renamed;
      }
      const usage = usageChunk?.['usage'];
      total = round === 0 ? usage : sumUsage(total, usage);
      const calls = [...held.values()].map((h) => ({ id: h.id, type: 'function', function: { name: h.name, arguments: h.arguments } }) as RetrievalToolCall);
      const reason = isObj(finish) ? (finish['choices'] as Obj[])[0]!['finish_reason'] : undefined;
      if (round < context.retrieval.maxRounds && calls.length > 0 && !othersCalled && reason === 'tool_calls') {
        messages = await nextMessages(messages, content === '' ? null : content, calls, context);
        const next = await context.send({ ...context.params, messages });
        if (isObj(next) && typeof (next as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
          chunks = (next as unknown as Chunks)[Symbol.asyncIterator]();
          continue;
        }
      }
      // The round handed on: the held-back calls come last, then its finish and its usage.
      const base = finish ?? usageChunk;
      for (const [, h] of held) {
        const call = { index: out++, id: h.id, type: 'function', function: { name: h.name, arguments: h.arguments } };
        const choice = { index: 0, delta: { tool_calls: [call] }, logprobs: null, finish_reason: null };
        yield { ...(base ?? {}), id, object: 'chat.completion.chunk', choices: [choice] };
      }
      if (finish !== undefined) yield { ...finish, id: id ?? finish['id'] };
      if (usageChunk !== undefined) yield { ...usageChunk, id: id ?? usageChunk['id'], usage: total };
      return;
    }
  } as never;
  return data;
}
