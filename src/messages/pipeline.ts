// The compress pipeline: messages → candidate blocks → memo / one engine batch → blocks → messages,
// then the over-limit step (over-limit.ts). Written once as a generator that yields what it needs
// from outside (an engine batch, the context limit, an exact count), so `compressSync` and
// `compress` drive the same steps, synchronously or on the thread pool.

import { ALGORITHM_VERSION } from '../engine/algorithm.js';
import {
  isFailure,
  type BlockFailure,
  type BlockInput,
  type BlockKind,
  type BlockOptions,
  type BlockOutcome,
  type BlockResult,
  type EncodingName,
  type Engine,
  type Omission,
} from '../engine/types.js';
import { messageCounts, messageTexts, memoCounter, recordCounts, REQUEST_OVERHEAD, uncounted } from './count.js';
import { MACHINE_KINDS } from './eligibility.js';
import { carriesNote } from '../retrieval/annotate.js';
import { retrievalKeyOf, type RetrievalRun } from '../retrieval/run.js';
import type { Memo, MemoAccess } from './memo.js';
import { fitToLimit, type LimitQuestion, type LimitSettings } from './over-limit.js';
import { siteQueries } from './query.js';
import { locate, type BlockSite } from './sites.js';
import { spliceMessage, type Replacement } from './splice.js';
import { isObj } from './types.js';

/** Settings of one run, validated and resolved by `compress`. */
export interface PipelineSettings extends LimitSettings {
  encoding: EncodingName;
  /** Replaces every block's own stable query. */
  query: string | undefined;
  isProtected: (name: string) => boolean;
  minTokens: number;
  enabled: boolean;
  /** Kinds whose compressor is switched off (`json`, `log`, `search`, `diff`), in that order. */
  disabled: readonly BlockKind[];
  /** With a store: lossy blocks name their retrieval key in their markers (src/retrieval). */
  retrieval?: RetrievalRun | undefined;
}

export interface PipelineEnv {
  engine: Engine;
  memo: Memo;
  /** Why a batch stopped early: the caller's signal, or the timeout. */
  stopReason: () => 'aborted' | 'timeout';
}

/** What the pipeline asks of its driver. */
export type PipelineRequest =
  /** Compress these blocks: answered with one `BlockOutcome` per input. */
  | { op: 'compress'; inputs: BlockInput[] }
  /** Count these texts' tokens in the run's encoding: answered with one count per text. */
  | { op: 'count'; texts: string[] }
  /** Detect these texts' kinds: answered with one `BlockKind` per text. */
  | { op: 'detect'; texts: string[] }
  /** A point where the event loop may turn (an async driver waits for the next turn; answered with nothing). */
  | { op: 'turn' }
  | LimitQuestion;

/**
 * Most UTF-16 units of text the pipeline reads or copies between two `turn`s: looking a block up in
 * the memo compares it in full, remembering it copies it (~0.2 ms per group on a fast core).
 */
const TURN_UNITS = 256 * 1024;

/** Counts the units of text worked on and asks for a turn each time TURN_UNITS have gone by. */
function* slice(units: { done: number }, text: string): Generator<PipelineRequest, void, unknown> {
  units.done += text.length;
  if (units.done <= TURN_UNITS) return;
  units.done = text.length;
  yield { op: 'turn' };
}

/** A block that was compressed. */
export interface CompressedBlock {
  /** Index of the message in the messages passed in. */
  messageIndex: number;
  /** Index of the block in the message's content; -1 when the content is a string. */
  blockIndex: number;
  /** For a text block inside a tool_result's content: its index there. */
  partIndex?: number;
  kind: BlockKind;
  tokensBefore: number;
  tokensAfter: number;
  /** What was done, e.g. `json:table`, `log:fold`. */
  strategy: string;
  /** What was left out, in the unit the compressor dropped. */
  omitted: Omission[];
  /** With a store: the key under which the model can retrieve the original (named in the block's markers). */
  retrievalKey?: string;
}

/** A block left untouched because of an error or a deadline. */
export interface BlockFailureReport {
  messageIndex: number;
  blockIndex: number;
  partIndex?: number;
  /** `timeout`: `timeoutMs` passed first; `aborted`: the signal fired first; `error`: the engine failed on it. */
  reason: 'timeout' | 'aborted' | 'error';
  message: string;
}

export interface PipelineOutput {
  messages: unknown[];
  tokensBefore: number;
  tokensAfter: number;
  blocks: CompressedBlock[];
  failures: BlockFailureReport[];
  transformsApplied: string[];
  memo: { hits: number; misses: number };
}

export function* pipeline(
  messages: readonly unknown[],
  s: PipelineSettings,
  env: PipelineEnv,
): Generator<PipelineRequest, PipelineOutput, unknown> {
  const { engine } = env;
  const memo = env.memo.scope();
  const memoStats = { hits: 0, misses: 0 };
  const sites = s.enabled ? locate(messages, s.format, s.isProtected) : [];
  const kinds = yield* userKinds(sites, memo);
  const queries = s.query === undefined ? siteQueries(messages.length, sites, kinds) : sites.map(() => s.query!);
  const candidates = sites.flatMap((site, k) => (site.source === 'tool' || MACHINE_KINDS.has(kinds[k]!) ? [k] : []));
  const failures = new Map<number, BlockFailure>();

  /** Compressed forms of sites `ks`: from the memo, the rest in one engine batch. */
  function* compressSites(
    ks: readonly number[],
    maxBlockTokens: number,
    reportFailures: boolean,
  ): Generator<PipelineRequest, Map<number, BlockResult>, unknown> {
    const options: Omit<BlockOptions, 'query'> = {
      encoding: s.encoding,
      minTokens: s.minTokens,
      maxBlockTokens,
      ...(s.disabled.length === 0 ? {} : { disabled: s.disabled }),
    };
    const results = new Map<number, BlockResult>();
    const retrievable = (): Map<number, BlockResult> => {
      const site = (k: number) => ({ text: sites[k]!.text, settings: settingsKey(options, queries[k]!) });
      s.retrieval?.annotate(results, site, engine, memo, s.encoding);
      return results;
    };
    const misses: number[] = [];
    const units = { done: 0 };
    for (const k of ks) {
      yield* slice(units, sites[k]!.text);
      const hit = memo.result(sites[k]!.text, settingsKey(options, queries[k]!));
      if (hit !== undefined) results.set(k, hit);
      // headroom's own output sent back is never compressed again (its notes can take it past maxBlockTokens).
      else if (!carriesNote(sites[k]!.text)) misses.push(k);
    }
    memoStats.hits += results.size;
    memoStats.misses += misses.length;
    if (misses.length === 0) return retrievable();
    const inputs = misses.map((k) => ({ content: sites[k]!.text, options: { ...options, query: queries[k]! } }));
    const outcomes = (yield { op: 'compress', inputs }) as BlockOutcome[];
    units.done = 0;
    for (const [i, k] of misses.entries()) {
      const outcome: BlockOutcome = outcomes[i] ?? { failure: 'error', message: 'the engine returned no result' };
      if (isFailure(outcome)) {
        if (reportFailures) failures.set(k, outcome);
        continue;
      }
      yield* slice(units, sites[k]!.text);
      // A failure is never memoised: a later turn must get the chance to compress this block.
      memo.setResult(sites[k]!.text, settingsKey(options, queries[k]!), outcome);
      results.set(k, outcome);
    }
    return retrievable();
  }

  const accepted = (k: number, r: BlockResult): boolean =>
    r.modified &&
    r.tokensAfter < r.tokensBefore &&
    /\S/.test(r.content) && // an empty text block would break the request
    (sites[k]!.source === 'tool' || MACHINE_KINDS.has(r.kind));

  const normal = yield* compressSites(candidates, s.maxBlockTokens, true);
  const chosen = new Map<number, BlockResult>();
  const known = new Map<string, number>();
  for (const [k, r] of normal) {
    known.set(sites[k]!.text, r.tokensBefore);
    if (!accepted(k, r)) continue;
    chosen.set(k, r);
    known.set(r.content, r.tokensAfter);
  }

  // Every text of the conversation not counted yet, counted at once by the driver (off the calling
  // thread where the engine can): the counts below then come from `known` and the memo.
  const toCount = uncounted(messageTexts(messages, s.format, memo), s.encoding, memo, known);
  if (toCount.length > 0) recordCounts(toCount, (yield { op: 'count', texts: toCount }) as number[], s.encoding, memo, known);
  const counter = memoCounter((texts) => engine.countTokensMany(texts, s.encoding), s.encoding, memo, known);
  const countsIn = messageCounts(messages, s.format, counter, memo);
  const sitesByMessage = groupByMessage(sites);
  const out: unknown[] = messages.map((m, i) => rebuild(m, i));
  const countsOut = recount(out, messages, countsIn);
  const tokensBefore = sum(countsIn) + REQUEST_OVERHEAD;
  let total = sum(countsOut) + REQUEST_OVERHEAD;
  const transforms: string[] = [];
  let result = out;
  let dropped: ReadonlySet<number> = new Set();

  function rebuild(m: unknown, i: number): unknown {
    const ks = sitesByMessage.get(i);
    if (ks === undefined || !isObj(m)) return m;
    const replacements: Replacement[] = ks.flatMap((k) => {
      const r = chosen.get(k);
      return r === undefined ? [] : [{ site: sites[k]!, text: r.content }];
    });
    return spliceMessage(m, s.format, replacements);
  }

  function recount(now: readonly unknown[], before: readonly unknown[], counts: readonly number[]): number[] {
    const changed = now.flatMap((m, i) => (m === before[i] ? [] : [i]));
    const fresh = messageCounts(changed.map((i) => now[i]), s.format, counter, memo);
    const next = [...counts];
    changed.forEach((i, c) => (next[i] = fresh[c]!));
    return next;
  }

  if (s.enabled) {
    const fitted = yield* fitToLimit({
      settings: s,
      out,
      counts: countsOut,
      total,
      counter,
      memo,
      *harder(maxBlockTokens) {
        // Older blocks first: everything before the latest message, oldest first.
        const last = messages.length - 1;
        const older = candidates.filter((k) => sites[k]!.message < last);
        // A block the harder pass cannot reach keeps its normal form: not a failure to report.
        const harder = yield* compressSites(older, maxBlockTokens, false);
        return older.flatMap((k) => {
          const r = harder.get(k);
          const now = chosen.get(k)?.tokensAfter ?? normal.get(k)?.tokensBefore;
          if (r === undefined || !accepted(k, r) || (now !== undefined && r.tokensAfter >= now)) return [];
          const i = sites[k]!.message;
          const take = (): unknown => {
            chosen.set(k, r);
            known.set(r.content, r.tokensAfter);
            return rebuild(messages[i], i);
          };
          return [{ message: i, take }];
        });
      },
    });
    result = fitted.messages;
    total = fitted.total;
    dropped = fitted.dropped;
    transforms.push(...fitted.transforms);
  }

  const blocks: CompressedBlock[] = [];
  const strategies: string[] = [];
  for (const k of [...chosen.keys()].sort((a, b) => a - b)) {
    const site = sites[k]!;
    if (dropped.has(site.message)) continue;
    const r = chosen.get(k)!;
    const retrievalKey = retrievalKeyOf(r);
    blocks.push({
      ...position(site),
      kind: r.kind,
      tokensBefore: r.tokensBefore,
      tokensAfter: r.tokensAfter,
      strategy: r.strategy,
      omitted: r.omitted,
      ...(retrievalKey === undefined ? {} : { retrievalKey }),
    });
    if (!strategies.includes(r.strategy)) strategies.push(r.strategy);
  }
  const failureReports: BlockFailureReport[] = [...failures.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([k]) => !dropped.has(sites[k]!.message))
    .map(([k, f]) => ({
      ...position(sites[k]!),
      reason: f.failure === 'stopped' ? env.stopReason() : 'error',
      message: f.message,
    }));
  return {
    messages: result,
    tokensBefore,
    tokensAfter: total,
    blocks,
    failures: failureReports,
    transformsApplied: [...strategies, ...transforms],
    memo: memoStats,
  };
}

/** Kinds of the user text sites (from the memo, the rest detected in one request to the driver). */
function* userKinds(sites: readonly BlockSite[], memo: MemoAccess): Generator<PipelineRequest, (BlockKind | undefined)[], unknown> {
  const kinds = sites.map((site) => (site.source === 'user' ? memo.kind(site.text) : undefined));
  const unknown = sites.flatMap((site, k) => (site.source === 'user' && kinds[k] === undefined ? [k] : []));
  if (unknown.length > 0) {
    const detected = (yield { op: 'detect', texts: unknown.map((k) => sites[k]!.text) }) as BlockKind[];
    unknown.forEach((k, i) => {
      kinds[k] = detected[i];
      memo.setKind(sites[k]!.text, detected[i]!);
    });
  }
  return kinds;
}

/** The memo key of a block's settings: everything besides its text that its compressed form depends on. */
function settingsKey(options: Omit<BlockOptions, 'query'>, query: string): string {
  const disabled = options.disabled?.join(',') ?? '';
  return `${ALGORITHM_VERSION}\u0000${options.encoding}\u0000${options.minTokens}\u0000${options.maxBlockTokens}\u0000${disabled}\u0000${query}`;
}

function groupByMessage(sites: readonly BlockSite[]): Map<number, number[]> {
  const by = new Map<number, number[]>();
  sites.forEach((site, k) => {
    const list = by.get(site.message);
    if (list === undefined) by.set(site.message, [k]);
    else list.push(k);
  });
  return by;
}

function position(site: BlockSite): { messageIndex: number; blockIndex: number; partIndex?: number } {
  return site.part < 0
    ? { messageIndex: site.message, blockIndex: site.block }
    : { messageIndex: site.message, blockIndex: site.block, partIndex: site.part };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
