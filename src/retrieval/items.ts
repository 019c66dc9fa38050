// The array items of a JSON block, as a retrieval query sees it: each with its path and its exact
// span in the original text (values are shown as they were written, never parsed and printed
// again). One pass with an explicit stack, so nesting depth costs nothing; paths are linked nodes,
// spelled out only for the items shown.

/** One array item of a JSON text. */
export interface JsonItem {
  /** Start and end (exclusive) of the item's value in the text. */
  start: number;
  end: number;
  /** The item's path: `$[3]`, `$.data.items[12]`. */
  path(): string;
}

interface PathNode {
  parent: PathNode | undefined;
  segment: string;
}

interface Frame {
  array: boolean;
  node: PathNode;
  /** Arrays: index of the next item. */
  index: number;
  /** Objects: the path node of the current member's value. */
  member: PathNode | undefined;
  /** Arrays: the start of the item being read. */
  itemStart: number;
  itemNode: PathNode | undefined;
  /** Start of the innermost array item this container is inside (-1: none). */
  within: number;
}

interface Scanned {
  start: number;
  end: number;
  node: PathNode;
  /** Start of the array item this item is nested in (-1: none). */
  within: number;
}

const ROOT: PathNode = { parent: undefined, segment: '$' };

/**
 * The items a query looks through: the items of the outermost arrays, where an item larger than
 * `itemChars` that holds arrays of its own is replaced by their items (repeatedly), so a match
 * shows a record, not a whole response. Undefined when `text` is not JSON or holds no array.
 */
export function jsonItems(text: string, itemChars: number): JsonItem[] | undefined {
  const scanned = scan(text);
  if (scanned === undefined || scanned.length === 0) return undefined;
  const children = new Map<number, Scanned[]>();
  for (const s of scanned) {
    const list = children.get(s.within);
    if (list === undefined) children.set(s.within, [s]);
    else list.push(s);
  }
  const units: Scanned[] = [];
  const pending = [...(children.get(-1) ?? [])];
  while (pending.length > 0) {
    const item = pending.pop()!;
    const inner = children.get(item.start);
    if (item.end - item.start > itemChars && inner !== undefined) pending.push(...inner);
    else units.push(item);
  }
  units.sort((a, b) => a.start - b.start);
  return units.map((u) => ({ start: u.start, end: u.end, path: () => spell(u.node) }));
}

/** Every array item of `text` in order of its end, or undefined when `text` is not JSON. */
function scan(text: string): Scanned[] | undefined {
  const items: Scanned[] = [];
  const stack: Frame[] = [];
  let pos = skipSpace(text, 0);
  let done = false;
  // Where the value about to be read sits: its path and the item it is inside.
  const place = (): { node: PathNode; within: number } => {
    const top = stack.at(-1);
    if (top === undefined) return { node: ROOT, within: -1 };
    if (top.array) return { node: top.itemNode!, within: top.itemStart };
    return { node: top.member!, within: top.within };
  };
  const beginValue = (): void => {
    const top = stack.at(-1);
    if (top?.array === true) {
      top.itemStart = pos;
      top.itemNode = { parent: top.node, segment: `[${top.index}]` };
    }
  };
  /** A value just ended at `pos`: record it if it is an array item. */
  const endValue = (): void => {
    const top = stack.at(-1);
    if (top?.array === true) {
      items.push({ start: top.itemStart, end: pos, node: top.itemNode!, within: top.within });
      top.index++;
    }
  };

  while (!done) {
    if (pos >= text.length) return undefined;
    // A value.
    beginValue();
    const c = text.charCodeAt(pos);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const { node, within } = place();
      const array = c === 0x5b;
      const frame: Frame = { array, node, index: 0, member: undefined, itemStart: -1, itemNode: undefined, within };
      stack.push(frame);
      pos = skipSpace(text, pos + 1);
      const closer = array ? 0x5d : 0x7d;
      if (text.charCodeAt(pos) === closer) {
        stack.pop();
        pos++;
      } else {
        if (!array) {
          const key = readKey(text, pos, frame);
          if (key === undefined) return undefined;
          pos = key;
        }
        continue;
      }
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, pos);
      if (end < 0) return undefined;
      pos = end;
    } else {
      const end = scalarEnd(text, pos);
      if (end === pos) return undefined;
      pos = end;
    }
    // After a value: close containers, then a comma (next value) or the end.
    for (;;) {
      endValue();
      pos = skipSpace(text, pos);
      const top = stack.at(-1);
      if (top === undefined) {
        if (pos !== text.length) return undefined;
        done = true;
        break;
      }
      const d = text.charCodeAt(pos);
      if (d === 0x2c /* , */) {
        pos = skipSpace(text, pos + 1);
        if (!top.array) {
          const key = readKey(text, pos, top);
          if (key === undefined) return undefined;
          pos = key;
        }
        break;
      }
      if (d !== (top.array ? 0x5d : 0x7d)) return undefined;
      stack.pop();
      pos++;
    }
  }
  return items;
}

/** Reads `"key":` at `pos` into `frame.member`; the position after the colon and spaces. */
function readKey(text: string, pos: number, frame: Frame): number | undefined {
  if (text.charCodeAt(pos) !== 0x22) return undefined;
  const end = stringEnd(text, pos);
  if (end < 0) return undefined;
  let key = text.slice(pos + 1, end - 1);
  if (key.includes('\\')) {
    try {
      key = JSON.parse(text.slice(pos, end)) as string;
    } catch {
      return undefined;
    }
  }
  frame.member = { parent: frame.node, segment: /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]` };
  const colon = skipSpace(text, end);
  if (text.charCodeAt(colon) !== 0x3a) return undefined;
  return skipSpace(text, colon + 1);
}

/** The position after the string that opens at `pos`, or -1. */
function stringEnd(text: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let j = q - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** The end of a number or literal at `pos`. */
function scalarEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && /[A-Za-z0-9+\-.]/.test(text[i]!)) i++;
  return i;
}

function skipSpace(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

function spell(node: PathNode): string {
  const parts: string[] = [];
  for (let n: PathNode | undefined = node; n !== undefined; n = n.parent) parts.push(n.segment);
  return parts.reverse().join('');
}

/** `text[start, end)` without the blanks between JSON tokens (strings kept as written). */
export function compactJson(text: string, start: number, end: number): string {
  let out = '';
  let from = start;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const close = stringEnd(text, i);
      i = close < 0 || close > end ? end : close;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      out += text.slice(from, i);
      i = skipSpace(text, i);
      from = i;
      continue;
    }
    i++;
  }
  return out + text.slice(from, end);
}
