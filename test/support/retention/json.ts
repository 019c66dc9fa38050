// Retention of JSON needles (see ../shared/corpus/README.md): a needle is an item (an exchange,
// a record) named by its identifying values; it counts as present when one object of the output
// has all of them as fields. Outputs are read structurally (compact JSON, or TOON with its
// omission-marker lines removed), so marker text never counts as a needle's value.
import { decode as decodeToon } from '@toon-format/toon';

export type JsonScalar = string | number | boolean | null;

/** An item to look for: its identifying fields (key → value), all in one object. */
export interface JsonNeedle {
  fields: Record<string, JsonScalar>;
  /** Error-class needles must all survive. */
  error: boolean;
}

const MARKER = /^\[….*…\]$/s;
/** A string that ends in a marker: a cut string's kept prefix and its marker. */
const CUT = /\[…[^\n]*…\]$/s;

/** Whether a string value (or a line) is an omission marker. */
export function isMarker(text: string): boolean {
  return MARKER.test(text);
}

/** The kept prefix of a cut string, or undefined when `s` is not cut. */
export function cutPrefix(s: string): string | undefined {
  if (isMarker(s)) return undefined;
  const m = CUT.exec(s);
  return m === null ? undefined : s.slice(0, m.index);
}

/**
 * Decodes a compressed JSON block: JSON text as is, otherwise TOON after removing its bare
 * marker lines (markers in tables and lists are lines outside the header's count).
 */
export function decodeOutput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const lines = text.split('\n').filter((l) => !isMarker(l.trim()));
    return decodeToon(lines.join('\n'));
  }
}

/** Whether `value` (anything JSON-like) has an object with all the needle's fields. */
export function needlePresent(value: unknown, needle: JsonNeedle): boolean {
  const wanted = Object.entries(needle.fields);
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      stack.push(...v);
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (wanted.every(([k, want]) => Object.hasOwn(o, k) && matches(o[k], want))) return true;
      stack.push(...Object.values(o));
    }
  }
  return false;
}

function matches(got: unknown, want: JsonScalar): boolean {
  if (typeof got === 'string' && isMarker(got)) return false;
  return got === want;
}

export interface Retention {
  present: number;
  total: number;
  errorPresent: number;
  errorTotal: number;
  missing: JsonNeedle[];
}

/** The share of needles present in a compressed output. */
export function jsonRetention(output: string, needles: readonly JsonNeedle[]): Retention {
  const value = decodeOutput(output);
  const r: Retention = { present: 0, total: needles.length, errorPresent: 0, errorTotal: 0, missing: [] };
  for (const n of needles) {
    const ok = needlePresent(value, n);
    if (n.error) r.errorTotal++;
    if (ok) {
      r.present++;
      if (n.error) r.errorPresent++;
    } else {
      r.missing.push(n);
    }
  }
  return r;
}

interface Exchange {
  method?: unknown;
  path?: unknown;
  status?: unknown;
}

/** The needles of an octokit fixture: each exchange by (method, path, status); 4xx/5xx are errors. */
export function octokitNeedles(fixture: unknown): JsonNeedle[] {
  if (!Array.isArray(fixture)) return [];
  const out: JsonNeedle[] = [];
  for (const e of fixture as Exchange[]) {
    if (typeof e.method !== 'string' || typeof e.path !== 'string' || typeof e.status !== 'number') continue;
    out.push({ fields: { method: e.method, path: e.path, status: e.status }, error: e.status >= 400 });
  }
  return out;
}
