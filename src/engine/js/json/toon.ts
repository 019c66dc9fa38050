// TOON (twin of json/toon.rs): the forms of the reference encoder `@toon-format/toon` (inline
// primitive arrays, tables with nested field groups, keyed tables, list items), with numbers
// keeping their original text. Documents TOON cannot carry exactly get no TOON form; in a lossy
// view, markers in tables and lists are bare lines outside the header's count, and a reduced
// array's header is followed by a marker line with its full count (see toon.rs).

import { jsonItemsInAll } from '../marker.js';
import { hasLoneSurrogate, toonKey, toonQuoted, toonSafeUnquoted, toonString } from './strings.js';
import { children, isContainer, Kind, NONE, NUMBER_CHECK, SURROGATE, rawKey, type Tape } from './tape.js';
import { View, type Entry } from './view.js';
import { TextBuffer } from './buffer.js';

/** Deeper documents get no TOON form: every level costs two spaces on every line below it. */
export const MAX_DEPTH = 64;

/** Whether TOON can carry this document's value exactly. */
export function eligible(t: Tape): boolean {
  if (t.maxDepth > MAX_DEPTH) return false;
  // For duplicate keys: the last object whose children used each key id.
  const lastObject = new Uint32Array(t.keys).fill(NONE);
  for (let i = 0; i < t.size; i++) {
    const f = t.flags[i]!;
    if ((f & SURROGATE) !== 0 && hasLone(t, i)) return false;
    const k = t.kind[i]!;
    if (k === Kind.Number && (f & NUMBER_CHECK) !== 0) {
      const v = Number(t.text.slice(t.start[i]!, t.end[i]!));
      if (!Number.isFinite(v) || Object.is(v, -0)) return false;
    }
    if (k === Kind.Object && t.count[i]! > 1) {
      const end = t.next[i]!;
      for (let c = i + 1; c < end; c = t.next[c]!) {
        const id = t.keyId[c]!;
        if (lastObject[id] === i) return false;
        lastObject[id] = i;
      }
    }
  }
  return true;
}

function hasLone(t: Tape, i: number): boolean {
  const lone = (raw: string): boolean => hasLoneSurrogate(raw.slice(1, -1));
  if (t.kind[i] === Kind.String && lone(t.text.slice(t.start[i]!, t.end[i]!))) return true;
  const k = rawKey(t, i);
  return k !== undefined && lone(k);
}

/** A column of a table: a key node (in the first row), and for a group, its sub-columns. */
interface Field {
  key: number;
  first: number;
  len: number;
}

/** The columns of a table: `fields[0..top]` are the top-level columns. */
interface Fields {
  fields: Field[];
  top: number;
}

/** The value of the field named like `keyNode` in object `obj`; `hint` is where it usually is. */
function lookup(view: View, obj: number, keyNode: number, hint: number): number | undefined {
  const t = view.tape;
  if (hint > obj && hint < t.next[obj]! && view.keyEq(hint, keyNode)) return hint;
  const end = t.next[obj]!;
  for (let c = t.count[obj]! > 0 ? obj + 1 : end; c < end; c = t.next[c]!) if (view.keyEq(c, keyNode)) return c;
  return undefined;
}

/** TOON's tabular test over `rows`, giving the columns. */
function tableFields(view: View, rows: number[]): Fields | undefined {
  const t = view.tape;
  const fields: Field[] = [];
  const work: [number | undefined, number[]][] = [];
  let top = 0;
  let current: [number | undefined, number[]] | undefined = [undefined, rows];
  for (;;) {
    const item: [number | undefined, number[]] | undefined = current ?? work.pop();
    current = undefined;
    if (item === undefined) break;
    const [owner, group] = item;
    const first = group[0];
    if (first === undefined) return undefined;
    const width = t.count[first]!;
    if (t.kind[first] !== Kind.Object || width === 0) return undefined;
    for (const r of group) if (t.kind[r] !== Kind.Object || t.count[r] !== width) return undefined;
    const start = fields.length;
    const keys = children(t, first);
    const hints = group.map((r) => r + 1);
    for (const k of keys) {
      let allScalar = true;
      let allObjects = true;
      const column: number[] = [];
      for (let j = 0; j < group.length; j++) {
        const v = lookup(view, group[j]!, k, hints[j]!);
        if (v === undefined) return undefined;
        hints[j] = t.next[v]!;
        const kind = t.kind[v]!;
        if (kind === Kind.Array) return undefined;
        if (kind === Kind.Object) {
          allScalar = false;
          allObjects &&= t.count[v]! > 0;
        } else {
          allObjects = false;
        }
        if (allObjects) column.push(v);
      }
      if (!allScalar && !allObjects) return undefined;
      fields.push({ key: k, first: 0, len: 0 });
      if (!allScalar) work.push([fields.length - 1, column]);
    }
    if (owner === undefined) top = fields.length;
    else {
      fields[owner]!.first = start;
      fields[owner]!.len = fields.length - start;
    }
  }
  return { fields, top };
}

const DIGIT = 0;
const LETTER = 1;
const OTHER = 2;

/** How a cell's TOON text opens, for the tokenizer (see `lead_with_word` in toon.rs). */
function lead(view: View, v: number): number {
  const t = view.tape;
  const kind = t.kind[v];
  let first: number;
  if (kind === Kind.Number) first = t.text.charCodeAt(t.start[v]!);
  else if (kind === Kind.String) {
    const s = view.string(v);
    if (!toonSafeUnquoted(s)) return OTHER;
    first = s.charCodeAt(0);
  } else if (kind === Kind.True || kind === Kind.False || kind === Kind.Null) return LETTER;
  else return OTHER;
  if (first >= 48 && first <= 57) return DIGIT;
  return (first | 32) >= 97 && (first | 32) <= 122 ? LETTER : OTHER;
}

/** Rows a moved column must save, net: the header's new key order may cost a few tokens. */
const MIN_GAIN = 4;

/**
 * Moves a top-level leaf column to the front when rows then open with a letter instead of a
 * digit often enough to save tokens (`MIN_GAIN` rows, net); the column saving most, the
 * earliest on ties. JSON gives key order no meaning.
 */
function leadWithWord(view: View, f: Fields, rows: number[]): void {
  const t = view.tape;
  const head = f.fields[0];
  if (head === undefined || head.len > 0) return;
  const leads = rows.map((r) => {
    const v = lookup(view, r, head.key, r + 1);
    return v !== undefined && lead(view, v) === DIGIT;
  });
  if (!leads.includes(true)) return;
  const gains = new Array<number>(f.top).fill(0);
  rows.forEach((r, j) => {
    const digit = leads[j]!;
    let hint = r + 1;
    for (let c = 0; c < f.top; c++) {
      const v = lookup(view, r, f.fields[c]!.key, hint);
      if (v === undefined) continue;
      hint = t.next[v]!;
      const l = lead(view, v);
      if (l === LETTER && digit) gains[c]!++;
      else if (l === DIGIT && !digit) gains[c]!--;
    }
  });
  let best = 0;
  for (let c = 1; c < f.top; c++) if (f.fields[c]!.len === 0 && gains[c]! >= MIN_GAIN && gains[c]! > gains[best]!) best = c;
  if (best > 0) f.fields.splice(0, best + 1, f.fields[best]!, ...f.fields.slice(0, best));
}

const EMPTY = 0;
const INLINE = 1;
const TABLE = 2;
const LIST = 3;
type Form = { form: typeof EMPTY | typeof INLINE | typeof LIST } | { form: typeof TABLE; fields: Fields };

/** Object fields as `key: value` lines, or array elements as list items. */
interface Task {
  list: boolean;
  entries: Entry[];
  at: number;
  depth: number;
}

class Writer {
  readonly out: TextBuffer;
  private lines = 0;
  constructor(readonly view: View) {
    this.out = new TextBuffer(view.tape.text.length);
  }

  line(depth: number): void {
    if (this.lines > 0) this.out.addCode(10);
    this.lines++;
    this.out.addSpaces(2 * depth);
  }

  key(i: number): void {
    this.out.add(toonKey(this.view.key(i)));
  }

  primitive(i: number): void {
    const t = this.view.tape;
    if (t.kind[i] === Kind.String) this.out.add(toonString(this.view.string(i)));
    else this.out.addSlice(t.text, t.start[i]!, t.end[i]!);
  }

  items(arr: number): number[] {
    return this.view.children(arr).filter((c): c is number => typeof c === 'number');
  }

  form(arr: number, tables: boolean): Form {
    const view = this.view;
    if (view.len(arr) === 0) return { form: EMPTY };
    if (view.children(arr).every((c) => typeof c === 'string' || !isContainer(view.kind(c)))) return { form: INLINE };
    if (tables) {
      const items = this.items(arr);
      if (items.every((i) => view.kind(i) === Kind.Object)) {
        const fields = tableFields(view, items);
        if (fields !== undefined) {
          leadWithWord(view, fields, items);
          return { form: TABLE, fields };
        }
      }
    }
    return { form: LIST };
  }

  /** A map of two or more uniform non-empty objects, as a keyed table. */
  keyed(obj: number): Fields | undefined {
    const t = this.view.tape;
    if (t.count[obj]! < 2) return undefined;
    const values = children(t, obj);
    if (!values.every((v) => t.kind[v] === Kind.Object && t.count[v]! > 0)) return undefined;
    return tableFields(this.view, values);
  }

  header(key: number | undefined, n: number, keyed: boolean, fields: Fields | undefined): void {
    if (key !== undefined) this.key(key);
    this.out.add('[' + String(n) + (keyed ? ':' : '') + ']');
    if (fields !== undefined) this.fieldList(fields);
    this.out.add(':');
  }

  fieldList(f: Fields): void {
    // [next field, end of its range, start of the range] per open group.
    const stack: [number, number, number][] = [[0, f.top, 0]];
    this.out.add('{');
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      if (top[0] >= top[1]) {
        stack.pop();
        this.out.add('}');
        continue;
      }
      const field = f.fields[top[0]]!;
      if (top[0] > top[2]) this.out.add(',');
      top[0]++;
      this.key(field.key);
      if (field.len > 0) {
        this.out.add('{');
        stack.push([field.first, field.first + field.len, field.first]);
      }
    }
  }

  /** One row: the leaves of `row` in column order. */
  row(f: Fields, row: number): void {
    const t = this.view.tape;
    // [next field, end of its range, object, hint] per open group.
    const stack: [number, number, number, number][] = [[0, f.top, row, row + 1]];
    let first = true;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      if (top[0] >= top[1]) {
        stack.pop();
        continue;
      }
      const field = f.fields[top[0]]!;
      top[0]++;
      const v = lookup(this.view, top[2], field.key, top[3]);
      if (v === undefined) continue;
      top[3] = t.next[v]!;
      if (field.len > 0) {
        stack.push([field.first, field.first + field.len, v, v + 1]);
        continue;
      }
      if (!first) this.out.add(',');
      first = false;
      this.primitive(v);
    }
  }

  rows(f: Fields, container: number, keyed: boolean, depth: number): void {
    for (const c of this.view.children(container)) {
      this.line(depth);
      if (typeof c === 'string') {
        this.out.add(c);
      } else {
        if (keyed) {
          this.key(c);
          this.out.add(': ');
        }
        this.row(f, c);
      }
    }
  }

  /** After the header (or the inline values) of an array that selection reduced: a marker line with its full count. */
  shownLine(arr: number, depth: number): void {
    if (this.view.plan?.arrays.has(arr) !== true) return;
    this.line(depth);
    this.out.add(jsonItemsInAll(this.view.tape.count[arr]!));
  }

  inlineValues(arr: number): void {
    let first = true;
    for (const c of this.view.children(arr)) {
      this.out.add(first ? ' ' : ',');
      first = false;
      if (typeof c === 'string') this.out.add(toonString(c));
      else this.primitive(c);
    }
  }

  /** `key: value`, `key:` + nested fields, or an array or keyed table under `key`. */
  field(c: number, depth: number): Task | undefined {
    const k = this.view.kind(c);
    if (k === Kind.Array) return this.array(c, c, depth);
    if (k === Kind.Object) {
      const f = this.keyed(c);
      if (f !== undefined) {
        this.line(depth);
        this.header(c, this.view.len(c), true, f);
        this.rows(f, c, true, depth + 1);
        return undefined;
      }
      this.line(depth);
      this.key(c);
      this.out.add(':');
      return this.view.len(c) > 0 ? { list: false, entries: this.view.children(c), at: 0, depth: depth + 1 } : undefined;
    }
    this.line(depth);
    this.key(c);
    this.out.add(': ');
    this.primitive(c);
    return undefined;
  }

  /** An array under `key` (or at the root) at `depth`. */
  array(key: number | undefined, arr: number, depth: number): Task | undefined {
    this.line(depth);
    const f = this.form(arr, true);
    switch (f.form) {
      case EMPTY:
        if (key !== undefined) {
          this.key(key);
          this.out.add(': ');
        }
        this.out.add('[]');
        return undefined;
      case INLINE:
        this.header(key, this.view.len(arr), false, undefined);
        this.inlineValues(arr);
        this.shownLine(arr, depth + 1);
        return undefined;
      case TABLE:
        this.header(key, this.items(arr).length, false, f.fields);
        this.shownLine(arr, depth + 1);
        this.rows(f.fields, arr, false, depth + 1);
        return undefined;
      case LIST:
        this.header(key, this.items(arr).length, false, undefined);
        this.shownLine(arr, depth + 1);
        return { list: true, entries: this.view.children(arr), at: 0, depth: depth + 1 };
    }
  }

  /** One list item; appends tasks (to run in order) for its nested lines. */
  item(c: Entry, depth: number, tasks: Task[]): void {
    if (typeof c === 'string') {
      this.line(depth);
      this.out.add(c);
      return;
    }
    const k = this.view.kind(c);
    if (k === Kind.Array) {
      this.line(depth);
      this.out.add('- ');
      const f = this.form(c, false);
      if (f.form === EMPTY || f.form === INLINE) {
        this.header(undefined, this.view.len(c), false, undefined);
        this.inlineValues(c);
        this.shownLine(c, depth + 1);
      } else {
        this.header(undefined, this.items(c).length, false, undefined);
        this.shownLine(c, depth + 1);
        tasks.push({ list: true, entries: this.view.children(c), at: 0, depth: depth + 1 });
      }
    } else if (k === Kind.Object) {
      this.objectItem(c, depth, tasks);
    } else {
      this.line(depth);
      this.out.add('- ');
      this.primitive(c);
    }
  }

  /** An object as a list item: its first field on the hyphen line, the rest one level deeper. */
  objectItem(obj: number, depth: number, tasks: Task[]): void {
    this.line(depth);
    const fields = this.view.children(obj);
    const f = fields[0];
    if (typeof f !== 'number') {
      this.out.add('-');
      return;
    }
    this.out.add('- ');
    let nested: Task | undefined;
    const k = this.view.kind(f);
    if (k === Kind.Array) {
      const form = this.form(f, true);
      switch (form.form) {
        case TABLE:
          this.header(f, this.items(f).length, false, form.fields);
          this.shownLine(f, depth + 2);
          this.rows(form.fields, f, false, depth + 2);
          break;
        case EMPTY:
          this.key(f);
          this.out.add(': []');
          break;
        case INLINE:
          this.header(f, this.view.len(f), false, undefined);
          this.inlineValues(f);
          this.shownLine(f, depth + 2);
          break;
        case LIST:
          this.header(f, this.items(f).length, false, undefined);
          this.shownLine(f, depth + 2);
          nested = { list: true, entries: this.view.children(f), at: 0, depth: depth + 2 };
          break;
      }
    } else if (k === Kind.Object) {
      const keyed = this.keyed(f);
      if (keyed !== undefined) {
        this.header(f, this.view.len(f), true, keyed);
        this.rows(keyed, f, true, depth + 2);
      } else {
        this.key(f);
        this.out.add(':');
        if (this.view.len(f) > 0) nested = { list: false, entries: this.view.children(f), at: 0, depth: depth + 2 };
      }
    } else {
      this.key(f);
      this.out.add(': ');
      this.primitive(f);
    }
    // The rest of the fields follow the first field's nested lines.
    tasks.push({ list: false, entries: fields, at: 1, depth: depth + 1 });
    if (nested !== undefined) tasks.push(nested);
  }
}

/** Writes the document (or its lossy view) as TOON; call only when `eligible` holds. */
export function write(view: View): string {
  const w = new Writer(view);
  const tasks: Task[] = [];
  const rootKind = view.kind(0);
  if (rootKind === Kind.Array) {
    const t = w.array(undefined, 0, 0);
    if (t !== undefined) tasks.push(t);
  } else if (rootKind === Kind.Object) {
    const f = w.keyed(0);
    if (f !== undefined) {
      w.line(0);
      w.header(undefined, view.len(0), true, f);
      w.rows(f, 0, true, 1);
    } else {
      tasks.push({ list: false, entries: view.children(0), at: 0, depth: 0 });
    }
  } else if (rootKind === Kind.String) {
    const v = view.string(0);
    w.out.add(v.startsWith('\uFEFF') ? toonQuoted(v) : toonString(v));
  } else {
    const t = view.tape;
    w.out.addSlice(t.text, t.start[0]!, t.end[0]!);
  }
  for (;;) {
    const task = tasks[tasks.length - 1];
    if (task === undefined) break;
    if (task.at >= task.entries.length) {
      tasks.pop();
      continue;
    }
    const c = task.entries[task.at++]!;
    if (task.list) {
      const nested: Task[] = [];
      w.item(c, task.depth, nested);
      tasks.push(...nested);
    } else if (typeof c === 'number') {
      const t = w.field(c, task.depth);
      if (t !== undefined) tasks.push(t);
    }
  }
  return w.out.toString();
}
