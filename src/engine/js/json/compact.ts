// Compact JSON (twin of json/compact.rs): no insignificant whitespace, numbers as written,
// strings in `JSON.stringify` spelling, duplicate keys kept. Iterative, so depth costs nothing.

import { jsonRaw, jsonValue } from './strings.js';
import { KEY_ESCAPED, Kind, rawKey } from './tape.js';
import type { Entry, View } from './view.js';

/** An open container: its plan entries (walked by position) or its tape children (by node). */
interface Frame {
  entries: Entry[] | undefined;
  at: number;
  end: number;
  obj: boolean;
  first: boolean;
}

/** Writes the document (or its lossy view) as compact JSON. */
export function write(view: View): string {
  const t = view.tape;
  const text = t.text;
  let out = '';
  const stack: Frame[] = [];
  let pending: Entry | undefined = 0;
  for (;;) {
    if (pending !== undefined) {
      const child: Entry = pending;
      pending = undefined;
      if (typeof child === 'string') {
        out += jsonValue(child);
      } else {
        const k = t.kind[child]!;
        if (k === Kind.Array || k === Kind.Object) {
          const obj = k === Kind.Object;
          out += obj ? '{' : '[';
          const entries = view.plan?.arrays.get(child);
          if (entries !== undefined) stack.push({ entries, at: 0, end: entries.length, obj, first: true });
          else stack.push({ entries, at: t.count[child]! > 0 ? child + 1 : t.next[child]!, end: t.next[child]!, obj, first: true });
        } else if (k === Kind.String) {
          const cut = view.cut(child);
          out += cut !== undefined ? jsonValue(cut) : jsonRaw(text.slice(t.start[child]!, t.end[child]!), view.escaped(child));
        } else {
          out += text.slice(t.start[child]!, t.end[child]!);
        }
      }
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (top.at < top.end) {
      let child: Entry;
      if (top.entries !== undefined) child = top.entries[top.at++]!;
      else {
        child = top.at;
        top.at = t.next[top.at]!;
      }
      if (!top.first) out += ',';
      top.first = false;
      if (top.obj && typeof child === 'number') {
        out += jsonRaw(rawKey(t, child) ?? '""', (t.flags[child]! & KEY_ESCAPED) !== 0) + ':';
      }
      pending = child;
    } else {
      out += top.obj ? '}' : ']';
      stack.pop();
    }
  }
  return out;
}
