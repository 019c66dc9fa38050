// Compact JSON (twin of json/compact.rs): no insignificant whitespace, numbers as written,
// strings in `JSON.stringify` spelling, duplicate keys kept. Iterative, so depth costs nothing.

import { TextBuffer } from './buffer.js';
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
  return writePrefix(view, Infinity);
}

/** Writes compact JSON until at least `limit` UTF-8 bytes are written (a sample of a large document). */
export function writePrefix(view: View, limit: number): string {
  const t = view.tape;
  const text = t.text;
  const out = new TextBuffer(Math.min(text.length, limit) + 64);
  // UTF-8 bytes written, tracked only for a sample (it matches the Rust writer's `out.len()`).
  const limited = limit !== Infinity;
  let bytes = 0;
  let counted = 0;
  const stack: Frame[] = [];
  let pending: Entry | undefined = 0;
  for (;;) {
    if (pending !== undefined) {
      const child: Entry = pending;
      pending = undefined;
      if (typeof child === 'string') {
        out.add(jsonValue(child));
      } else {
        const k = t.kind[child]!;
        if (k === Kind.Array || k === Kind.Object) {
          const obj = k === Kind.Object;
          out.addCode(obj ? 123 : 91);
          const entries = view.plan?.arrays.get(child);
          if (entries !== undefined) stack.push({ entries, at: 0, end: entries.length, obj, first: true });
          else stack.push({ entries, at: t.count[child]! > 0 ? child + 1 : t.next[child]!, end: t.next[child]!, obj, first: true });
        } else if (k === Kind.String) {
          const cut = view.cut(child);
          if (cut !== undefined) out.add(jsonValue(cut));
          else if (view.escaped(child)) out.add(jsonRaw(text.slice(t.start[child]!, t.end[child]!), true));
          else out.addSlice(text, t.start[child]!, t.end[child]!);
        } else {
          out.addSlice(text, t.start[child]!, t.end[child]!);
        }
      }
    }
    if (limited) {
      bytes += out.utf8Since(counted);
      counted = out.length;
      if (bytes >= limit) break;
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
      if (!top.first) out.addCode(44);
      top.first = false;
      if (top.obj && typeof child === 'number') {
        if ((t.flags[child]! & KEY_ESCAPED) !== 0) out.add(jsonRaw(rawKey(t, child) ?? '""', true));
        else out.addSlice(text, t.keyStart[child]!, t.keyEnd[child]!);
        out.addCode(58);
      }
      pending = child;
    } else {
      out.addCode(top.obj ? 125 : 93);
      stack.pop();
    }
  }
  return out.toString();
}
