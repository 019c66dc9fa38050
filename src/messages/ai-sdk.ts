// The Vercel AI SDK's language-model prompt (what a middleware's `transformParams` sees) as a chat
// conversation: system, user and assistant messages as they are, tool-call parts as the
// assistant's tool calls, and each tool-result part as a tool message, so tool output and large user
// text compress as in chat, each block with its own call as its query. Only the text of a part
// that got smaller is written back; every other field (providerOptions such as Anthropic
// cacheControl included) is the caller's own.

import { isObj, jsonText, type Obj, type OpenAIMessage, type OpenAIPart } from './types.js';
import { chatView, textParts, type ChatView, type ViewedItem } from './view.js';

const isText = (p: Obj): boolean => p['type'] === 'text';

export function aiSdkView(prompt: readonly unknown[]): ChatView<unknown> {
  return chatView(prompt, readMessage);
}

function readMessage(m: unknown): ViewedItem<unknown> | undefined {
  if (!isObj(m) || !Array.isArray(m['content']) && typeof m['content'] !== 'string') return undefined;
  const content = m['content'];
  switch (m['role']) {
    case 'system':
      return { messages: [{ role: 'system', content: content as string }], write: () => m };
    case 'user': {
      if (!Array.isArray(content)) return undefined;
      const parts = textParts(content, isText, 'text');
      return { messages: [{ role: 'user', content: parts.parts as OpenAIPart[] }], write: ([c]) => ({ ...m, content: parts.write(c!['content']) }) };
    }
    case 'assistant': {
      if (!Array.isArray(content)) return undefined;
      const calls = content.flatMap((p: unknown) =>
        isObj(p) && p['type'] === 'tool-call' && typeof p['toolCallId'] === 'string'
          ? [{ id: p['toolCallId'], type: 'function', function: { name: String(p['toolName']), arguments: jsonText(p['input']) } }]
          : [],
      );
      const text = content.filter((p: unknown) => isObj(p) && isText(p));
      return { messages: [{ role: 'assistant', content: text as OpenAIMessage['content'], ...(calls.length > 0 ? { tool_calls: calls } : {}) } as OpenAIMessage], write: () => m };
    }
    case 'tool': {
      if (!Array.isArray(content)) return undefined;
      const results = content.flatMap((p: unknown, at) => {
        const r = isObj(p) && p['type'] === 'tool-result' ? toolResult(p) : undefined;
        return r === undefined ? [] : [{ at, ...r }];
      });
      return {
        messages: results.map((r) => r.message),
        write: (compressed) => {
          const next = [...content];
          results.forEach((r, k) => {
            if ((compressed[k] as unknown) !== r.message) next[r.at] = r.write(compressed[k]!);
          });
          return { ...m, content: next };
        },
      };
    }
    default:
      return undefined;
  }
}

/** A tool-result part as a tool message; an output with no text (a denied execution) has none. */
function toolResult(part: Obj): { message: OpenAIMessage; write(compressed: Obj): Obj } | undefined {
  const output = part['output'];
  const id = typeof part['toolCallId'] === 'string' ? part['toolCallId'] : '';
  if (!isObj(output)) return undefined;
  const message = (content: unknown): OpenAIMessage => ({ role: 'tool', tool_call_id: id, content }) as OpenAIMessage;
  const type = output['type'];
  const value = output['value'];
  if ((type === 'text' || type === 'error-text') && typeof value === 'string') {
    return { message: message(value), write: (c) => ({ ...part, output: { ...output, value: c['content'] } }) };
  }
  if (type === 'json' || type === 'error-json') {
    // A JSON value compresses as its text, and goes back as text (what providers send it as).
    const text = type === 'json' ? 'text' : 'error-text';
    return { message: message(jsonText(value)), write: (c) => ({ ...part, output: { ...output, type: text, value: c['content'] } }) };
  }
  if (type === 'content' && Array.isArray(value)) {
    const parts = textParts(value, isText, 'text');
    return { message: message(parts.parts), write: (c) => ({ ...part, output: { ...output, value: parts.write(c['content']) } }) };
  }
  return undefined;
}
