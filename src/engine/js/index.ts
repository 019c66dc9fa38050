// The JS engine: a TypeScript port of headroom-core, module for module, with byte-identical output.
// This file is the twin of headroom-core's lib.rs: the block entry.

import { detached } from '../detach.js';
import { nextTurn } from '../turns.js';
import { isFailure, type BlockInput, type BlockKind, type BlockOptions, type BlockOutcome, type BlockResult, type Compressed, type Engine, type StopWhen } from '../types.js';
import * as budget from './budget.js';
import { detect, detectLines, opaqueForm } from './detect.js';
import * as diff from './diff.js';
import * as json from './json/index.js';
import { parse } from './json/tape.js';
import * as log from './log.js';
import { hasMarkerLine } from './marker.js';
import * as metrics from './metrics.js';
import * as opaque from './opaque.js';
import * as search from './search.js';
import { NEVER, Stopped, stopReached, Watch, within } from './stop.js';
import { countTokensMany, countTokens, countTokensWatched } from './tokens.js';

/** Compresses one block of tool output; never inflates. */
export function compressBlock(content: string, options: BlockOptions): BlockResult {
  return compressBlockUntil(content, options, NEVER);
}

/**
 * `compressBlock`, throwing `Stopped` once `stop` is reached (twin of lib.rs `compress_block_until`):
 * token counting and the compressors look at it inside their loops, every few milliseconds at most.
 */
export function compressBlockUntil(content: string, options: BlockOptions, stop: StopWhen): BlockResult {
  return within(stop, () => compressBlockWithin(content, options, stop));
}

function compressBlockWithin(content: string, options: BlockOptions, stop: StopWhen): BlockResult {
  const watch = new Watch(stop);
  const text = content.isWellFormed() ? content : content.toWellFormed();
  const tokensBefore = countTokensWatched(text, options.encoding, watch);
  // A block that may be compressed is parsed as JSON once, for detection and compression both.
  const tryJson = tokensBefore >= options.minTokens && options.disabled?.includes('json') !== true;
  const tape = tryJson ? parse(text) : undefined;
  const kind = tape !== undefined ? 'json' : tryJson ? detectLines(text) : detect(text);
  const untouched: BlockResult = {
    content,
    kind,
    tokensBefore,
    tokensAfter: tokensBefore,
    modified: false,
    strategy: 'none',
    omitted: [],
  };
  if (tokensBefore < options.minTokens) return untouched;
  if (options.disabled?.includes(kind) === true) return untouched;
  const max = options.maxBlockTokens;
  let proposal: Compressed | undefined;
  switch (kind) {
    case 'json':
      if (tape !== undefined) proposal = json.compress(text, tape, options);
      break;
    case 'log': {
      // A metric series is a log whose rows are numbers: its own selection keeps its anomalies.
      const series = metrics.parse(text);
      proposal = series !== undefined ? metrics.compress(series, text, options) : log.compress(text, options, content);
      break;
    }
    case 'search':
      proposal = search.compress(text, options);
      break;
    case 'diff':
      proposal = diff.compress(text, options, content);
      break;
    case 'opaque': {
      const form = opaqueForm(text);
      if (Number.isFinite(max) && tokensBefore > max && form !== undefined) proposal = opaque.compress(text, form, max);
      break;
    }
    case 'code':
    case 'text':
      break;
  }
  let best: [Compressed, number] | undefined;
  if (proposal !== undefined) {
    const tokens = proposal.tokens ?? countTokensWatched(proposal.content, options.encoding, watch);
    if (tokens < tokensBefore) best = [proposal, tokens];
  }
  // The budget is a ceiling on unstructured output: what is still far above it is cut by
  // position. JSON (kept valid) and diffs (every change kept) keep their compressors' rules.
  // A block holding marker lines is compressed output already: cutting it again would break
  // idempotence (a compressed diff may detect as text).
  const structured = kind === 'json' || kind === 'diff';
  if (Number.isFinite(max) && !structured) {
    const tokens = best?.[1] ?? tokensBefore;
    if (budget.farAbove(tokens, max) && !hasMarkerLine(text)) {
      // Kept lines as given: the log compressor's output, or the caller's own text.
      const cut = best !== undefined ? budget.cut(best[0].content.toWellFormed(), max, tokens, options.encoding, watch, best[0].content) : budget.cut(text, max, tokens, options.encoding, watch, content);
      const cutTokens = cut.tokens ?? countTokensWatched(cut.content, options.encoding, watch);
      if (best !== undefined) {
        cut.strategy = `${best[0].strategy}+${cut.strategy}`;
        cut.omitted = [...best[0].omitted, ...cut.omitted];
      }
      if (cutTokens < tokens) best = [cut, cutTokens];
    }
  }
  if (best === undefined) return untouched;
  const [chosen, tokensAfter] = best;
  // Detached, as the native engine's strings are: a result may be kept (the memo) long after the input.
  const omitted = chosen.omitted.map((o) => ({ ...o, unit: detached(o.unit), summary: detached(o.summary) }));
  return { content: detached(chosen.content), kind, tokensBefore, tokensAfter, modified: true, strategy: chosen.strategy, omitted };
}

export function compressBlocks(inputs: readonly BlockInput[]): BlockResult[] {
  return inputs.map((i) => compressBlock(i.content, i.options));
}

/** The detected kind of each text (on the same well-formed text `compressBlock` detects on). */
export function detectKinds(texts: readonly string[]): BlockKind[] {
  return texts.map((t) => detect(t.isWellFormed() ? t : t.toWellFormed()));
}

/**
 * Compresses blocks in order until `stop` (twin of batch.rs `compress_until`); an exception in
 * a compressor fails only its own block.
 */
export function compressBlocksUntil(inputs: readonly BlockInput[], stop: StopWhen): BlockOutcome[] {
  let stopped = false;
  return inputs.map((i): BlockOutcome => {
    stopped ||= stopReached(stop);
    if (stopped) return { failure: 'stopped', message: 'stopped' };
    try {
      return compressBlockUntil(i.content, i.options, stop);
    } catch (err) {
      if (err instanceof Stopped) {
        stopped = true;
        return { failure: 'stopped', message: 'stopped' };
      }
      return { failure: 'error', message: err instanceof Error ? err.message : String(err) };
    }
  });
}

/**
 * The JS engine has no thread to move to: it works on the calling thread, one block per turn of
 * the event loop, so other work (and an abort) gets its turn between blocks. A single block still
 * holds the thread while it is compressed.
 */
async function compressBlocksAsync(inputs: readonly BlockInput[], stop: StopWhen): Promise<BlockOutcome[]> {
  const out: BlockOutcome[] = [];
  let stopped = false;
  for (const [k, input] of inputs.entries()) {
    if (k > 0 && !stopped) await nextTurn();
    const outcome: BlockOutcome = stopped ? { failure: 'stopped', message: 'stopped' } : compressBlocksUntil([input], stop)[0]!;
    stopped ||= isFailure(outcome) && outcome.failure === 'stopped';
    out.push(outcome);
  }
  return out;
}

export const jsEngine: Engine = {
  name: 'js',
  countTokens,
  countTokensMany,
  compressBlocks,
  detectKinds,
  compressBlocksUntil,
  compressBlocksAsync,
};
