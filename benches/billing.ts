// What Anthropic bills for the input of a sequence of Messages requests with prompt caching: the
// provider's published rules, as data and one cache model. Sources (taken 2026-12-04):
//   https://platform.claude.com/docs/en/build-with-claude/prompt-caching
//   https://platform.claude.com/docs/en/about-claude/pricing
// Token counts follow headroom's own convention (countMessageTokens: o200k_base text counts plus
// fixed per-request, per-message and per-block overheads), the same for every strategy compared.
// Claude's tokenizer is not public, so absolute dollars are estimates; ratios between strategies
// are what the convention keeps honest.
import { createHash } from 'node:crypto';
import { MAX_CACHE_MARKERS } from '../src/cache/breakpoints.js';
import { countMessageTokens } from '../src/compress.js';
import type { AnthropicMessage } from '../src/messages/types.js';
import { countTokens } from '../src/tokens.js';

/** When the prices and limits below were read from the pages above. */
export const PRICES_TAKEN = '2026-12-04';

export interface ModelPricing {
  id: string;
  label: string;
  /** Base (uncached) input price, dollars per million tokens. */
  inputPerMTok: number;
  /** Shorter prefixes are not cached even when marked ("minimum cacheable prompt length"). */
  minCacheableTokens: number;
}

export const MODELS: readonly ModelPricing[] = [
  { id: 'claude-sonnet-4-5-20250929', label: 'Claude Sonnet 4.5', inputPerMTok: 3, minCacheableTokens: 1024 },
  { id: 'claude-opus-4-6', label: 'Claude Opus 4.6', inputPerMTok: 5, minCacheableTokens: 4096 },
];

/** Price multipliers on the base input price, by how a token is billed. */
export const MULTIPLIERS = { uncached: 1, written5m: 1.25, written1h: 2, read: 0.1 } as const;

export type Ttl = '5m' | '1h';

/** Lifetime of a cache entry after it was last written or read ("refreshed for no additional cost each time it is used"). */
export const TTL_SECONDS: Readonly<Record<Ttl, number>> = { '5m': 300, '1h': 3600 };

/**
 * A breakpoint also finds entries that end at earlier block boundaries: "the system automatically
 * checks for cache hits at all previous content block boundaries (up to approximately 20 blocks
 * before your explicit breakpoint)". Entries are only ever written at breakpoints.
 */
export const LOOKBACK_BLOCKS = 20;

/** One content block of a request, in the order the cache sees them: tools, system, messages. */
export interface CacheBlock {
  /** Tokens this block adds to the prefix (overheads included). */
  tokens: number;
  /** Identity of the block's content and place (marker excluded): equal keys render equal bytes. */
  key: string;
  /** Set when the block carries `cache_control`. */
  ttl?: Ttl;
}

/** Input tokens of one request, by how they are billed. */
export interface Bill {
  uncached: number;
  written5m: number;
  written1h: number;
  read: number;
}

export const emptyBill = (): Bill => ({ uncached: 0, written5m: 0, written1h: 0, read: 0 });

export function addBill(a: Bill, b: Bill): Bill {
  return { uncached: a.uncached + b.uncached, written5m: a.written5m + b.written5m, written1h: a.written1h + b.written1h, read: a.read + b.read };
}

export const billTokens = (b: Bill): number => b.uncached + b.written5m + b.written1h + b.read;

/** Dollars for a bill at a model's prices. */
export function dollars(bill: Bill, model: ModelPricing): number {
  const m = MULTIPLIERS;
  const weighted = bill.uncached * m.uncached + bill.written5m * m.written5m + bill.written1h * m.written1h + bill.read * m.read;
  return (weighted * model.inputPerMTok) / 1e6;
}

interface Entry {
  expires: number;
  ttl: Ttl;
}

/**
 * One organisation's prompt cache for one model, fed the requests of a session in order. Each
 * request is billed by the rules of the caching docs:
 * - a prefix is everything up to and including a block, in the order tools → system → messages;
 * - at most 4 breakpoints (`cache_control`) per request, 1-hour ones before 5-minute ones, or the
 *   API rejects the request;
 * - read: the longest live entry found from any breakpoint, looking at it and up to
 *   LOOKBACK_BLOCKS block boundaries before it (0.1×);
 * - written: from there to the last breakpoint whose prefix reaches the model's minimum cacheable
 *   length; "tokens up to the last 1-hour breakpoint after the hit are 1-hour writes (2×), the rest
 *   5-minute writes (1.25×)" (the docs' mixed-TTL rule: reads A, 1-hour writes B − A, 5-minute
 *   writes C − B);
 * - everything after the last such breakpoint is uncached input (1×);
 * - afterwards every such breakpoint's prefix is in the cache, and the entry read is refreshed.
 */
export class PromptCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly model: ModelPricing) {}

  /** Bills one request sent `at` seconds into the session, and updates the cache. */
  bill(blocks: readonly CacheBlock[], at: number): Bill {
    const marks: number[] = [];
    blocks.forEach((b, i) => {
      if (b.ttl !== undefined) marks.push(i);
    });
    if (marks.length > MAX_CACHE_MARKERS) throw new RangeError(`${marks.length} cache breakpoints: the API accepts at most ${MAX_CACHE_MARKERS}`);
    const first5m = marks.findIndex((i) => blocks[i]!.ttl === '5m');
    if (first5m >= 0 && marks.slice(first5m).some((i) => blocks[i]!.ttl === '1h')) {
      throw new RangeError('a 1-hour cache breakpoint after a 5-minute one: the API rejects the request');
    }
    // Prefix lengths and identities: an entry matches only a byte-identical prefix.
    const length: number[] = [];
    const identity: string[] = [];
    let tokens = 0;
    let chain = '';
    for (const b of blocks) {
      tokens += b.tokens;
      chain = createHash('sha256').update(chain).update('\0').update(b.key).digest('hex');
      length.push(tokens);
      identity.push(chain);
    }
    const live = (i: number): Entry | undefined => {
      const e = this.entries.get(identity[i]!);
      return e !== undefined && at <= e.expires ? e : undefined;
    };

    let hit = -1;
    for (const b of marks) {
      for (let j = b; j >= Math.max(0, b - LOOKBACK_BLOCKS) && j > hit; j--) {
        if (live(j) !== undefined) {
          hit = j;
          break;
        }
      }
    }
    const read = hit < 0 ? 0 : length[hit]!;
    const cacheable = marks.filter((i) => length[i]! >= this.model.minCacheableTokens);
    const after = cacheable.filter((i) => i > hit);
    const last = after.at(-1);
    const last1h = after.filter((i) => blocks[i]!.ttl === '1h').at(-1);
    const upTo1h = last1h === undefined ? read : length[last1h]!;
    const bill: Bill = {
      read,
      written1h: upTo1h - read,
      written5m: last === undefined ? 0 : length[last]! - upTo1h,
      uncached: 0,
    };
    bill.uncached = tokens - bill.read - bill.written1h - bill.written5m;

    if (hit >= 0) {
      const e = live(hit)!;
      e.expires = Math.max(e.expires, at + TTL_SECONDS[e.ttl]);
    }
    for (const i of cacheable) {
      const ttl = blocks[i]!.ttl!;
      const e = live(i);
      if (e === undefined) this.entries.set(identity[i]!, { expires: at + TTL_SECONDS[ttl], ttl });
      else e.expires = Math.max(e.expires, at + TTL_SECONDS[ttl]);
    }
    return bill;
  }
}

/** A Messages request as far as the cache sees it. */
export type CachedRequest = {
  readonly tools?: readonly unknown[];
  readonly system?: string | readonly unknown[];
  readonly messages: readonly AnthropicMessage[];
};

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function ttlOf(block: unknown): Ttl | undefined {
  if (!isObj(block)) return undefined;
  const own = block['cache_control'];
  if (isObj(own)) return own['ttl'] === '1h' ? '1h' : '5m';
  // A marker inside a tool_result's content ends its prefix within this block: billed here.
  const inner = block['content'];
  if (Array.isArray(inner)) for (let k = inner.length - 1; k >= 0; k--) if (ttlOf(inner[k]) !== undefined) return ttlOf(inner[k]);
  return undefined;
}

/** JSON of a block without its markers: a breakpoint moving along a conversation changes no prefix. */
const unmarked = (value: unknown): string => JSON.stringify(value, (k, v: unknown) => (k === 'cache_control' ? undefined : v));

// Token counts by object: untouched blocks are the same objects turn after turn.
const counted = new WeakMap<object, number>();
const REQUEST_TOKENS = countMessageTokens([]);
const MESSAGE_TOKENS = countMessageTokens([{ role: 'user', content: [] }]) - REQUEST_TOKENS;

function blockTokens(role: AnthropicMessage['role'], block: object): number {
  let n = counted.get(block);
  if (n === undefined) {
    n = countMessageTokens([{ role, content: [block as { type: string }] }], { format: 'anthropic' }) - REQUEST_TOKENS - MESSAGE_TOKENS;
    counted.set(block, n);
  }
  return n;
}

function textTokens(holder: object, text: string): number {
  let n = counted.get(holder);
  if (n === undefined) {
    n = countTokens(text);
    counted.set(holder, n);
  }
  return n;
}

/**
 * The request's blocks in cache order with their tokens by headroom's counting convention
 * (tools as their JSON, system texts, message blocks as countMessageTokens counts them; the
 * request's and each message's fixed overhead on its first block). A string system prompt or
 * message is one text block, as the API renders it.
 */
export function requestBlocks(request: CachedRequest): CacheBlock[] {
  const out: CacheBlock[] = [];
  const push = (tokens: number, key: string, ttl: Ttl | undefined): void => {
    out.push(ttl === undefined ? { tokens, key } : { tokens, key, ttl });
  };
  for (const tool of request.tools ?? []) {
    const json = unmarked(tool);
    push(isObj(tool) ? textTokens(tool, json) : countTokens(json), `tool ${json}`, ttlOf(tool));
  }
  const system = request.system;
  if (typeof system === 'string') {
    if (system !== '') push(countTokens(system), `system ${unmarked({ type: 'text', text: system })}`, undefined);
  } else {
    for (const b of system ?? []) {
      const text = isObj(b) && typeof b['text'] === 'string' ? b['text'] : unmarked(b);
      push(isObj(b) ? textTokens(b, text) : countTokens(text), `system ${unmarked(b)}`, ttlOf(b));
    }
  }
  for (const m of request.messages) {
    const blocks: readonly object[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (blocks.length === 0) push(MESSAGE_TOKENS, `${m.role} empty`, undefined);
    blocks.forEach((b, k) => {
      const tokens = typeof m.content === 'string' ? textTokens(m, m.content) : blockTokens(m.role, b);
      push(tokens + (k === 0 ? MESSAGE_TOKENS : 0), `${m.role}${k === 0 ? ' first' : ''} ${unmarked(b)}`, ttlOf(b));
    });
  }
  if (out.length > 0) out[0]!.tokens += REQUEST_TOKENS;
  return out;
}
