// Cache alignment for the system prompt. Anthropic's prompt cache matches request prefixes
// (tools → system → messages), so a date or request id near the top of the system prompt makes
// every request a cache miss from that point on. CacheAligner finds such volatile content and,
// when asked, moves the lines that hold it to a trailing system block behind a cache breakpoint.

/** What kind of volatile value was found. */
export type VolatileKind = 'datetime' | 'date' | 'time' | 'unix-timestamp' | 'uuid' | 'jwt' | 'request-id' | 'hex-digest';

/** One volatile value in the system prompt. */
export interface VolatileSpan {
  kind: VolatileKind;
  /** The matched text. */
  text: string;
  /** Index of the system text block it is in (0 for a string system prompt). */
  block: number;
  /** UTF-16 offsets of the match within that block's text. */
  start: number;
  end: number;
}

/** How cache-friendly a system prompt is. */
export interface AlignmentReport {
  /**
   * The share of the system prompt's characters before the first volatile value: 1 when nothing
   * volatile was found, 0 when the prompt starts with one. Only that prefix can be cached as is.
   */
  score: number;
  volatile: VolatileSpan[];
}

/** A system prompt as the Messages API takes it: a string or text blocks. */
export type SystemPrompt = string | readonly SystemTextBlock[];

export interface SystemTextBlock {
  readonly type: 'text';
  readonly text: string;
  readonly cache_control?: { readonly type: 'ephemeral'; readonly ttl?: '5m' | '1h' } | null;
  readonly [field: string]: unknown;
}

const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const WEEKDAY = '(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,? )?';

/** Patterns in priority order; earlier kinds win where matches overlap. ASCII classes only. */
const PATTERNS: readonly [VolatileKind, RegExp][] = [
  ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ['uuid', /\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b/g],
  [
    'request-id',
    /\b(?:req(?:uest)?[_-]?id|trace[_-]?id|correlation[_-]?id|session[_-]?id)["']?\s*[:=]\s*["']?[A-Za-z0-9._:-]{6,}|\breq_[A-Za-z0-9]{10,}\b/gi,
  ],
  [
    'datetime',
    /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}|\s?UTC)?/g,
  ],
  ['date', new RegExp(`\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b\\d{1,2}/\\d{1,2}/\\d{2,4}\\b|\\b${WEEKDAY}${MONTH}\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}\\b|\\b${WEEKDAY}\\d{1,2} ${MONTH}\\.?,? \\d{4}\\b`, 'g')],
  ['time', /\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?(?:\s?(?:UTC|GMT|[A-Z]{3}))?\b/g],
  ['unix-timestamp', /\b1[5-9]\d{8}(?:\d{3})?\b/g],
  ['hex-digest', /\b[0-9a-f]{32,}\b|\b[0-9A-F]{32,}\b/g],
];

function blocksOf(system: SystemPrompt): string[] {
  return typeof system === 'string' ? [system] : system.map((b) => (b.type === 'text' ? b.text : ''));
}

/** Finds volatile values in one text; overlapping matches keep the earlier pattern's. */
function scan(text: string, block: number): VolatileSpan[] {
  const found: VolatileSpan[] = [];
  for (const [kind, pattern] of PATTERNS) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (found.some((f) => start < f.end && f.start < end)) continue;
      found.push({ kind, text: m[0], block, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * Reports and (opt-in) moves volatile content in a system prompt.
 *
 * @example
 * ```ts
 * import { CacheAligner } from 'headroom-ai';
 * const report = new CacheAligner().analyze(`Today is 2026-11-24.\nYou are a helpful agent.`);
 * report.score; // 0: the very first line changes every day
 * ```
 */
export class CacheAligner {
  /** Finds volatile values and scores how much of the system prompt is a stable prefix. */
  analyze(system: SystemPrompt | undefined): AlignmentReport {
    if (system === undefined) return { score: 1, volatile: [] };
    checkSystem(system);
    const texts = blocksOf(system);
    const volatile = texts.flatMap((t, i) => scan(t, i));
    const total = texts.reduce((n, t) => n + t.length, 0);
    if (volatile.length === 0 || total === 0) return { score: 1, volatile };
    const first = volatile[0]!;
    const before = texts.slice(0, first.block).reduce((n, t) => n + t.length, 0) + first.start;
    return { score: before / total, volatile };
  }

  /**
   * Splits the system prompt into its stable lines (kept in order, ending with a cache breakpoint)
   * and a trailing text block holding every line with a volatile value. Returns the prompt
   * unchanged (same reference) when nothing is volatile. Messages after a system tail that changed
   * are still written to the cache anew on each request: this keeps tools and the stable system
   * text cached, not the conversation. With `addBreakpoint: false` no `cache_control` is added
   * (for a request that already has the API's maximum of four).
   */
  moveDynamicToTail(system: SystemPrompt, addBreakpoint = true): SystemPrompt {
    checkSystem(system);
    const report = this.analyze(system);
    if (report.volatile.length === 0) return system;
    const blocks: SystemTextBlock[] = typeof system === 'string' ? [{ type: 'text', text: system }] : [...system];
    const stable: SystemTextBlock[] = [];
    const dynamic: string[] = [];
    blocks.forEach((block, i) => {
      if (!report.volatile.some((v) => v.block === i)) {
        stable.push(block);
        return;
      }
      const kept: string[] = [];
      for (const line of block.text.split('\n')) (scan(line, i).length > 0 ? dynamic : kept).push(line);
      const text = kept.join('\n').replace(/\n+$/, '');
      if (text.trim() !== '') stable.push({ ...block, text });
    });
    if (addBreakpoint && stable.length > 0 && !stable.some((b) => b.cache_control)) {
      const last = stable[stable.length - 1]!;
      stable[stable.length - 1] = { ...last, cache_control: { type: 'ephemeral' } };
    }
    return [...stable, { type: 'text', text: dynamic.join('\n') }];
  }
}

function checkSystem(system: unknown): asserts system is SystemPrompt {
  if (typeof system === 'string') return;
  if (!Array.isArray(system)) throw new TypeError('CacheAligner: system must be a string or an array of text blocks');
  system.forEach((b, i) => {
    if (typeof b !== 'object' || b === null || typeof (b as { type?: unknown }).type !== 'string') {
      throw new TypeError(`CacheAligner: system[${i}] must be a content block`);
    }
    if ((b as { type: string }).type === 'text' && typeof (b as { text?: unknown }).text !== 'string') {
      throw new TypeError(`CacheAligner: system[${i}].text must be a string`);
    }
  });
}
