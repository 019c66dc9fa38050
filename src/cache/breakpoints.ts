// Opt-in `cacheBreakpoints: 'auto'`: cache_control markers at the end of the tools, the end of the
// system prompt and the last message. Content is never changed (a string system prompt or message
// becomes one text block so it can carry the marker), the caller's markers are all kept, the
// request never exceeds the API's four markers, and a 5-minute marker is never placed before a
// 1-hour one (the API requires longer TTLs first, in tools → system → messages order).

import { isObj, type Obj } from '../messages/types.js';

/** The API's limit on cache_control markers per request. */
export const MAX_CACHE_MARKERS = 4;


/** The parts of a Messages request that can carry markers. */
export interface CacheableParams {
  readonly tools?: readonly unknown[];
  readonly system?: string | readonly unknown[];
  readonly messages: readonly unknown[];
  readonly [field: string]: unknown;
}

/** Block types that may not carry cache_control. */
const NO_MARKER = new Set(['thinking', 'redacted_thinking']);

function ttlOf(block: unknown): '5m' | '1h' | undefined {
  if (!isObj(block) || !isObj(block['cache_control'])) return undefined;
  return block['cache_control']['ttl'] === '1h' ? '1h' : '5m';
}

/** Every marker in request order (tools, system, messages, including tool_result contents). */
export function cacheMarkers(params: CacheableParams): ('5m' | '1h')[] {
  const out: ('5m' | '1h')[] = [];
  const visit = (block: unknown): void => {
    const ttl = ttlOf(block);
    if (ttl !== undefined) out.push(ttl);
    if (isObj(block) && Array.isArray(block['content'])) for (const inner of block['content']) visit(inner);
  };
  for (const t of params.tools ?? []) visit(t);
  if (Array.isArray(params.system)) for (const b of params.system) visit(b);
  for (const m of params.messages) if (isObj(m) && Array.isArray(m['content'])) for (const b of m['content']) visit(b);
  // Automatic caching: the API places this one at the last cacheable block, and counts it.
  visit({ cache_control: params['cache_control'] });
  return out;
}

/** Adds headroom's breakpoints; returns `params` itself when none could be added. */
export function addCacheBreakpoints<P extends CacheableParams>(params: P): P {
  const markers = cacheMarkers(params);
  let room = MAX_CACHE_MARKERS - markers.length;
  if (room <= 0) return params;
  const marker = { type: 'ephemeral' } as const;
  // A 5-minute marker may go only after the last 1-hour marker. Positions: tools 0, system 1, messages 2.
  const last1h = lastOneHourSection(params);
  let out: P = params;

  // Priority: the last message (caches the whole conversation; automatic caching already does),
  // then system, then tools.
  const messages = params.messages;
  if (room > 0 && last1h <= 2 && messages.length > 0 && ttlOf(params) === undefined) {
    const i = messages.length - 1;
    const msg = messages[i];
    if (isObj(msg)) {
      const content = msg['content'];
      let blocks: readonly unknown[] | undefined;
      if (typeof content === 'string' && content !== '') blocks = [{ type: 'text', text: content }];
      else if (Array.isArray(content)) blocks = content;
      const at = blocks === undefined ? -1 : lastMarkable(blocks);
      if (blocks !== undefined && at >= 0 && ttlOf(blocks[at]) === undefined && !laterOneHourInMessage(blocks, at)) {
        const next = [...blocks];
        next[at] = { ...(blocks[at] as Obj), cache_control: marker };
        out = { ...out, messages: [...messages.slice(0, i), { ...msg, content: next }] };
        room--;
      }
    }
  }
  if (room > 0 && last1h <= 1 && params.system !== undefined) {
    const sys = typeof params.system === 'string' ? (params.system === '' ? [] : [{ type: 'text', text: params.system }]) : params.system;
    const at = sys.length - 1;
    if (at >= 0 && ttlOf(sys[at]) === undefined && !(last1h === 1 && sys.slice(at).some((b) => ttlOf(b) === '1h'))) {
      const next = [...sys];
      next[at] = { ...(sys[at] as Obj), cache_control: marker };
      out = { ...out, system: next };
      room--;
    }
  }
  if (room > 0 && last1h <= 0 && params.tools !== undefined && params.tools.length > 0) {
    const at = params.tools.length - 1;
    if (ttlOf(params.tools[at]) === undefined && isObj(params.tools[at])) {
      const next = [...params.tools];
      next[at] = { ...(params.tools[at] as Obj), cache_control: marker };
      out = { ...out, tools: next };
    }
  }
  return out;
}

/** The last section (0 tools, 1 system, 2 messages, 3 automatic caching at the end) holding a 1-hour marker, or -1. */
function lastOneHourSection(params: CacheableParams): number {
  if (ttlOf(params) === '1h') return 3;
  const has1h = (blocks: readonly unknown[]): boolean =>
    blocks.some((b) => ttlOf(b) === '1h' || (isObj(b) && Array.isArray(b['content']) && has1h(b['content'])));
  const messageBlocks = params.messages.flatMap((m) => (isObj(m) && Array.isArray(m['content']) ? m['content'] : []));
  if (has1h(messageBlocks)) return 2;
  if (Array.isArray(params.system) && has1h(params.system)) return 1;
  if (has1h(params.tools ?? [])) return 0;
  return -1;
}

/** Index of the last block that can carry a marker (not thinking, not empty text), or -1. */
function lastMarkable(blocks: readonly unknown[]): number {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i];
    if (!isObj(b) || typeof b['type'] !== 'string' || NO_MARKER.has(b['type'])) continue;
    if (b['type'] === 'text' && b['text'] === '') continue;
    return i;
  }
  return -1;
}

function laterOneHourInMessage(blocks: readonly unknown[], at: number): boolean {
  return blocks.slice(at).some((b) => ttlOf(b) === '1h' || (isObj(b) && Array.isArray(b['content']) && b['content'].some((c) => ttlOf(c) === '1h')));
}
