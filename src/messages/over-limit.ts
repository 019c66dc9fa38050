// Over the context window (PRODUCT §3): when the compressed conversation plus the response budget
// still exceeds the model's window or the token budget, compress older blocks harder first, then
// drop the oldest whole turns, leaving one marker that says how many went. Below the limit nothing
// here changes a byte. A step of the pipeline generator, so it asks its driver for the limit, an
// exact count and the harder batch the same way the pipeline does.

import { MESSAGE_OVERHEAD, messageCounts, type TextCounter } from './count.js';
import { droppedTurnsMarker, parseDroppedTurnsMarker } from './markers.js';
import type { MemoAccess } from './memo.js';
import { isObj, type MessageFormat, type Obj } from './types.js';

/** Lossy selection on older blocks over the context limit aims at this fraction of `maxBlockTokens`. */
const HARDER_DIVISOR = 4;

/** What the step asks of the pipeline's driver. */
export type LimitQuestion =
  /** The model's context window (or the token budget): a number, `Infinity` for none. */
  | { op: 'limit' }
  /** The exact input tokens of a request with these messages, or undefined when not available. */
  | { op: 'exact'; messages: readonly unknown[] };

/** The settings the step reads (a part of the pipeline's). */
export interface LimitSettings {
  format: MessageFormat;
  maxBlockTokens: number;
  /** Tokens (in the run's encoding) the context check adds to the messages: system prompt and tools. */
  fixedTokens: number;
  maxTokens: number;
  /** The provider's estimate of the model's tokens for a count in the run's encoding. */
  estimate: (tokens: number) => number;
  /** `false`: stop after the harder pass (the conversation's items have no place for the marker). */
  dropTurns: boolean;
}

/** One older block compressed harder: `take()` records it and gives its message's new form. */
export interface HarderStep {
  message: number;
  take(): unknown;
}

/** The compressed conversation as the pipeline hands it over. */
export interface Fitting<Q> {
  settings: LimitSettings;
  /** The compressed messages, one per input message; the harder pass replaces some in place. */
  out: unknown[];
  /** Tokens of each message of `out`, kept up to date in place. */
  counts: number[];
  total: number;
  counter: TextCounter;
  memo: MemoAccess;
  /** Older blocks compressed to `maxBlockTokens` that would shrink, oldest first. */
  harder(maxBlockTokens: number): Generator<Q, HarderStep[], unknown>;
}

export interface Fitted {
  messages: unknown[];
  total: number;
  /** Indices (in the input) of the messages dropped with their turns. */
  dropped: ReadonlySet<number>;
  /** `over_limit:harder`, `over_limit:dropped_turns`, `over_limit:unresolved`, as taken. */
  transforms: string[];
}

export function* fitToLimit<Q>(f: Fitting<Q>): Generator<Q | LimitQuestion, Fitted, unknown> {
  const s = f.settings;
  const { out, counts } = f;
  let total = f.total;
  const fitted: Fitted = { messages: out, total, dropped: new Set(), transforms: [] };
  const limit = (yield { op: 'limit' }) as number;
  if (!Number.isFinite(limit)) return fitted;
  let fits = (tokens: number): boolean => s.estimate(tokens + s.fixedTokens) + s.maxTokens <= limit;
  if (!fits(total)) {
    const exact = (yield { op: 'exact', messages: out }) as number | undefined;
    if (exact !== undefined && exact > 0) {
      // Scale the estimate to the provider's exact count of this request.
      const raw = total + s.fixedTokens;
      fits = (tokens) => Math.ceil((exact * (tokens + s.fixedTokens)) / raw) + s.maxTokens <= limit;
    }
  }
  if (!fits(total) && Number.isFinite(s.maxBlockTokens)) {
    const steps = yield* f.harder(Math.max(1, Math.floor(s.maxBlockTokens / HARDER_DIVISOR)));
    let applied = false;
    for (const step of steps) {
      if (fits(total)) break;
      const i = step.message;
      out[i] = step.take();
      const [count] = messageCounts([out[i]], s.format, f.counter, f.memo);
      total += count! - counts[i]!;
      counts[i] = count!;
      applied = true;
    }
    if (applied) fitted.transforms.push('over_limit:harder');
  }
  if (!fits(total) && s.dropTurns) {
    const drop = dropTurns(out, counts, f.counter, fits, total);
    if (drop !== undefined) {
      fitted.messages = drop.messages;
      total = drop.total;
      fitted.dropped = drop.dropped;
      fitted.transforms.push('over_limit:dropped_turns');
    }
  }
  if (!fits(total)) fitted.transforms.push('over_limit:unresolved');
  fitted.total = total;
  return fitted;
}

const roleOf = (m: unknown): unknown => (isObj(m) ? m['role'] : undefined);

/**
 * Drops the oldest whole turns until the conversation fits: everything up to and including the
 * first user message stays, and a cut only ever falls just before an assistant message, so a
 * tool_use and its tool_result go together. One marker message (after the first user message)
 * says how many turns went; a marker left there by an earlier run is replaced, its counts carried.
 * Chooses the smallest cut that fits, else the largest that lowers the total, else none.
 */
function dropTurns(
  messages: readonly unknown[],
  counts: readonly number[],
  counter: TextCounter,
  fits: (tokens: number) => boolean,
  total: number,
): { messages: unknown[]; total: number; dropped: Set<number> } | undefined {
  const firstUser = messages.findIndex((m) => roleOf(m) === 'user');
  if (firstUser < 0) return undefined;
  let start = firstUser + 1;
  let carried = { turns: 0, messages: 0 };
  let carriedTokens = 0;
  const previous = messages[start];
  const previousMarker = isObj(previous) && roleOf(previous) === 'user' && typeof previous['content'] === 'string'
    ? parseDroppedTurnsMarker(previous['content'])
    : undefined;
  if (previousMarker !== undefined) {
    carried = previousMarker;
    carriedTokens = counts[start]!;
    start++;
  }
  // System messages stay wherever they are (OpenAI's, and the Anthropic SDK's system MessageParam).
  const kept = (m: unknown): boolean => roleOf(m) === 'system' || roleOf(m) === 'developer';
  let best: { k: number; total: number; turns: number; messages: number } | undefined;
  let droppedTokens = carriedTokens;
  let turns = 0;
  let droppedMessages = 0;
  for (let k = start + 1; k < messages.length; k++) {
    const m = messages[k - 1];
    if (!kept(m)) {
      droppedTokens += counts[k - 1]!;
      droppedMessages++;
      if (roleOf(m) === 'assistant') turns++;
    }
    if (roleOf(messages[k]) !== 'assistant' || droppedMessages === 0) continue;
    const marker = droppedTurnsMarker(carried.turns + turns, carried.messages + droppedMessages);
    const next = total - droppedTokens + MESSAGE_OVERHEAD + counter([marker])[0]!;
    best = { k, total: next, turns: carried.turns + turns, messages: carried.messages + droppedMessages };
    if (fits(next)) break;
  }
  if (best === undefined || best.total >= total) return undefined;
  const dropped = new Set<number>();
  const tail: unknown[] = [];
  for (let i = start; i < best.k; i++) {
    if (kept(messages[i])) tail.push(messages[i]);
    else dropped.add(i);
  }
  const marker: Obj = { role: 'user', content: droppedTurnsMarker(best.turns, best.messages) };
  const head = messages.slice(0, previousMarker === undefined ? start : start - 1);
  return { messages: [...head, marker, ...tail, ...messages.slice(best.k)], total: best.total, dropped };
}
