// The OpenAI Responses API's `input` as a chat conversation: a string or messages become user (and
// system/developer/assistant) messages, `function_call` / `custom_tool_call` items the assistant's
// tool calls, and `function_call_output` / `custom_tool_call_output` items tool messages, so tool
// output and large user text compress as in chat, each block with its own call as its query.
// Items with no chat form (reasoning, item references, server tool calls) pass untouched.
// `previous_response_id` chains are left alone: the earlier turns live on the server.

import { isObj, type Obj, type OpenAIMessage } from './types.js';
import { chatView, textParts, type ChatView, type ViewedItem } from './view.js';

const isInputText = (p: Obj): boolean => p['type'] === 'input_text';
const isOutputText = (p: Obj): boolean => p['type'] === 'output_text';
const MESSAGE_ROLES = new Set(['user', 'system', 'developer', 'assistant']);
const OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output']);

/** The chat view of a Responses request's `input`, or undefined when it has none. */
export function responsesView(input: unknown): ChatView<unknown> | undefined {
  if (typeof input === 'string') {
    return chatView<unknown>([input], () => ({ messages: [{ role: 'user', content: input }], write: ([m]) => m!['content'] }));
  }
  if (!Array.isArray(input)) return undefined;
  return chatView(input as unknown[], readItem);
}

function readItem(item: unknown): ViewedItem<unknown> | undefined {
  if (!isObj(item)) return undefined;
  const type = item['type'];
  const role = item['role'];
  if ((type === undefined || type === 'message') && typeof role === 'string' && MESSAGE_ROLES.has(role)) {
    return content(item, 'content', role === 'assistant' ? isOutputText : isInputText, (c) => ({ role, content: c }) as OpenAIMessage);
  }
  if (type === 'function_call' || type === 'custom_tool_call') {
    const id = item['call_id'];
    if (typeof id !== 'string') return undefined;
    const call =
      type === 'function_call'
        ? { id, type: 'function', function: { name: String(item['name']), arguments: String(item['arguments']) } }
        : { id, type: 'custom', custom: { name: String(item['name']), input: String(item['input']) } };
    return { messages: [{ role: 'assistant', content: null, tool_calls: [call] } as OpenAIMessage], write: () => item };
  }
  if (typeof type === 'string' && OUTPUTS.has(type)) {
    const id = item['call_id'];
    return content(item, 'output', isInputText, (c) => ({ role: 'tool', tool_call_id: typeof id === 'string' ? id : '', content: c }) as OpenAIMessage);
  }
  return undefined;
}

/** An item whose `field` is a string or a list of parts, read as a chat message's content. */
function content(item: Obj, field: string, isText: (p: Obj) => boolean, message: (content: unknown) => OpenAIMessage): ViewedItem<unknown> | undefined {
  const value = item[field];
  if (typeof value === 'string') {
    return { messages: [message(value)], write: ([m]) => ({ ...item, [field]: m!['content'] }) };
  }
  if (!Array.isArray(value)) return undefined;
  const parts = textParts(value, isText, 'text', countedAs);
  return { messages: [message(parts.parts)], write: ([m]) => ({ ...item, [field]: parts.write(m!['content']) }) };
}

/**
 * An image or a file as chat counts it (by its pixels or pages, never its base64 as text), so the
 * context check sees the request's real size.
 */
function countedAs(part: unknown): unknown {
  if (!isObj(part)) return part;
  if (part['type'] === 'input_image') {
    const url = typeof part['image_url'] === 'string' ? part['image_url'] : '';
    return { type: 'image_url', image_url: { url, ...(part['detail'] === undefined ? {} : { detail: part['detail'] }) } };
  }
  if (part['type'] === 'input_file') return { type: 'file', file: typeof part['file_data'] === 'string' ? { file_data: part['file_data'] } : {} };
  return part;
}
