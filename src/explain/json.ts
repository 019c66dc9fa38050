// Which items of a JSON block's arrays a lossy selection kept and which it left out, read back
// from the original and the compressed text. The original is parsed with the position of every
// value; the output (compact JSON, or TOON with its marker lines set aside) is decoded; then each
// array of the output is matched, item by item and in order, against the original array: values
// are never altered, so a kept item is a selection of its original (its own arrays may be
// shorter, a long string may be cut), and a marker string `[… N items omitted …]` stands for N.

import { decode } from '@toon-format/toon';
import { isMarker } from '../engine/js/marker.js';

/** A value of the original document and where its text is. */
export interface JsonNode {
  start: number;
  end: number;
  kind: 'object' | 'array' | 'string' | 'number' | 'literal';
  /** Scalars: the parsed value. */
  value?: unknown;
  /** Arrays: the items; objects: the member values, in order. */
  children?: JsonNode[];
  /** Objects: the member names, in order. */
  keys?: string[];
  /** `$`, `$.items`, `$.items[*].tags`: the JSON path with array indices as `[*]` (as the engine names arrays). */
  path: string;
  /** `$.items[3].tags`: the path to this very value. */
  at: string;
}

/** A run of dropped items of one array. */
export interface OmittedRun {
  array: JsonNode;
  from: number;
  to: number;
  /** The marker that stands for the run, when one could be placed. */
  marker: string | undefined;
}

export interface JsonAlignment {
  root: JsonNode;
  /** Items kept in arrays that lost some: [array, index]. */
  kept: Array<[JsonNode, number]>;
  omitted: OmittedRun[];
  /** Strings cut to a prefix. */
  cut: JsonNode[];
  /** Markers of the output, in order. */
  markers: string[];
}

const ITEMS_OMITTED = /^\[… (\d+) items? omitted/;
const STRING_CUT = /\[… string cut: \d+ bytes in full …\]$/;

/** Parses JSON text into nodes with positions; undefined when it is not one JSON value. No recursion on depth. */
export function parseWithPositions(text: string): JsonNode | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const stringEnd = (from: number): number => {
    let j = from + 1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 0x22) return j + 1;
      j += c === 0x5c ? 2 : 1;
    }
    return -1;
  };
  interface Frame {
    node: JsonNode;
    key: string | undefined;
  }
  const stack: Frame[] = [];
  let root: JsonNode | undefined;
  let pendingKey: string | undefined;

  /** The generic and the concrete path of the next value. */
  const childPath = (): [string, string] => {
    const top = stack[stack.length - 1];
    if (top === undefined) return ['$', '$'];
    const { path: p, at } = top.node;
    if (top.node.kind === 'array') return [`${p}[*]`, `${at}[${top.node.children!.length}]`];
    const key = pendingKey ?? '';
    const step = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    return [p + step, at + step];
  };
  const attach = (node: JsonNode): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      root = node;
      return;
    }
    top.node.children!.push(node);
    if (top.node.kind === 'object') top.node.keys!.push(pendingKey ?? '');
    pendingKey = undefined;
  };

  try {
    ws();
    for (;;) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.node.kind === 'object' && pendingKey === undefined) {
        // A member name, or the end of the object.
        ws();
        if (text[i] === '}') {
          top.node.end = ++i;
          stack.pop();
        } else {
          if (text[i] === ',') i++, ws();
          if (text[i] !== '"') return undefined;
          const end = stringEnd(i);
          if (end < 0) return undefined;
          pendingKey = JSON.parse(text.slice(i, end)) as string;
          i = end;
          ws();
          if (text[i++] !== ':') return undefined;
          ws();
          continue;
        }
      } else if (top !== undefined && top.node.kind === 'array' && (text[i] === ']' || text[i] === ',')) {
        if (text[i] === ']') {
          top.node.end = ++i;
          stack.pop();
        } else {
          i++;
          ws();
          continue;
        }
      } else {
        const c = text[i];
        const start = i;
        const [path, at] = childPath();
        if (c === '{' || c === '[') {
          const node: JsonNode = { start, end: start, kind: c === '{' ? 'object' : 'array', children: [], path, at };
          if (c === '{') node.keys = [];
          attach(node);
          stack.push({ node, key: undefined });
          i++;
          ws();
          if (c === '[' && text[i] === ']') {
            node.end = ++i;
            stack.pop();
          }
        } else if (c === '"') {
          const end = stringEnd(i);
          if (end < 0) return undefined;
          attach({ start, end, kind: 'string', value: JSON.parse(text.slice(i, end)), path, at });
          i = end;
        } else {
          const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
          if (m === null) return undefined;
          const raw = m[0];
          attach({ start, end: i + raw.length, kind: /^[-\d]/.test(raw) ? 'number' : 'literal', value: JSON.parse(raw), path, at });
          i += raw.length;
        }
      }
      ws();
      if (stack.length === 0) break;
    }
  } catch {
    return undefined;
  }
  return i === text.length ? root : undefined;
}

/** The compressed block as a value, with the marker lines TOON writes outside its tables. */
function decodeOutput(compressed: string): { value: unknown; lineMarkers: string[] } | undefined {
  try {
    return { value: JSON.parse(compressed), lineMarkers: [] };
  } catch {
    // Not JSON: TOON.
  }
  const lineMarkers: string[] = [];
  const rest = compressed.split('\n').filter((l) => {
    if (!isMarker(l.trim())) return true;
    // A reduced array's `[… 19 of 600 items shown …]` line stands for no run of its own.
    if (ITEMS_OMITTED.test(l.trim())) lineMarkers.push(l.trim());
    return false;
  });
  try {
    return { value: decode(rest.join('\n')), lineMarkers };
  } catch {
    try {
      return { value: decode(rest.join('\n'), { strict: false }), lineMarkers };
    } catch {
      return undefined;
    }
  }
}

/** Deep matching gives up below this depth (the output is then not mapped). */
const MAX_DEPTH = 500;

/** Whether `v` (from the output) is `o` or a selection of it. */
function selects(o: JsonNode, v: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) throw new RangeError('too deep to map');
  switch (o.kind) {
    case 'string':
      if (typeof v !== 'string') return false;
      if (v === o.value) return true;
      return STRING_CUT.test(v) && (o.value as string).startsWith(v.replace(STRING_CUT, ''));
    case 'number':
    case 'literal':
      return v === o.value;
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const entries = Object.entries(v);
      if (entries.length > o.keys!.length) return false;
      return entries.every(([k, x]) => {
        const at = o.keys!.lastIndexOf(k);
        return at >= 0 && selects(o.children![at]!, x, depth + 1);
      });
    }
    case 'array':
      return Array.isArray(v) && walkArray(o, v, depth, undefined);
  }
}

/**
 * Matches an output array against its original in order; with `record`, notes kept items,
 * dropped runs and cut strings (of the matched items too). False when `v` is not a selection.
 */
function walkArray(o: JsonNode, v: readonly unknown[], depth: number, record: JsonAlignment | undefined): boolean {
  const items = o.children!;
  let i = 0;
  const runs: OmittedRun[] = [];
  const kept: number[] = [];
  for (const e of v) {
    const marker = typeof e === 'string' && isMarker(e) ? ITEMS_OMITTED.exec(e) : null;
    if (marker !== null) {
      const n = Math.min(Number(marker[1]), items.length - i);
      runs.push({ array: o, from: i, to: i + n, marker: e as string });
      i += n;
      continue;
    }
    let j = i;
    while (j < items.length && !selects(items[j]!, e, depth + 1)) j++;
    if (j === items.length) return false;
    if (j > i) runs.push({ array: o, from: i, to: j, marker: undefined });
    kept.push(j);
    i = j + 1;
  }
  if (i < items.length) runs.push({ array: o, from: i, to: items.length, marker: undefined });
  if (record !== undefined) {
    if (runs.length > 0) {
      record.omitted.push(...runs);
      for (const k of kept) record.kept.push([o, k]);
    }
    let e = 0;
    for (const k of kept) {
      while (typeof v[e] === 'string' && isMarker(v[e] as string) && ITEMS_OMITTED.test(v[e] as string)) e++;
      recordWithin(items[k]!, v[e++], depth + 1, record);
    }
  }
  return true;
}

/** Records what happened inside a value already known to match. */
function recordWithin(o: JsonNode, v: unknown, depth: number, record: JsonAlignment): void {
  if (o.kind === 'array') walkArray(o, v as unknown[], depth, record);
  else if (o.kind === 'string' && v !== o.value) record.cut.push(o);
  else if (o.kind === 'object') {
    for (const [k, x] of Object.entries(v as object)) recordWithin(o.children![o.keys!.lastIndexOf(k)]!, x, depth + 1, record);
  }
}

/**
 * Aligns a JSON block's original with its compressed form; undefined when either cannot be read
 * or the output is not a selection of the original.
 */
export function alignJson(original: string, compressed: string): JsonAlignment | undefined {
  const root = parseWithPositions(original);
  const decoded = decodeOutput(compressed);
  if (root === undefined || decoded === undefined) return undefined;
  const record: JsonAlignment = { root, kept: [], omitted: [], cut: [], markers: [] };
  try {
    if (!selects(root, decoded.value, 0)) return undefined;
    recordWithin(root, decoded.value, 0, record);
  } catch {
    return undefined;
  }
  // Dropped runs with no marker string of their own take TOON's marker lines, in document order.
  record.omitted.sort((a, b) => a.array.children![a.from]!.start - b.array.children![b.from]!.start);
  const lines = [...decoded.lineMarkers];
  for (const run of record.omitted) if (run.marker === undefined) run.marker = lines.shift();
  record.markers = record.omitted.flatMap((r) => (r.marker === undefined ? [] : [r.marker]));
  return record;
}
