// What kind of content a block is (twin of detect.rs). Deterministic rules over a bounded prefix
// (the first `PREFIX_BYTES` UTF-8 bytes, cut at a character boundary, and at most `PREFIX_LINES`
// of its lines, normalised as the compressors see them); `code` and `text` pass through untouched.

import type { BlockKind } from '../types.js';
import { digitsAt, isAlpha, isDigit, trimSpaceTab, utf8Prefix } from './chars.js';
import { isDiff } from './diff.js';
import { isJson } from './json/index.js';
import { split, splitRaw } from './lines.js';
import { Look, looks } from './log.js';
import { isSeries } from './metrics.js';
import { form, type Form } from './opaque.js';
import { isSearch } from './search.js';

/** How much of a block detection reads. */
export const PREFIX_BYTES = 64 * 1024;
export const PREFIX_LINES = 400;
/** Shares (in percent of the non-empty prefix lines) of log and code lines the rules ask for. */
const LOG_SHARE = 30;
const CODE_SHARE = 30;

/** Detects the kind of a block. */
export function detect(content: string): BlockKind {
  // JSON: the whole block parses as one JSON value.
  if (isJson(content)) return 'json';
  return detectLines(content);
}

/** Detects the kind of a block known not to be JSON, from the lines of its prefix. */
export function detectLines(content: string): BlockKind {
  const prefix = utf8Prefix(content, PREFIX_BYTES);
  const raw = splitRaw(prefix).lines.slice(0, PREFIX_LINES);
  if (form(raw) !== undefined) return 'opaque';
  if (isDiff(raw)) return 'diff';
  // A metric series (`timestamp,value` rows) is compressed as a log of numbers.
  if (isSeries(raw)) return 'log';
  if (isSearch(raw)) return 'search';
  const normal = split(prefix).lines.slice(0, PREFIX_LINES);
  return logOrCode(normal);
}

/** The form of a block's opaque data (the block detects as `opaque` when there is one). */
export function opaqueForm(content: string): Form | undefined {
  return form(splitRaw(utf8Prefix(content, PREFIX_BYTES)).lines.slice(0, PREFIX_LINES));
}

function logOrCode(lines: readonly string[]): BlockKind {
  let log = 0;
  let code = 0;
  let nonempty = 0;
  const look = looks(lines);
  for (let k = 0; k < lines.length; k++) {
    if (look[k] === Look.Blank) continue;
    nonempty++;
    if (look[k] === Look.Log) log++;
    else if (codeShaped(trimSpaceTab(lines[k]!))) code++;
  }
  if (log >= 2 && log * 100 >= nonempty * LOG_SHARE && log > code) return 'log';
  if (code >= 2 && code * 100 >= nonempty * CODE_SHARE) return 'code';
  return 'text';
}

const CODE_KEYWORDS = new Set([
  '#define', '#import', '#include', 'async', 'await', 'case', 'catch', 'class', 'const', 'def', 'elif', 'else', 'enum',
  'except', 'export', 'finally', 'fn', 'for', 'from', 'func', 'function', 'if', 'impl', 'import', 'interface', 'let',
  'module', 'namespace', 'package', 'private', 'protected', 'pub', 'public', 'raise', 'return', 'static', 'struct',
  'switch', 'throw', 'trait', 'try', 'type', 'use', 'using', 'var', 'while', 'with', 'yield',
]);

/** Shapes of source code (and of numbered source listings). */
function codeShaped(u: string): boolean {
  if (u.length === 0) return false;
  if (u.endsWith('{') || u.endsWith('}') || u.endsWith(';')) return true;
  if ([')', ']', 'end', 'fi', 'done', 'esac'].includes(u)) return true;
  if (u.startsWith('//') || u.startsWith('/*') || u.startsWith('* ') || u.startsWith('*/') || u.startsWith('#!')) return true;
  if (u[0] === '@' && isAlpha(u.charCodeAt(1))) return true;
  // `12:import re` (an editor's numbered view), `  12 | code`.
  const d = digitsAt(u, 0);
  if (d > 0) {
    if (u[d] === ':') return true;
    let j = d;
    while (u[j] === ' ') j++;
    if (u[j] === '|') return true;
  }
  let wordEnd = 0;
  while (wordEnd < u.length) {
    const c = u.charCodeAt(wordEnd);
    if (!(isAlpha(c) || isDigit(c) || c === 0x5f || c === 0x23)) break;
    wordEnd++;
  }
  if (wordEnd < u.length && ' (:<'.includes(u[wordEnd]!) && CODE_KEYWORDS.has(u.slice(0, wordEnd))) return true;
  // `name = value`, `self.x = y`
  let lhs = 0;
  while (lhs < u.length) {
    const c = u.charCodeAt(lhs);
    if (!(isAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2e || c === 0x5b || c === 0x5d)) break;
    lhs++;
  }
  return lhs > 0 && isAlpha(u.charCodeAt(0)) && (u.startsWith(' = ', lhs) || u.startsWith(' += ', lhs));
}
