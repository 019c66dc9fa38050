// Where a conversation's candidate text is: tool output (with the call that produced it) and user
// text, found in one pass in message order. A tool call is looked up only among earlier messages,
// so what a block's site says about it depends only on messages 0..i (prefix stability).

import { RETRIEVE_TOOL_NAME } from '../retrieval/markers.js';
import { isObj, jsonText, type MessageFormat, type Obj } from './types.js';

/** The tool call that produced a block of tool output. */
export interface ToolCall {
  /** The tool's name, when the call has one. */
  name: string | undefined;
  /** The call's input as JSON text (Anthropic `input` serialised, OpenAI `arguments` as given). */
  input: string;
  /** Index of the message holding the call. */
  message: number;
}

/** One candidate text in a conversation. */
export interface BlockSite {
  /** Index of the message in the conversation. */
  message: number;
  /** Index in the message's content array; -1 when the content is a string. */
  block: number;
  /** Index inside an Anthropic tool_result's content array; -1 otherwise. */
  part: number;
  /** `tool`: tool output; `user`: text the user sent (a candidate only if it is machine output). */
  source: 'tool' | 'user';
  text: string;
  /** For tool output: the call that produced it, when the conversation holds that call. */
  call: ToolCall | undefined;
}

/**
 * The candidate sites of `messages`, in order; outputs of tools `isProtected` names are left out,
 * and so, always, are retrieval answers: an original the model asked for is never compressed again.
 */
export function locate(
  messages: readonly unknown[],
  format: MessageFormat,
  isProtected: (name: string) => boolean,
): BlockSite[] {
  const skip = (name: string): boolean => name === RETRIEVE_TOOL_NAME || isProtected(name);
  return format === 'anthropic' ? locateAnthropic(messages, skip) : locateOpenAI(messages, skip);
}

function locateAnthropic(messages: readonly unknown[], isProtected: (name: string) => boolean): BlockSite[] {
  const sites: BlockSite[] = [];
  const calls = new Map<string, ToolCall>();
  messages.forEach((m, i) => {
    if (!isObj(m)) return;
    const content = m['content'];
    if (m['role'] === 'assistant') {
      if (!Array.isArray(content)) return;
      for (const b of content) {
        if (isObj(b) && b['type'] === 'tool_use' && typeof b['id'] === 'string') {
          calls.set(b['id'], { name: stringOr(b['name']), input: jsonText(b['input']), message: i });
        }
      }
      return;
    }
    if (m['role'] !== 'user') return;
    if (typeof content === 'string') {
      sites.push({ message: i, block: -1, part: -1, source: 'user', text: content, call: undefined });
      return;
    }
    if (!Array.isArray(content)) return;
    content.forEach((b: unknown, j) => {
      if (!isObj(b)) return;
      if (isPlainText(b)) {
        sites.push({ message: i, block: j, part: -1, source: 'user', text: b['text'] as string, call: undefined });
        return;
      }
      if (b['type'] !== 'tool_result' || typeof b['tool_use_id'] !== 'string') return;
      const call = calls.get(b['tool_use_id']);
      if (call?.name !== undefined && isProtected(call.name)) return;
      const inner = b['content'];
      if (typeof inner === 'string') {
        sites.push({ message: i, block: j, part: -1, source: 'tool', text: inner, call });
      } else if (Array.isArray(inner)) {
        inner.forEach((p: unknown, k) => {
          if (isObj(p) && isPlainText(p)) sites.push({ message: i, block: j, part: k, source: 'tool', text: p['text'] as string, call });
        });
      }
    });
  });
  return sites;
}

function locateOpenAI(messages: readonly unknown[], isProtected: (name: string) => boolean): BlockSite[] {
  const sites: BlockSite[] = [];
  const calls = new Map<string, ToolCall>();
  let functionCall: ToolCall | undefined;
  const pushContent = (m: Obj, i: number, source: 'tool' | 'user', call: ToolCall | undefined): void => {
    const content = m['content'];
    if (typeof content === 'string') sites.push({ message: i, block: -1, part: -1, source, text: content, call });
    else if (Array.isArray(content)) {
      content.forEach((p: unknown, k) => {
        if (isObj(p) && isPlainText(p)) sites.push({ message: i, block: k, part: -1, source, text: p['text'] as string, call });
      });
    }
  };
  messages.forEach((m, i) => {
    if (!isObj(m)) return;
    switch (m['role']) {
      case 'assistant': {
        const toolCalls = m['tool_calls'];
        if (Array.isArray(toolCalls)) {
          for (const tc of toolCalls) {
            // A function call, or a custom tool's call (its input is free text).
            const fn = isObj(tc) ? (tc['function'] ?? tc['custom']) : undefined;
            if (isObj(tc) && typeof tc['id'] === 'string' && isObj(fn)) {
              calls.set(tc['id'], { name: stringOr(fn['name']), input: stringOr(fn['arguments'] ?? fn['input']) ?? '', message: i });
            }
          }
        }
        const legacy = m['function_call'];
        if (isObj(legacy)) functionCall = { name: stringOr(legacy['name']), input: stringOr(legacy['arguments']) ?? '', message: i };
        return;
      }
      case 'tool': {
        const id = m['tool_call_id'];
        const call = typeof id === 'string' ? calls.get(id) : undefined;
        if (call?.name !== undefined && isProtected(call.name)) return;
        pushContent(m, i, 'tool', call);
        return;
      }
      case 'function': {
        const name = stringOr(m['name']);
        if (name !== undefined && isProtected(name)) return;
        const call = functionCall?.name === name ? functionCall : { name, input: '', message: i };
        pushContent(m, i, 'tool', call);
        return;
      }
      case 'user':
        pushContent(m, i, 'user', undefined);
        return;
      default:
        return;
    }
  });
  return sites;
}

/** A text block/part with a string `text` and no citations (cited text must stay as cited). */
function isPlainText(b: Obj): boolean {
  if (b['type'] !== 'text' || typeof b['text'] !== 'string') return false;
  const citations = b['citations'];
  return citations === undefined || citations === null || (Array.isArray(citations) && citations.length === 0);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
