// Content-derived retrieval keys and the record a store holds under them.
//
// A key is a hash of the original block and of the settings that shaped its compressed form, so the
// same block compressed the same way names the same key on every turn (the marker's bytes, and so
// the prompt cache, never change) and on every instance that shares a store. 80 bits: among a
// billion live keys the chance that any two collide is below one in a million, and a key costs
// about 11 tokens in a marker (lower-case base32, which tokenizes better than hex).

import type { BlockKind } from '../engine/types.js';
import { sha256Utf16 } from './sha256.js';

export const KEY_PREFIX = 'hr_';
const KEY_CHARS = 16;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** Bumped when the record format or what a key covers changes. */
const KEY_VERSION = 'headroom-retrieval/1';

/** What a key looks like: `hr_` and 16 lower-case base32 characters. */
export const KEY_PATTERN = /^hr_[a-z2-7]{16}$/;

/** The key of a block's original `text` compressed under `settings` (the memo's settings key). */
export function retrievalKey(text: string, settings: string): string {
  const digest = sha256Utf16([KEY_VERSION, '\u0000', settings, '\u0000', text]);
  let out = KEY_PREFIX;
  let bits = 0;
  let value = 0;
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < KEY_PREFIX.length + KEY_CHARS) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === KEY_PREFIX.length + KEY_CHARS) break;
  }
  return out;
}

/** An original block as a store holds it. */
export interface StoredBlock {
  kind: BlockKind;
  content: string;
}

// The record: a header line, then the content as it is. Content that is not well-formed UTF-16 (a
// lone surrogate) is JSON-escaped instead, since a store that speaks UTF-8 (Redis) would replace it.
const HEADER = 'headroom/1';

export function encodeRecord(block: StoredBlock): string {
  if (block.content.isWellFormed()) return `${HEADER} ${block.kind}\n${block.content}`;
  return `${HEADER} ${block.kind} json\n${JSON.stringify(block.content)}`;
}

const KINDS: ReadonlySet<string> = new Set<BlockKind>(['json', 'log', 'search', 'diff', 'code', 'text', 'opaque']);

/** The block in a record, or undefined when `record` is not one. */
export function decodeRecord(record: string): StoredBlock | undefined {
  const newline = record.indexOf('\n');
  if (newline < 0) return undefined;
  const [header, kind, escaped, ...rest] = record.slice(0, newline).split(' ');
  if (header !== HEADER || kind === undefined || !KINDS.has(kind) || rest.length > 0) return undefined;
  const body = record.slice(newline + 1);
  if (escaped === undefined) return { kind: kind as BlockKind, content: body };
  if (escaped !== 'json') return undefined;
  try {
    const content: unknown = JSON.parse(body);
    return typeof content === 'string' ? { kind: kind as BlockKind, content } : undefined;
  } catch {
    return undefined;
  }
}
