// The memo: what headroom already knows about a text — its compressed form under given settings,
// its detected kind, its token counts — so a conversation resent every turn costs only its new
// blocks. Keyed by the SHA-256 of the text's UTF-16 code units, not by the text: a key copied from
// the text would keep a second copy of every block the process has seen (the caller's strings may
// be slices of a much larger request body, which a key must not keep alive, so a text key has to be
// a copy), and those copies, made while requests are in flight and kept, are what the garbage
// collector's young generation then spends its pauses copying. A digest is 16 characters whatever
// the text. Compressed forms are kept as the engine made them: its strings share nothing with the
// input. Bounded LRU by entries and by characters (2 bytes each), counting a fixed cost per entry
// and per result.

import type { BlockKind, BlockResult } from '../engine/types.js';
import { sha256Utf16 } from '../retrieval/sha256.js';

/** Bounds of a memo. */
export interface MemoLimits {
  /** Most texts remembered. */
  maxEntries: number;
  /** Most UTF-16 units held: keys and compressed forms, plus ENTRY_COST per entry and result. */
  maxChars: number;
}

export const DEFAULT_MEMO_LIMITS: MemoLimits = { maxEntries: 20_000, maxChars: 64 * 1024 * 1024 };

/** What an entry or a result costs besides its text, in UTF-16 units (the objects and map slots). */
const ENTRY_COST = 128;

/** Most settings (query, options) remembered per text: a text is normally compressed one way. */
const RESULTS_PER_TEXT = 4;

/** What a call reads and writes: results, kinds and numbers of texts. */
export interface MemoAccess {
  result(text: string, key: string): BlockResult | undefined;
  setResult(text: string, key: string, result: BlockResult): void;
  kind(text: string): BlockKind | undefined;
  setKind(text: string, kind: BlockKind): void;
  number(text: string, name: string): number | undefined;
  setNumber(text: string, name: string, value: number): void;
}

interface Entry {
  kind?: BlockKind;
  /** Numbers by name: token counts per encoding, media estimates. */
  numbers?: Map<string, number>;
  /** Compressed forms by settings key. */
  results?: Map<string, BlockResult>;
  chars: number;
}

export class Memo implements MemoAccess {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  constructor(readonly limits: MemoLimits = DEFAULT_MEMO_LIMITS) {}

  /** Texts remembered. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The memo as one call sees it: each text is hashed once however often the call asks about it.
   * The scope holds the call's texts, so it lives no longer than the call.
   */
  scope(): MemoAccess {
    const digests = new Map<string, string>();
    const digest = (text: string): string => {
      let d = digests.get(text);
      if (d === undefined) digests.set(text, (d = digestOf(text)));
      return d;
    };
    return {
      result: (text, key) => this.resultAt(digest(text), text, key),
      setResult: (text, key, result) => this.setResultAt(digest(text), key, result),
      kind: (text) => this.touch(digest(text))?.kind,
      setKind: (text, kind) => this.setKindAt(digest(text), kind),
      number: (text, name) => this.touch(digest(text))?.numbers?.get(name),
      setNumber: (text, name, value) => this.setNumberAt(digest(text), name, value),
    };
  }

  result(text: string, key: string): BlockResult | undefined {
    return this.resultAt(digestOf(text), text, key);
  }

  setResult(text: string, key: string, result: BlockResult): void {
    this.setResultAt(digestOf(text), key, result);
  }

  kind(text: string): BlockKind | undefined {
    return this.touch(digestOf(text))?.kind;
  }

  setKind(text: string, kind: BlockKind): void {
    this.setKindAt(digestOf(text), kind);
  }

  number(text: string, name: string): number | undefined {
    return this.touch(digestOf(text))?.numbers?.get(name);
  }

  setNumber(text: string, name: string, value: number): void {
    this.setNumberAt(digestOf(text), name, value);
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  private resultAt(digest: string, text: string, key: string): BlockResult | undefined {
    const kept = this.touch(digest)?.results?.get(key);
    // An untouched block's content is its text, which the memo does not keep: it is the caller's.
    return kept === undefined || kept.modified ? kept : { ...kept, content: text };
  }

  private setResultAt(digest: string, key: string, result: BlockResult): void {
    const entry = this.entry(digest);
    entry.results ??= new Map();
    // An engine's compressed strings are its own (see BlockResult); an untouched block's are the caller's.
    const kept: BlockResult = result.modified ? { ...result } : { ...result, content: '' };
    const previous = entry.results.get(key);
    if (previous !== undefined) this.grow(entry, -resultCost(previous));
    entry.results.delete(key);
    entry.results.set(key, kept);
    this.grow(entry, resultCost(kept));
    if (entry.results.size > RESULTS_PER_TEXT) {
      const [oldestKey, oldest] = entry.results.entries().next().value!;
      entry.results.delete(oldestKey);
      this.grow(entry, -resultCost(oldest));
    }
    this.evict();
  }

  private setKindAt(digest: string, kind: BlockKind): void {
    this.entry(digest).kind = kind;
    this.evict();
  }

  private setNumberAt(digest: string, name: string, value: number): void {
    const entry = this.entry(digest);
    (entry.numbers ??= new Map()).set(name, value);
    this.evict();
  }

  /** The entry under `digest`, moved to the most recent end. */
  private touch(digest: string): Entry | undefined {
    const entry = this.entries.get(digest);
    if (entry !== undefined) {
      this.entries.delete(digest);
      this.entries.set(digest, entry);
    }
    return entry;
  }

  private entry(digest: string): Entry {
    const found = this.touch(digest);
    if (found !== undefined) return found;
    const entry: Entry = { chars: 0 };
    this.entries.set(digest, entry);
    this.grow(entry, digest.length + ENTRY_COST);
    return entry;
  }

  private grow(entry: Entry, chars: number): void {
    entry.chars += chars;
    this.chars += chars;
  }

  private evict(): void {
    // Never evicts the entry just written (the most recent), even when it alone is over the bound.
    while (this.entries.size > 1 && (this.entries.size > this.limits.maxEntries || this.chars > this.limits.maxChars)) {
      const [digest, entry] = this.entries.entries().next().value!;
      this.entries.delete(digest);
      this.chars -= entry.chars;
    }
  }
}

/** The memo key of `text`: its SHA-256 (over UTF-16 code units, so lone surrogates count), as 16 UTF-16 units. */
function digestOf(text: string): string {
  const d = sha256Utf16([text]);
  let key = '';
  for (let i = 0; i < d.length; i += 2) key += String.fromCharCode((d[i]! << 8) | d[i + 1]!);
  return key;
}

function resultCost(r: BlockResult): number {
  return r.content.length + r.omitted.reduce((n, o) => n + o.summary.length, 0) + ENTRY_COST;
}

/** The process-wide memo `compress()` uses. */
export const defaultMemo = new Memo();
