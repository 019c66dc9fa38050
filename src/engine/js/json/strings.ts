// JSON string spelling (twin of json/strings.rs): decoding escapes, and writing strings for
// compact JSON (the spelling `JSON.stringify` uses) and for TOON (its quoting rules and five
// escapes plus `\u00XX`).

function hex4(s: string, i: number): number {
  const v = Number.parseInt(s.slice(i, i + 4), 16);
  return Number.isNaN(v) ? 0 : v;
}

/**
 * One step of escape decoding at `s[i] === '\\'`: the decoded text (a lone surrogate as a number)
 * and the index after the escape. Pairs of `\uD8xx\uDCxx` escapes decode together.
 */
function escapeAt(s: string, i: number): [string | number, number] {
  const c = s.charCodeAt(i + 1);
  switch (c) {
    case 34:
      return ['"', i + 2];
    case 92:
      return ['\\', i + 2];
    case 47:
      return ['/', i + 2];
    case 98:
      return ['\b', i + 2];
    case 102:
      return ['\f', i + 2];
    case 110:
      return ['\n', i + 2];
    case 114:
      return ['\r', i + 2];
    case 116:
      return ['\t', i + 2];
    case 117: {
      const unit = hex4(s, i + 2);
      if (unit >= 0xd800 && unit < 0xdc00 && s.charCodeAt(i + 6) === 92 && s.charCodeAt(i + 7) === 117) {
        const low = hex4(s, i + 8);
        if (low >= 0xdc00 && low < 0xe000) return [String.fromCharCode(unit, low), i + 12];
      }
      if (unit >= 0xd800 && unit <= 0xdfff) return [unit, i + 6];
      return [String.fromCharCode(unit), i + 6];
    }
    default:
      return ['\\', i + 2];
  }
}

/** The value of a raw JSON string's contents (between the quotes); lone surrogate escapes → U+FFFD. */
export function decode(inner: string): string {
  const first = inner.indexOf('\\');
  if (first < 0) return inner;
  let out = inner.slice(0, first);
  let i = first;
  while (i < inner.length) {
    if (inner.charCodeAt(i) === 92) {
      const [ch, next] = escapeAt(inner, i);
      out += typeof ch === 'number' ? '\uFFFD' : ch;
      i = next;
    } else {
      let run = inner.indexOf('\\', i);
      if (run < 0) run = inner.length;
      out += inner.slice(i, run);
      i = run;
    }
  }
  return out;
}

/** Whether a raw string's contents have a `\uD800`–`\uDFFF` escape that is not half of a pair. */
export function hasLoneSurrogate(inner: string): boolean {
  let i = 0;
  while (i < inner.length) {
    if (inner.charCodeAt(i) === 92) {
      const [ch, next] = escapeAt(inner, i);
      if (typeof ch === 'number') return true;
      i = next;
    } else {
      i++;
    }
  }
  return false;
}

function uEscape(unit: number): string {
  return '\\u' + unit.toString(16).padStart(4, '0');
}

/** `c` (one code unit or pair) as `JSON.stringify` spells it inside a string. */
function jsonChar(c: string): string {
  switch (c) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return c.length === 1 && c.charCodeAt(0) < 0x20 ? uEscape(c.charCodeAt(0)) : c;
  }
}

/**
 * A raw JSON string (quotes included) in compact spelling: unchanged when it has no escapes,
 * otherwise re-escaped as `JSON.stringify` would (lone surrogate escapes stay escapes).
 */
export function jsonRaw(raw: string, escaped: boolean): string {
  if (!escaped) return raw;
  const inner = raw.slice(1, -1);
  let out = '"';
  let i = 0;
  while (i < inner.length) {
    if (inner.charCodeAt(i) === 92) {
      const [ch, next] = escapeAt(inner, i);
      out += typeof ch === 'number' ? uEscape(ch) : jsonChar(ch);
      i = next;
    } else {
      let run = inner.indexOf('\\', i);
      if (run < 0) run = inner.length;
      out += inner.slice(i, run);
      i = run;
    }
  }
  return out + '"';
}

const JSON_SPECIAL = /["\\\u0000-\u001f]/;

/** Any string value as a JSON string. */
export function jsonValue(value: string): string {
  if (!JSON_SPECIAL.test(value)) return '"' + value + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 || c === 92 || c < 0x20) {
      out += value.slice(start, i) + jsonChar(value[i]!);
      start = i + 1;
    }
  }
  return out + value.slice(start) + '"';
}

/** `/^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i`: strings a TOON reader could take for a number. */
const NUMERIC_LIKE = /^[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const TOON_UNSAFE = /[\u0000-\u001f:"\\[\]{},]/;

/** TOON §7.2: whether a string value may appear without quotes (document delimiter: comma). */
export function toonSafeUnquoted(v: string): boolean {
  if (v.length === 0) return false;
  const first = v.charCodeAt(0);
  const last = v.charCodeAt(v.length - 1);
  if (first === 32 || first === 9 || first === 45 || first === 35 || last === 32 || last === 9) return false;
  if (v === 'true' || v === 'false' || v === 'null' || NUMERIC_LIKE.test(v)) return false;
  return !TOON_UNSAFE.test(v);
}

const TOON_ESCAPE = /[\\"\u0000-\u001f]/;

/** `v` TOON-quoted: `\\ \" \n \r \t` and `\u00XX` for other control characters. */
export function toonQuoted(v: string): string {
  if (!TOON_ESCAPE.test(v)) return '"' + v + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    let esc: string;
    if (c === 92) esc = '\\\\';
    else if (c === 34) esc = '\\"';
    else if (c === 10) esc = '\\n';
    else if (c === 13) esc = '\\r';
    else if (c === 9) esc = '\\t';
    else if (c < 0x20) esc = uEscape(c);
    else continue;
    out += v.slice(start, i) + esc;
    start = i + 1;
  }
  return out + v.slice(start) + '"';
}

/** A string value for TOON, quoted only when it must be. */
export function toonString(v: string): string {
  return toonSafeUnquoted(v) ? v : toonQuoted(v);
}

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** A key for TOON: bare when it matches `^[A-Za-z_][A-Za-z0-9_.]*$`, else quoted. */
export function toonKey(k: string): string {
  return BARE_KEY.test(k) ? k : toonQuoted(k);
}
