// What each log line is (twin of log/classify.rs): its leading timestamp (`timestamp`), level
// (`level`), whether it signals an error or warning (`signal`), belongs to a stack trace
// (`frames`), states a summary (`summary`) or opens a section. ASCII-only rules (PRODUCT §9).

import { isAlnum, isDigit } from '../chars.js';
import { isBlank } from '../lines.js';
import { queryHits } from '../query.js';
import { failurePhrase, httpStatusSignal, lineSignal, Signal } from '../signal.js';
import { poll } from '../stop.js';
import { frameShape, Shape } from './frames.js';
import { Level, levelOf, programLevel } from './level.js';
import { isSummary } from './summary.js';
import { timestampLen } from './timestamp.js';

/** What a line is, strongest first; everything but `Plain` is kept verbatim. */
export const Class = { Frame: 0, Error: 1, Warning: 2, Summary: 3, Query: 4, Outlier: 5, Plain: 6 } as const;
export type Class = (typeof Class)[keyof typeof Class];

/** Everything selection needs to know about one line. */
export interface LineInfo {
  /** Length of the leading timestamp (with the separator after it); ASCII, so bytes = units. */
  readonly ts: number;
  /** Blanks between the timestamp and the text. */
  readonly indent: number;
  /** Nothing but the timestamp and blanks. */
  readonly blank: boolean;
  readonly level: Level | undefined;
  readonly cls: Class;
  /** Opens a section (`##[group]`, `> Task :x`, banner lines). */
  readonly header: boolean;
  /** Belongs to the framing of an error block (set by `blocks`): kept verbatim, with it. */
  readonly framed: boolean;
}

/** Classifies every line; `terms` are the block's query terms. */
export function classifyAll(lines: readonly string[], terms: readonly string[]): LineInfo[] {
  const out: LineInfo[] = [];
  const shapes: Shape[] = [];
  // Logs repeat themselves: each distinct line is classified once.
  const seen = new Map<string, [LineInfo, Shape]>();
  for (const line of lines) {
    poll(line.length + 1);
    let c = seen.get(line);
    if (c === undefined) {
      c = classify(line, terms);
      seen.set(line, c);
    }
    out.push(c[0]); // shared between equal lines; the pass below replaces, never mutates
    shapes.push(c[1]);
  }
  programLevels(lines, out);
  // Shapes that depend on their neighbours: Python's source echo under `File "…", line N`
  // (and the caret line under it), Go's function line above its `file.go:N` line.
  for (let k = 0; k < out.length; k++) {
    if (shapes[k] === Shape.PyFile) {
      const base = out[k]!.indent;
      let j = k + 1;
      if (j < out.length && shapes[j] === Shape.None && out[j]!.indent > base) {
        out[j] = { ...out[j]!, cls: Class.Frame };
        j++;
        if (j < out.length && shapes[j] === Shape.Carets) out[j] = { ...out[j]!, cls: Class.Frame };
      }
    } else if (shapes[k] === Shape.GoFile && k > 0) {
      const prev = k - 1;
      if (shapes[prev] === Shape.GoFunc && out[prev]!.indent < out[k]!.indent) out[prev] = { ...out[prev]!, cls: Class.Frame };
    }
  }
  return out;
}

/**
 * Fewest lines a program name must lead, each followed by a level word, to count as a log's
 * source (prose has `the error …` now and then, npm's output has hundreds of `npm http …`).
 */
export const PROGRAM_MIN_LINES = 3;

/**
 * `npm silly …`, `npm http fetch …`, `gyp info …`: a lowercase program name, then a lowercase
 * level word. Gives such lines their level (and class) when the name leads enough of them.
 */
function programLevels(lines: readonly string[], out: LineInfo[]): void {
  const found: Array<[number, string, Level]> = [];
  for (let k = 0; k < lines.length; k++) {
    const li = out[k]!;
    if (li.level !== undefined || li.indent > 0) continue;
    const p = programLevel(li.ts > 0 ? lines[k]!.slice(li.ts) : lines[k]!);
    if (p !== undefined) found.push([k, p[0], p[1]]);
  }
  if (found.length < PROGRAM_MIN_LINES) return;
  const counts = new Map<string, number>();
  for (const [, name] of found) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [k, name, level] of found) {
    if ((counts.get(name) ?? 0) < PROGRAM_MIN_LINES) continue;
    const li = out[k]!;
    const upgraded = level === Level.Error || level === Level.Fatal ? Class.Error : level === Level.Warn ? Class.Warning : li.cls;
    if ((li.cls === Class.Plain || li.cls === Class.Summary || li.cls === Class.Query) && upgraded !== li.cls) {
      out[k] = { ...li, level, cls: upgraded, header: false };
    } else {
      out[k] = { ...li, level };
    }
  }
}

function classify(line: string, terms: readonly string[]): [LineInfo, Shape] {
  const ts = timestampLen(line);
  const msg = ts > 0 ? line.slice(ts) : line;
  let indent = 0;
  while (indent < msg.length && isBlank(msg.charCodeAt(indent))) indent++;
  const level = levelOf(msg, ts > 0);
  const u = indent > 0 ? msg.slice(indent) : msg;
  const shape = frameShape(u, indent);
  let cls: Class;
  if (shape === Shape.Frame || shape === Shape.PyFile || shape === Shape.GoFile) {
    cls = Class.Frame;
  } else {
    const line = lineSignal(msg);
    const http = httpStatusSignal(msg);
    const signal = line > http ? line : http;
    if (signal === Signal.Error || level === Level.Error || level === Level.Fatal || isPytestError(msg) || failurePhrase(msg)) cls = Class.Error;
    else if (signal === Signal.Warning || level === Level.Warn) cls = Class.Warning;
    else if (isSummary(msg)) cls = Class.Summary;
    else if (terms.length > 0 && queryHits(msg, terms) > 0) cls = Class.Query;
    else cls = Class.Plain;
  }
  const header = cls === Class.Plain && isHeader(u);
  return [{ ts, indent, blank: indent === msg.length, level, cls, header, framed: false }, shape];
}


/** pytest's failure detail lines: `E       assert 1 == 2`. */
function isPytestError(msg: string): boolean {
  if (!(msg.length > 3 && msg[0] === 'E' && msg[1] === ' ' && msg[2] === ' ')) return false;
  for (let i = 1; i < msg.length; i++) if (!isBlank(msg.charCodeAt(i))) return true;
  return false;
}

const HEADER_PREFIXES = ['##[group]', '::group::', '##[section]', '> Task :', '==> ', 'Step '];

/**
 * Lines that open a section: CI groups, build tool tasks, banners such as
 * `===== FAILURES =====` or `[INFO] --- maven-compiler-plugin:3.1:compile (default) @ app ---`.
 */
export function isHeader(u: string): boolean {
  for (const p of HEADER_PREFIXES) {
    if (u.startsWith(p)) return p !== 'Step ' || isDigit(u.charCodeAt(5));
  }
  let body = u;
  if (body[0] === '[') {
    // A short ASCII tag such as `[INFO]` before the banner.
    let close = -1;
    for (let i = 0; i < Math.min(12, body.length) && body.charCodeAt(i) < 0x80; i++) {
      if (body[i] === ']') {
        close = i;
        break;
      }
    }
    if (close >= 0) {
      body = body.slice(close + 1);
      let skip = 0;
      while (skip < body.length && isBlank(body.charCodeAt(skip))) skip++;
      body = body.slice(skip);
    }
  }
  if (body.length === 0) return false;
  const first = body[0]!;
  if (!'-=_*#~'.includes(first)) return false;
  let lead = 0;
  while (lead < body.length && body[lead] === first) lead++;
  let trail = 0;
  while (trail < body.length && body[body.length - 1 - trail] === first) trail++;
  if (!(lead >= 3 && trail >= 3 && lead < body.length)) return false;
  for (let i = lead; i < body.length - trail; i++) if (isAlnum(body.charCodeAt(i))) return true;
  return false;
}
