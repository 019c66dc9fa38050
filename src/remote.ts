// Remote mode: compress through a headroom-compatible server, the protocol of the original
// Headroom proxy: `POST {baseUrl}/v1/compress` with `{ messages (OpenAI format), model }`, answered
// with `{ messages, tokens_before, tokens_after, tokens_saved, compression_ratio, transforms_applied }`.
//
// A server is trusted with tool output only: its answer is laid over the caller's messages, so
// every other block (assistant turns, thinking signatures, images, cache_control, ids) stays the
// caller's own, and a tool result or user text that did not get smaller is not replaced. An answer
// that changes the conversation's shape is refused, and the caller falls back to in-process.

import { countTokens } from './tokens.js';
import { anthropicToOpenAI, openAIToAnthropic } from './messages/convert.js';
import { isObj, type AnthropicBlock, type AnthropicMessage, type Obj, type OpenAIMessage } from './messages/types.js';

export interface RemoteResult {
  messages: AnthropicMessage[];
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  transformsApplied: string[];
}

export type RemoteOutcome = { ok: true; result: RemoteResult } | { ok: false; reason: string };


export async function remoteCompress(
  baseUrl: string,
  messages: readonly AnthropicMessage[],
  model: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<RemoteOutcome> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/compress`;
  const timeout = AbortSignal.timeout(timeoutMs);
  let body: unknown;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: anthropicToOpenAI(messages), model }),
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
    });
    if (!response.ok) return { ok: false, reason: `remote compression failed: HTTP ${response.status} from ${url}` };
    body = await response.json();
  } catch (err) {
    if (signal?.aborted) throw err;
    const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    return { ok: false, reason: `remote compression failed: ${reason} (${url})` };
  }
  if (!isObj(body) || !Array.isArray(body['messages'])) {
    return { ok: false, reason: `remote compression failed: the answer from ${url} has no messages array` };
  }
  let converted: AnthropicMessage[];
  try {
    converted = openAIToAnthropic(body['messages'] as OpenAIMessage[]);
  } catch (err) {
    return { ok: false, reason: `remote compression failed: unreadable messages (${err instanceof Error ? err.message : String(err)})` };
  }
  const merged = overlay(messages, converted);
  if (merged === undefined) {
    return { ok: false, reason: 'remote compression failed: the answer changed the conversation’s structure' };
  }
  const num = (k: string): number => (typeof body[k] === 'number' ? (body[k] as number) : 0);
  const transforms = Array.isArray(body['transforms_applied']) ? body['transforms_applied'].filter((t): t is string => typeof t === 'string') : [];
  return {
    ok: true,
    result: { messages: merged, tokensBefore: num('tokens_before'), tokensAfter: num('tokens_after'), tokensSaved: num('tokens_saved'), transformsApplied: transforms },
  };
}

const smaller = (after: unknown, before: unknown): boolean =>
  countTokens(JSON.stringify(after) ?? '') < countTokens(JSON.stringify(before) ?? '');

/** The caller's messages with the server's tool results and user text laid over them, or undefined. */
function overlay(original: readonly AnthropicMessage[], answer: readonly AnthropicMessage[]): AnthropicMessage[] | undefined {
  if (answer.length !== original.length) return undefined;
  const out: AnthropicMessage[] = [];
  for (let i = 0; i < original.length; i++) {
    const mine = original[i]!;
    const theirs = answer[i]!;
    if (!isObj(theirs) || theirs.role !== mine.role) return undefined;
    if (mine.role === 'assistant') {
      out.push(mine);
      continue;
    }
    if (typeof mine.content === 'string') {
      const text = typeof theirs.content === 'string' ? theirs.content : undefined;
      if (text === undefined) return undefined;
      out.push(text !== mine.content && text !== '' && smaller(text, mine.content) ? { ...mine, content: text } : mine);
      continue;
    }
    if (!Array.isArray(theirs.content) || theirs.content.length !== mine.content.length) return undefined;
    let changed = false;
    const blocks: AnthropicBlock[] = [];
    for (let k = 0; k < mine.content.length; k++) {
      const a = mine.content[k] as Obj;
      const b = theirs.content[k] as Obj;
      if (!isObj(b) || b['type'] !== a['type']) return undefined;
      if (a['type'] === 'tool_result' && b['tool_use_id'] === a['tool_use_id'] && b['content'] !== undefined && smaller(b['content'], a['content'])) {
        blocks.push({ ...a, type: 'tool_result', content: b['content'] } as AnthropicBlock);
        changed = true;
      } else if (a['type'] === 'text' && typeof b['text'] === 'string' && b['text'] !== '' && smaller(b['text'], a['text'])) {
        blocks.push({ ...a, type: 'text', text: b['text'] } as AnthropicBlock);
        changed = true;
      } else {
        if (a['type'] === 'tool_result' && b['tool_use_id'] !== a['tool_use_id']) return undefined;
        blocks.push(a as AnthropicBlock);
      }
    }
    out.push(changed ? { ...mine, content: blocks } : mine);
  }
  return out;
}
