// What makes a JSON value signal trouble (twin of json/signal.rs): error-named keys with a
// present value, non-2xx statuses, `ok: false`-style flags, non-zero exit codes, failing states
// and messages. A key name signals an error only when its value is present and not null, false,
// 0 or empty. Numbers written as strings (`"status": "503"`, `"exit_code": "1"`, `"errors": "0"`)
// count as the numbers they spell.

import { Signal, textSignal, words } from '../signal.js';
import { numberLike } from './columns.js';
import { Kind, NONE } from './tape.js';
import type { View } from './view.js';

/** Key words that name an error when the value is present (`error`, `failure_code`, `is_error`). */
const ERROR_KEY_WORDS = new Set([
  'crash', 'crashed', 'err', 'error', 'errors', 'exception', 'exceptions', 'failed', 'failure', 'failures',
  'fatal', 'fault', 'faults', 'panic', 'stacktrace', 'traceback',
]);

/** Last key words that make an error-named key a setting, not an occurrence. */
const SETTING_WORDS = new Set([
  'action', 'actions', 'behavior', 'behaviour', 'config', 'configuration', 'enabled', 'handler', 'handling',
  'interval', 'limit', 'limits', 'mode', 'ms', 'period', 'policies', 'policy', 'retries', 'retry', 'seconds',
  'strategy', 'template', 'threshold', 'thresholds', 'timeout', 'uri', 'url',
]);

/** Last key words whose string value states an outcome (`state: "failed"`, `level: "warn"`). */
const STATE_WORDS = new Set([
  'conclusion', 'health', 'level', 'message', 'msg', 'outcome', 'phase', 'reason', 'result', 'severity',
  'state', 'status', 'stderr',
]);

/** Keys whose `false` means something failed. */
const SUCCESS_KEYS = new Set(['healthy', 'ok', 'passed', 'succeeded', 'success', 'successful']);

/** Whether a number's text denotes zero. */
function numberIsZero(text: string): boolean {
  return /^[-0.]*$/.test(text.split(/[eE]/)[0]!);
}

/** An integer value 100–599 (a number without fraction or exponent, or a string of three digits). */
function httpStatus(view: View, i: number): number | undefined {
  const k = view.kind(i);
  const t = view.tape;
  let text: string;
  if (k === Kind.Number) text = t.text.slice(t.start[i]!, t.end[i]!);
  else if (k === Kind.String) text = view.string(i);
  else return undefined;
  if (!/^[0-9]{3}$/.test(text)) return undefined;
  const v = Number(text);
  return v >= 100 && v < 600 ? v : undefined;
}

/** The text of a number, or of a string that spells a plain number. */
function numberText(view: View, i: number): string | undefined {
  const k = view.kind(i);
  const t = view.tape;
  if (k === Kind.Number) return t.text.slice(t.start[i]!, t.end[i]!);
  if (k !== Kind.String) return undefined;
  const s = view.string(i);
  return numberLike(s) ? s : undefined;
}

/** Whether a value is present: not null, false, 0 (or "0"), "" or an empty container. */
function present(view: View, i: number): boolean {
  const t = view.tape;
  switch (view.kind(i)) {
    case Kind.Null:
    case Kind.False:
      return false;
    case Kind.True:
      return true;
    case Kind.Number:
    case Kind.String: {
      const x = numberText(view, i);
      return x !== undefined ? !numberIsZero(x) : t.end[i]! - t.start[i]! > 2;
    }
    default:
      return t.count[i]! > 0;
  }
}

/** What a key name says about its value, worked out once per distinct key. */
export interface KeyClass {
  error: boolean;
  /** Has the word `status`, or is a `code`, `http_code` or `response_code`: non-2xx signals. */
  status: boolean;
  success: boolean;
  exit: boolean;
  state: boolean;
}

/** Classifies a key name. */
export function keyClass(key: string): KeyClass {
  const w = [...words(key)];
  const last = w[w.length - 1];
  if (last === undefined) return { error: false, status: false, success: false, exit: false, state: false };
  const beforeLast = w.length >= 2 ? w[w.length - 2] : undefined;
  return {
    error: w.some((x) => ERROR_KEY_WORDS.has(x)) && !SETTING_WORDS.has(last),
    status:
      w.some((x) => x === 'status' || x === 'statuscode') ||
      (last === 'code' && (w.length === 1 || beforeLast === 'http' || beforeLast === 'response')),
    success: w.length === 1 && SUCCESS_KEYS.has(last),
    exit:
      (beforeLast === 'exit' && (last === 'code' || last === 'status')) ||
      (beforeLast === 'return' && last === 'code') ||
      (w.length === 1 && (last === 'returncode' || last === 'rc')),
    state: STATE_WORDS.has(last),
  };
}

/** `textSignal` of texts seen before, remembered: states and tags repeat across items. */
export class TextSignals {
  private readonly seen = new Map<string, Signal>();

  get(text: string): Signal {
    // Numbers written as strings (metric samples) have no words and are rarely repeated.
    if (numberLike(text)) return Signal.None;
    let s = this.seen.get(text);
    if (s === undefined) {
      s = textSignal(text);
      this.seen.set(text, s);
    }
    return s;
  }
}

/** The signal of a value under a key of class `c`. */
export function valueSignal(view: View, i: number, c: KeyClass, texts: TextSignals): Signal {
  const kind = view.kind(i);
  if (c.error && present(view, i)) return Signal.Error;
  if (c.status) {
    const s = httpStatus(view, i);
    if (s !== undefined) return s >= 200 && s <= 299 ? Signal.None : s >= 400 ? Signal.Error : Signal.Warning;
  }
  if (c.success && kind === Kind.False) return Signal.Error;
  if (c.exit) {
    const x = numberText(view, i);
    if (x !== undefined && !numberIsZero(x)) return Signal.Error;
  }
  if (c.state && kind === Kind.String) return texts.get(view.string(i));
  return Signal.None;
}

/**
 * The signal a node carries by its own key and value, with `classes` holding each distinct key's
 * class by key id, worked out on first use (array string elements: by their text).
 */
export function ownSignal(view: View, i: number, classes: Array<KeyClass | undefined>, texts: TextSignals): Signal {
  const t = view.tape;
  const id = t.keyId[i]!;
  if (id !== NONE) return valueSignal(view, i, (classes[id] ??= keyClass(view.key(i))), texts);
  const parent = t.parent[i]!;
  if (view.kind(i) === Kind.String && parent !== NONE && view.kind(parent) === Kind.Array) return texts.get(view.string(i));
  return Signal.None;
}
