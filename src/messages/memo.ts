// The memo: what headroom already knows about a text — its compressed form under given settings,
// its detected kind, its token counts — so a conversation resent every turn costs only its new
// blocks. Keyed by the text itself: V8 hashes a string once and compares candidates in full, so no
// collision can hand one block another's result. Every string it keeps (keys, compressed forms,
// summaries) is a detached copy: the caller's strings may be slices of much larger ones (a parsed
// request body), which the memo must not keep alive. Bounded LRU by entries and by characters
// (2 bytes each), counting a fixed cost per entry and per result, so its bytes are bounded.

import { detached } from '../engine/detach.js';
import type { BlockKind, BlockResult } from '../engine/types.js';

/** Bounds of a memo. */
export interface MemoLimits {
  /** Most texts remembered. */
  maxEntries: number;
  /** Most UTF-16 units held: remembered texts plus compressed forms, plus ENTRY_COST per entry and result. */
  maxChars: number;
}

export const DEFAULT_MEMO_LIMITS: MemoLimits = { maxEntries: 20_000, maxChars: 64 * 1024 * 1024 };

/** What an entry or a result costs besides its text, in UTF-16 units (the objects and map slots). */
const ENTRY_COST = 128;

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
    const kept = this.touch(text)?.results?.get(key);
    // An untouched block's content is its text, which the memo does not keep: it is the caller's.
    return kept === undefined || kept.modified ? kept : { ...kept, content: text };
  }

  setResult(text: string, key: string, result: BlockResult): void {
    const entry = this.entry(text);
    entry.results ??= new Map();
    const kept: BlockResult = {
      ...result,
      content: result.modified ? detached(result.content) : '',
      omitted: result.omitted.map((o) => ({ ...o, unit: detached(o.unit), summary: detached(o.summary) })),
    };
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
    this.entries.set(detached(text), entry);
    this.grow(entry, text.length + ENTRY_COST);
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

function resultCost(r: BlockResult): number {
  return r.content.length + r.omitted.reduce((n, o) => n + o.summary.length, 0) + ENTRY_COST;
}

/** The process-wide memo `compress()` uses. */
export const defaultMemo = new Memo();
