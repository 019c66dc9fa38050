// The memo: what headroom already knows about a text — its compressed form under given settings,
// its detected kind, its token counts — so a conversation resent every turn costs only its new
// blocks. Keyed by the text itself: V8 hashes a string once and compares candidates in full, so no
// collision can hand one block another's result, and the application's own history already holds
// these strings (the memo shares them rather than copying). Bounded LRU by entries and characters.

import type { BlockKind, BlockResult } from '../engine/types.js';

/** Bounds of a memo. */
export interface MemoLimits {
  /** Most texts remembered. */
  maxEntries: number;
  /** Most UTF-16 units held: remembered texts plus compressed forms. */
  maxChars: number;
}

export const DEFAULT_MEMO_LIMITS: MemoLimits = { maxEntries: 20_000, maxChars: 64 * 1024 * 1024 };

/** Most settings (query, options) remembered per text: a text is normally compressed one way. */
const RESULTS_PER_TEXT = 4;

interface Entry {
  kind?: BlockKind;
  /** Numbers by name: token counts per encoding, media estimates. */
  numbers?: Map<string, number>;
  /** Compressed forms by settings key. */
  results?: Map<string, BlockResult>;
  chars: number;
}

export class Memo {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  constructor(readonly limits: MemoLimits = DEFAULT_MEMO_LIMITS) {}

  /** Texts remembered. */
  get size(): number {
    return this.entries.size;
  }

  result(text: string, key: string): BlockResult | undefined {
    return this.touch(text)?.results?.get(key);
  }

  setResult(text: string, key: string, result: BlockResult): void {
    const entry = this.entry(text);
    entry.results ??= new Map();
    const added = result.modified ? result.content.length : 0;
    const previous = entry.results.get(key);
    if (previous?.modified === true) this.grow(entry, -previous.content.length);
    entry.results.delete(key);
    entry.results.set(key, result);
    this.grow(entry, added);
    if (entry.results.size > RESULTS_PER_TEXT) {
      const [oldestKey, oldest] = entry.results.entries().next().value!;
      entry.results.delete(oldestKey);
      if (oldest.modified) this.grow(entry, -oldest.content.length);
    }
    this.evict();
  }

  kind(text: string): BlockKind | undefined {
    return this.touch(text)?.kind;
  }

  setKind(text: string, kind: BlockKind): void {
    this.entry(text).kind = kind;
    this.evict();
  }

  number(text: string, name: string): number | undefined {
    return this.touch(text)?.numbers?.get(name);
  }

  setNumber(text: string, name: string, value: number): void {
    const entry = this.entry(text);
    (entry.numbers ??= new Map()).set(name, value);
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  /** The entry for `text`, moved to the most recent end. */
  private touch(text: string): Entry | undefined {
    const entry = this.entries.get(text);
    if (entry !== undefined) {
      this.entries.delete(text);
      this.entries.set(text, entry);
    }
    return entry;
  }

  private entry(text: string): Entry {
    const found = this.touch(text);
    if (found !== undefined) return found;
    const entry: Entry = { chars: 0 };
    this.entries.set(text, entry);
    this.grow(entry, text.length);
    return entry;
  }

  private grow(entry: Entry, chars: number): void {
    entry.chars += chars;
    this.chars += chars;
  }

  private evict(): void {
    // Never evicts the entry just written (the most recent), even when it alone is over the bound.
    while (this.entries.size > 1 && (this.entries.size > this.limits.maxEntries || this.chars > this.limits.maxChars)) {
      const [text, entry] = this.entries.entries().next().value!;
      this.entries.delete(text);
      this.chars -= entry.chars;
    }
  }
}

/** The process-wide memo `compress()` uses. */
export const defaultMemo = new Memo();
