// Lossless conversion between Anthropic Messages and OpenAI chat messages.
//
// The rule that makes it lossless: a block becomes an OpenAI-native part only when the reverse
// conversion rebuilds it exactly; anything else (thinking, documents from files, server tool
// blocks, unknown types) travels verbatim as a part of its own type. What OpenAI's message shape
// cannot express — message boundaries, tool_use positions among other blocks, a tool_result with
// no content, fields of the Anthropic message itself — travels in the `_anthropic` side field,
// which `openAIToAnthropic` reads and removes. Untouched blocks are shared by reference.

import { describe } from '../arguments.js';
import { isObj, type AnthropicMessage, type Obj, type OpenAIMessage } from './types.js';

/** The side field on OpenAI messages that carries what their shape cannot express. */
export const SIDE_FIELD = '_anthropic';

interface Side {
  /** Fields of the Anthropic message other than `role` and `content`. */
  fields?: Obj;
  /**
   * Whether this OpenAI message continues the Anthropic message of the one before it, written only
   * when the default rule (a tool message after a tool message continues; nothing else does)
   * would decide otherwise.
   */
  continues?: boolean;
  /** The tool_result had no `content`. */
  noContent?: true;
  /** Positions of the tool_use blocks moved to `tool_calls`, when they were not all at the end. */
  toolUseAt?: number[];
}

type Draft = Record<string, unknown>;

/** Message fields that carry meaning in OpenAI's shape: an Anthropic message's own never go there as they are. */
const OPENAI_FIELDS = new Set(['role', 'content', 'tool_calls', 'tool_call_id', 'function_call', SIDE_FIELD]);

/**
 * Converts Anthropic messages to OpenAI chat messages, losslessly: `openAIToAnthropic` of the
 * result deep-equals the input. Tool results become `tool` messages (in their original order),
 * tool_use blocks become `tool_calls`, images and PDF documents become `image_url` and `file`
 * parts; other blocks pass verbatim, and so do messages of other roles (a system message).
 *
 * @example
 * ```ts
 * import { anthropicToOpenAI } from 'headroom-ai';
 * anthropicToOpenAI([{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] }]);
 * // [{ role: 'tool', tool_call_id: 't1', content: 'ok' }]
 * ```
 */
export function anthropicToOpenAI(messages: readonly AnthropicMessage[]): OpenAIMessage[] {
  if (!Array.isArray(messages)) {
    throw new TypeError(`anthropicToOpenAI: messages must be an array of Anthropic messages, got ${describe(messages)}`);
  }
  const out: Draft[] = [];
  messages.forEach((m: unknown, i) => {
    if (!isObj(m)) throw new TypeError(`anthropicToOpenAI: messages[${i}] must be an object, got ${describe(m)}`);
    const role = m['role'];
    if (typeof role !== 'string') throw new TypeError(`anthropicToOpenAI: messages[${i}].role must be a string, got ${describe(role)}`);
    if (role !== 'user' && role !== 'assistant') {
      // A system message (the SDK's SystemMessageParam) and the roles openAIToAnthropic passes
      // through travel verbatim, so conversions round-trip both ways.
      out.push(m as Draft);
      return;
    }
    const produced = role === 'user' ? userToOpenAI(m['content']) : [assistantToOpenAI(m['content'])];
    const fields = rest(m, ['role', 'content']);
    produced.forEach((msg, j) => {
      const previous = j === 0 ? out[out.length - 1] : produced[j - 1];
      const byDefault = msg['role'] === 'tool' && previous?.['role'] === 'tool';
      const side: Side = { ...(msg[SIDE_FIELD] as Side | undefined) };
      if (j > 0 !== byDefault) side.continues = j > 0;
      if (j === 0 && fields !== undefined) {
        // On a message of the same role the fields read the same in OpenAI's shape (a `name`, an
        // assistant's `refusal`), so they go on it as they are; otherwise in the side field.
        if (msg['role'] === role && !Object.keys(fields).some((k) => OPENAI_FIELDS.has(k))) Object.assign(msg, fields);
        else side.fields = fields;
      }
      if (Object.keys(side).length > 0) msg[SIDE_FIELD] = side;
      out.push(msg);
    });
  });
  return out as unknown as OpenAIMessage[];
}

/**
 * Converts OpenAI chat messages to Anthropic messages: consecutive `tool` messages become one user
 * message of tool_result blocks, `tool_calls` become tool_use blocks. Reads the `_anthropic` side
 * field written by `anthropicToOpenAI`, so a round trip gives a deep-equal copy either way (one
 * plain text part beside tool calls comes back as string content, as the API writes it); a tool
 * call with no tool_use form (a custom tool's, arguments that are not JSON) keeps its place as a
 * block of its own. System and
 * developer messages (Anthropic takes the system prompt as a separate parameter) and messages of
 * other roles pass through verbatim.
 *
 * @example
 * ```ts
 * import { openAIToAnthropic } from 'headroom-ai';
 * openAIToAnthropic([{ role: 'tool', tool_call_id: 't1', content: 'ok' }]);
 * // [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] }]
 * ```
 */
export function openAIToAnthropic(messages: readonly OpenAIMessage[]): AnthropicMessage[] {
  if (!Array.isArray(messages)) {
    throw new TypeError(`openAIToAnthropic: messages must be an array of OpenAI messages, got ${describe(messages)}`);
  }
  const out: unknown[] = [];
  // The content array of the last message pushed, when it is a user message built here: the one a
  // continuing message may extend.
  let open: unknown[] | undefined;
  let previousRole: unknown;
  messages.forEach((m: unknown, i) => {
    if (!isObj(m)) throw new TypeError(`openAIToAnthropic: messages[${i}] must be an object, got ${describe(m)}`);
    const role = m['role'];
    const side = sideOf(m);
    const start = (msg: Draft, content: unknown[] | undefined): void => {
      if (side.fields !== undefined) Object.assign(msg, side.fields);
      out.push(msg);
      open = content;
    };
    if (role === 'tool' && typeof m['tool_call_id'] === 'string' && (typeof m['content'] === 'string' || Array.isArray(m['content']))) {
      const block = toolMessageToBlock(m, side);
      if ((side.continues ?? previousRole === 'tool') && open !== undefined) open.push(block);
      else {
        const content = [block];
        start({ role: 'user', content }, content);
      }
    } else if (role === 'user' && Array.isArray(m['content'])) {
      const blocks = (m['content'] as unknown[]).map(partToBlock);
      if (side.continues === true && open !== undefined) open.push(...blocks);
      else start({ role: 'user', content: blocks, ...rest(m, ['role', 'content', SIDE_FIELD]) }, blocks);
    } else if (role === 'user') {
      start({ role: 'user', content: m['content'], ...rest(m, ['role', 'content', SIDE_FIELD]) }, undefined);
    } else if (role === 'assistant') {
      start(assistantToAnthropic(m, side), undefined);
    } else {
      out.push(m);
      open = undefined;
    }
    previousRole = role;
  });
  return out as AnthropicMessage[];
}

function userToOpenAI(content: unknown): Draft[] {
  if (!Array.isArray(content)) return [{ role: 'user', content }];
  const produced: Draft[] = [];
  let parts: unknown[] | undefined;
  for (const block of content) {
    const tool = toolResultToOpenAI(block);
    if (tool !== undefined) {
      produced.push(tool);
      parts = undefined;
      continue;
    }
    if (parts === undefined) {
      parts = [];
      produced.push({ role: 'user', content: parts });
    }
    parts.push(blockToPart(block));
  }
  if (produced.length === 0) produced.push({ role: 'user', content: [] });
  return produced;
}

function assistantToOpenAI(content: unknown): Draft {
  if (!Array.isArray(content)) return { role: 'assistant', content };
  const parts: unknown[] = [];
  const calls: Draft[] = [];
  const at: number[] = [];
  content.forEach((block: unknown, i) => {
    const call = toolUseToCall(block);
    if (call === undefined) parts.push(blockToPart(block));
    else {
      calls.push(call);
      at.push(i);
    }
  });
  // With tool calls, one plain text part is OpenAI's string content (as openAIToAnthropic reads it).
  const single = parts.length === 1 && calls.length > 0 && isObj(parts[0]) && parts[0]['type'] === 'text' && hasExactly(parts[0], ['type', 'text']);
  const msg: Draft = { role: 'assistant', content: single ? (parts[0] as Obj)['text'] : parts.length === 0 && calls.length > 0 ? null : parts };
  if (calls.length > 0) msg['tool_calls'] = calls;
  if (at.some((p, k) => p !== parts.length + k)) msg[SIDE_FIELD] = { toolUseAt: at } satisfies Side;
  return msg;
}

function assistantToAnthropic(m: Obj, side: Side): Draft {
  const extra = rest(m, ['role', 'content', 'tool_calls', SIDE_FIELD]);
  const content = m['content'];
  const toolCalls = m['tool_calls'];
  const calls = Array.isArray(toolCalls) ? toolCalls.map(toolCallToBlock) : [];
  if (!Array.isArray(toolCalls) && toolCalls !== undefined) return { role: 'assistant', content, tool_calls: toolCalls, ...extra };
  if (toolCalls === undefined && !Array.isArray(content)) return { role: 'assistant', content, ...extra };
  let parts: unknown[];
  if (Array.isArray(content)) parts = content.map(partToBlock);
  else if (content === null || content === undefined) parts = [];
  else if (typeof content === 'string' && calls.length > 0) parts = content === '' ? [] : [{ type: 'text', text: content }];
  else return { role: 'assistant', content, ...extra };
  return { role: 'assistant', content: interleave(parts, calls, side.toolUseAt), ...extra };
}

/** Puts tool_use blocks back at their original positions (default: after every other block). */
function interleave(parts: unknown[], calls: unknown[], at: number[] | undefined): unknown[] {
  const total = parts.length + calls.length;
  const valid =
    Array.isArray(at) &&
    at.length === calls.length &&
    at.every((p, k) => Number.isInteger(p) && p >= 0 && p < total && (k === 0 || p > at[k - 1]!));
  if (!valid) return [...parts, ...calls];
  const out: unknown[] = [];
  let p = 0;
  let c = 0;
  for (let i = 0; i < total; i++) out.push(at[c] === i ? calls[c++] : parts[p++]);
  return out;
}

function toolResultToOpenAI(block: unknown): Draft | undefined {
  if (!isObj(block) || block['type'] !== 'tool_result' || typeof block['tool_use_id'] !== 'string') return undefined;
  const content = block['content'];
  if (content !== undefined && typeof content !== 'string' && !Array.isArray(content)) return undefined;
  const extra = rest(block, ['type', 'tool_use_id', 'content']);
  if (extra !== undefined && ('role' in extra || 'tool_call_id' in extra || SIDE_FIELD in extra)) return undefined;
  const msg: Draft = {
    role: 'tool',
    tool_call_id: block['tool_use_id'],
    content: content === undefined ? '' : Array.isArray(content) ? content.map(blockToPart) : content,
    ...extra,
  };
  if (content === undefined) msg[SIDE_FIELD] = { noContent: true } satisfies Side;
  return msg;
}

function toolMessageToBlock(m: Obj, side: Side): Draft {
  const content = m['content'];
  return {
    type: 'tool_result',
    tool_use_id: m['tool_call_id'],
    ...(side.noContent === true ? {} : { content: Array.isArray(content) ? content.map(partToBlock) : content }),
    ...rest(m, ['role', 'tool_call_id', 'content', SIDE_FIELD]),
  };
}

/**
 * The block an OpenAI tool call with no tool_use form (a custom tool's call, arguments that are not
 * JSON) becomes, so it comes back to `tool_calls` in its place.
 */
const TOOL_CALL_BLOCK = '_openai_tool_call';

function toolUseToCall(block: unknown): Draft | undefined {
  if (isObj(block) && block['type'] === TOOL_CALL_BLOCK && hasExactly(block, ['type', 'tool_call']) && isObj(block['tool_call'])) {
    return block['tool_call'] as Draft;
  }
  if (!isObj(block) || block['type'] !== 'tool_use') return undefined;
  const { id, name, input } = block;
  if (typeof id !== 'string' || typeof name !== 'string' || input === undefined) return undefined;
  const extra = rest(block, ['type', 'id', 'name', 'input']);
  if (extra !== undefined && 'function' in extra) return undefined;
  let args: unknown;
  try {
    args = JSON.stringify(input);
  } catch {
    return undefined;
  }
  if (typeof args !== 'string') return undefined;
  return { id, type: 'function', function: { name, arguments: args }, ...extra };
}

function toolCallToBlock(call: unknown): unknown {
  return functionCallToToolUse(call) ?? (isObj(call) ? { type: TOOL_CALL_BLOCK, tool_call: call } : call);
}

function functionCallToToolUse(call: unknown): Draft | undefined {
  if (!isObj(call) || typeof call['id'] !== 'string' || call['type'] !== 'function') return undefined;
  const fn = call['function'];
  if (!isObj(fn) || !hasExactly(fn, ['name', 'arguments'])) return undefined;
  const { name, arguments: args } = fn;
  if (typeof name !== 'string' || typeof args !== 'string') return undefined;
  let input: unknown;
  try {
    input = JSON.parse(args);
  } catch {
    return undefined;
  }
  return { type: 'tool_use', id: call['id'], name, input, ...rest(call, ['id', 'type', 'function']) };
}

/**
 * Block types the reverse conversion may read as OpenAI parts: wrapped when it would change them,
 * so they come back as they were. One it leaves alone passes as it is, which keeps an OpenAI part
 * that had no Anthropic form (an image with `detail`, a file by id) the same both ways.
 */
const WRAPPED = new Set(['image_url', 'file', SIDE_FIELD]);

function blockToPart(block: unknown): unknown {
  if (!isObj(block)) return block;
  const type = block['type'];
  if (type === 'image') return imageToPart(block) ?? block;
  if (type === 'document') return documentToPart(block) ?? block;
  if (typeof type === 'string' && WRAPPED.has(type) && (type === SIDE_FIELD || partToBlock(block) !== block)) return { type: SIDE_FIELD, block };
  return block;
}

function partToBlock(part: unknown): unknown {
  if (!isObj(part)) return part;
  const type = part['type'];
  if (type === 'image_url') return imagePartToBlock(part) ?? part;
  if (type === 'file') return filePartToBlock(part) ?? part;
  if (type === SIDE_FIELD && hasExactly(part, ['type', 'block'])) return part['block'];
  return part;
}

function imageToPart(block: Obj): Draft | undefined {
  const source = block['source'];
  const extra = rest(block, ['type', 'source']);
  if (!isObj(source) || (extra !== undefined && 'image_url' in extra)) return undefined;
  let url: string;
  if (source['type'] === 'base64' && hasExactly(source, ['type', 'media_type', 'data'])) {
    const media = source['media_type'];
    const data = source['data'];
    if (typeof media !== 'string' || typeof data !== 'string' || !plainMediaType(media)) return undefined;
    url = `data:${media};base64,${data}`;
  } else if (source['type'] === 'url' && hasExactly(source, ['type', 'url'])) {
    if (typeof source['url'] !== 'string' || source['url'].startsWith('data:')) return undefined;
    url = source['url'];
  } else return undefined;
  return { type: 'image_url', image_url: { url }, ...extra };
}

function imagePartToBlock(part: Obj): Draft | undefined {
  const image = part['image_url'];
  if (!isObj(image) || !hasExactly(image, ['url']) || typeof image['url'] !== 'string') return undefined;
  const url = image['url'];
  const extra = rest(part, ['type', 'image_url']);
  const data = parseDataUrl(url);
  if (data !== undefined) {
    return { type: 'image', source: { type: 'base64', media_type: data.media, data: data.data }, ...extra };
  }
  if (url.startsWith('data:')) return undefined;
  return { type: 'image', source: { type: 'url', url }, ...extra };
}

const PDF = 'application/pdf';

function documentToPart(block: Obj): Draft | undefined {
  const source = block['source'];
  const extra = rest(block, ['type', 'source']);
  if (!isObj(source) || (extra !== undefined && 'file' in extra)) return undefined;
  if (source['type'] !== 'base64' || source['media_type'] !== PDF || !hasExactly(source, ['type', 'media_type', 'data'])) {
    return undefined;
  }
  if (typeof source['data'] !== 'string') return undefined;
  return { type: 'file', file: { file_data: `data:${PDF};base64,${source['data']}` }, ...extra };
}

function filePartToBlock(part: Obj): Draft | undefined {
  const file = part['file'];
  if (!isObj(file) || !hasExactly(file, ['file_data']) || typeof file['file_data'] !== 'string') return undefined;
  const data = parseDataUrl(file['file_data']);
  if (data === undefined || data.media !== PDF) return undefined;
  return { type: 'document', source: { type: 'base64', media_type: PDF, data: data.data }, ...rest(part, ['type', 'file']) };
}

function plainMediaType(media: string): boolean {
  return media.length > 0 && !media.includes(';') && !media.includes(',');
}

function parseDataUrl(url: string): { media: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const marker = url.indexOf(';base64,');
  if (marker < 0) return undefined;
  const media = url.slice(5, marker);
  return plainMediaType(media) ? { media, data: url.slice(marker + 8) } : undefined;
}

function sideOf(m: Obj): Side {
  const side = m[SIDE_FIELD];
  return isObj(side) ? (side as Side) : {};
}

/** The fields of `obj` not named in `known`, in their order, or undefined when there are none. */
function rest(obj: Obj, known: readonly string[]): Draft | undefined {
  const entries = Object.entries(obj).filter(([k]) => !known.includes(k));
  // fromEntries defines own properties, so a `__proto__` field stays a field.
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function hasExactly(obj: Obj, keys: readonly string[]): boolean {
  const own = Object.keys(obj);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}
