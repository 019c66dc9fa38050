// Retrieval calls the caller left unanswered. When a response mixes `headroom_retrieve` with the
// caller's own tool calls, a wrapper returns it as it is; the caller answers its own calls and sends
// the conversation again, without an answer for ours. Before that request goes out, the missing
// answers are put in: Anthropic `tool_result` blocks after the caller's in the next user message,
// OpenAI `tool` messages after the caller's. A call gets the same answer bytes on every turn (kept
// by call id), even once its key has expired, so the prompt's prefix does not change.

import { detectFormat } from '../messages/format.js';
import { isObj, type ChatMessage, type MessageFormat, type Obj } from '../messages/types.js';
import { retrieve, type RetrievalToolCall, type RetrievalToolUse } from './answer.js';
import { RETRIEVE_TOOL_NAME } from './markers.js';
import type { Store } from './store.js';

export interface PendingRetrievalsOptions {
  /** Most answers remembered by call id (default 10 000), least recently used out first. */
  maxAnswers?: number;
}

/**
 * Supplies the answers of unanswered `headroom_retrieve` calls.
 *
 * @example
 * ```ts
 * import { MemoryStore, PendingRetrievals } from 'headroom-ai';
 * const pending = new PendingRetrievals(store);
 * const messages = await pending.supply(params.messages); // then compress and send
 * ```
 */
export class PendingRetrievals {
  private readonly answers = new Map<string, string>();
  private readonly maxAnswers: number;

  constructor(
    readonly store: Store,
    options: PendingRetrievalsOptions = {},
  ) {
    this.maxAnswers = options.maxAnswers ?? 10_000;
  }

  /** `messages` with an answer for each unanswered retrieval call; the same array when none is missing. */
  async supply<M extends ChatMessage>(messages: readonly M[], format: MessageFormat = detectFormat(messages)): Promise<readonly M[]> {
    const gaps = format === 'anthropic' ? anthropicGaps(messages) : openAIGaps(messages);
    if (gaps.length === 0) return messages;
    const out: unknown[] = [...messages];
    // From the last gap back, so earlier positions stay valid as messages are inserted.
    for (const gap of [...gaps].reverse()) {
      const texts = await Promise.all(gap.calls.map((call) => this.answer(call)));
      if (format === 'anthropic') {
        const results = gap.calls.map((call, i) => ({ type: 'tool_result', tool_use_id: call.id, content: texts[i]! }));
        const next = out[gap.insertAt];
        if (gap.into && isObj(next)) {
          const content = typeof next['content'] === 'string' ? [{ type: 'text', text: next['content'] }] : (next['content'] as readonly unknown[]);
          const at = toolResultsEnd(content);
          out[gap.insertAt] = { ...next, content: [...content.slice(0, at), ...results, ...content.slice(at)] };
        } else {
          out.splice(gap.insertAt, 0, { role: 'user', content: results });
        }
      } else {
        out.splice(gap.insertAt, 0, ...gap.calls.map((call, i) => ({ role: 'tool', tool_call_id: call.id, content: texts[i]! })));
      }
    }
    return out as M[];
  }

  private async answer(call: RetrievalToolUse | RetrievalToolCall): Promise<string> {
    const known = this.answers.get(call.id);
    if (known !== undefined) {
      this.answers.delete(call.id);
      this.answers.set(call.id, known);
      return known;
    }
    const answer = await retrieve(this.store, call);
    // A store that could not be read is asked again next time; any other answer is final.
    if (answer.status !== 'unavailable') {
      this.answers.set(call.id, answer.text);
      if (this.answers.size > this.maxAnswers) this.answers.delete(this.answers.keys().next().value!);
    }
    return answer.text;
  }
}

interface Gap {
  calls: (RetrievalToolUse | RetrievalToolCall)[];
  /** Where the answers go: into the user message at this index (`into`), or inserted before it. */
  insertAt: number;
  into: boolean;
}

function anthropicGaps(messages: readonly unknown[]): Gap[] {
  const gaps: Gap[] = [];
  messages.forEach((m, i) => {
    if (!isObj(m) || m['role'] !== 'assistant' || !Array.isArray(m['content'])) return;
    const calls = (m['content'] as unknown[]).filter(
      (b): b is RetrievalToolUse => isObj(b) && b['type'] === 'tool_use' && b['name'] === RETRIEVE_TOOL_NAME && typeof b['id'] === 'string',
    );
    if (calls.length === 0) return;
    const next = messages[i + 1];
    const into = isObj(next) && next['role'] === 'user';
    const answered = new Set<unknown>();
    if (into && Array.isArray(next['content'])) {
      for (const b of next['content'] as unknown[]) if (isObj(b) && b['type'] === 'tool_result') answered.add(b['tool_use_id']);
    }
    const missing = calls.filter((c) => !answered.has(c.id));
    if (missing.length > 0) gaps.push({ calls: missing, insertAt: i + 1, into });
  });
  return gaps;
}

function openAIGaps(messages: readonly unknown[]): Gap[] {
  const gaps: Gap[] = [];
  messages.forEach((m, i) => {
    if (!isObj(m) || m['role'] !== 'assistant' || !Array.isArray(m['tool_calls'])) return;
    const calls = (m['tool_calls'] as unknown[]).filter((c): c is RetrievalToolCall => {
      const fn = isObj(c) ? c['function'] : undefined;
      return isObj(c) && typeof c['id'] === 'string' && isObj(fn) && fn['name'] === RETRIEVE_TOOL_NAME;
    });
    if (calls.length === 0) return;
    let end = i + 1;
    const answered = new Set<unknown>();
    for (; end < messages.length; end++) {
      const t = messages[end];
      if (!isObj(t) || t['role'] !== 'tool') break;
      answered.add((t as Obj)['tool_call_id']);
    }
    const missing = calls.filter((c) => !answered.has(c.id));
    if (missing.length > 0) gaps.push({ calls: missing, insertAt: end, into: false });
  });
  return gaps;
}

/** The index just after the leading tool_result blocks of a user message's content. */
function toolResultsEnd(content: readonly unknown[]): number {
  let at = 0;
  while (at < content.length && isObj(content[at]) && (content[at] as Obj)['type'] === 'tool_result') at++;
  return at;
}
