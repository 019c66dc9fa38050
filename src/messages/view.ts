// A chat view of a conversation kept in another shape (the Responses API's input items, the AI
// SDK's prompt): OpenAI chat messages made from its items, compressed like any conversation, and
// the compressed text written back into copies of the very items it came from. Only what changed
// is copied; every other item, part and field is the caller's own object.

import { isObj, type Obj, type OpenAIMessage } from './types.js';

/** One item read as a chat message, and how a compressed copy of that message goes back into it. */
export interface ViewedItem<I> {
  message: OpenAIMessage;
  write(compressed: Obj): I;
}

export interface ChatView<I> {
  /** The chat messages, in item order (items with no chat form are left out). */
  messages: OpenAIMessage[];
  /** The items with each compressed message written back. */
  rebuild(compressed: readonly unknown[]): I[];
}

export function chatView<I>(items: readonly I[], read: (item: I) => ViewedItem<I> | undefined): ChatView<I> {
  const viewed: { at: number; item: ViewedItem<I> }[] = [];
  items.forEach((item, at) => {
    const v = read(item);
    if (v !== undefined) viewed.push({ at, item: v });
  });
  const messages = viewed.map((v) => v.item.message);
  return {
    messages,
    rebuild(compressed) {
      const out = [...items];
      compressed.forEach((m, i) => {
        if (m !== messages[i] && isObj(m)) out[viewed[i]!.at] = viewed[i]!.item.write(m);
      });
      return out;
    },
  };
}

/**
 * Content parts as chat `text` parts: `text` of each part `isText` accepts becomes a text part; any
 * other part passes as it is (never a compression candidate). `write` puts the compressed parts'
 * text back under `field` of copies of the parts that changed.
 */
export function textParts(
  parts: readonly unknown[],
  isText: (part: Obj) => boolean,
  field: string,
): { parts: unknown[]; write(compressed: unknown): unknown[] } {
  const chat = parts.map((p) => (isObj(p) && isText(p) && typeof p[field] === 'string' ? { type: 'text', text: p[field] } : p));
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
