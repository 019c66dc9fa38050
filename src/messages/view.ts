// A chat view of a conversation kept in another shape (the Responses API's input items, the AI
// SDK's prompt): OpenAI chat messages made from its items, compressed like any conversation, and
// the compressed text written back into copies of the very items it came from. Only what changed
// is copied; every other item, part and field is the caller's own object.

import { isObj, type Obj, type OpenAIMessage } from './types.js';

/** One item read as chat messages, and how compressed copies of them go back into it. */
export interface ViewedItem<I> {
  messages: OpenAIMessage[];
  write(compressed: readonly Obj[]): I;
}

export interface ChatView<I> {
  /** The chat messages, in item order (items with no chat form are left out). */
  messages: OpenAIMessage[];
  /** The items with each compressed message written back. */
  rebuild(compressed: readonly unknown[]): I[];
}

export function chatView<I>(items: readonly I[], read: (item: I) => ViewedItem<I> | undefined): ChatView<I> {
  const viewed: { at: number; from: number; item: ViewedItem<I> }[] = [];
  const messages: OpenAIMessage[] = [];
  items.forEach((item, at) => {
    const v = read(item);
    if (v === undefined || v.messages.length === 0) return;
    viewed.push({ at, from: messages.length, item: v });
    messages.push(...v.messages);
  });
  return {
    messages,
    rebuild(compressed) {
      const out = [...items];
      for (const { at, from, item } of viewed) {
        const mine = compressed.slice(from, from + item.messages.length);
        if (mine.some((m, k) => m !== item.messages[k])) out[at] = item.write(mine as Obj[]);
      }
      return out;
    },
  };
}

/**
 * Content parts as chat `text` parts: `text` of each part `isText` accepts becomes a text part; any
 * other part becomes what `other` makes of it for counting (by default itself), never a compression
 * candidate. `write` puts the compressed parts' text back under `field` of copies of the parts that
 * changed.
 */
export function textParts(
  parts: readonly unknown[],
  isText: (part: Obj) => boolean,
  field: string,
  other: (part: unknown) => unknown = (p) => p,
): { parts: unknown[]; write(compressed: unknown): unknown[] } {
  const chat = parts.map((p) => (isObj(p) && isText(p) && typeof p[field] === 'string' ? { type: 'text', text: p[field] } : other(p)));
  return {
    parts: chat,
    write(compressed) {
      if (!Array.isArray(compressed)) return [...parts];
      return parts.map((p, k) => {
        const c: unknown = compressed[k];
        return c !== chat[k] && isObj(c) && typeof c['text'] === 'string' ? { ...(p as Obj), [field]: c['text'] } : p;
      });
    },
  };
}
