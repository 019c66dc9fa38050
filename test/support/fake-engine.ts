// A stand-in engine for message-layer tests, where blocks must actually shrink while the real
// compressors are written elsewhere. It detects runs of identical lines as `log` and folds each
// run into one line with a count; above maxBlockTokens it keeps the first lines and a marker.
// Counting is the real (JS) tokenizer. It records every batch, and can be told to fail on blocks
// containing a given word.
import { js } from './engines.js';
import type { BlockInput, BlockKind, BlockOptions, BlockOutcome, BlockResult, Engine, StopWhen } from '../../src/engine/types.js';

export interface FakeEngine extends Engine {
  /** Every compress batch, in order. */
  readonly batches: BlockInput[][];
  /** Texts sent to detection. */
  readonly detected: string[];
}

/** `log` for runs of identical lines, and for the engine's own output (folded lines, markers). */
export function detectFolding(text: string): BlockKind {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if ((i > 0 && line === lines[i - 1] && line !== '') || / \[×\d+\]$/.test(line) || (line.startsWith('[…') && line.endsWith('…]'))) return 'log';
  }
  return 'text';
}

function fold(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i + 1;
    while (j < lines.length && lines[j] === lines[i]) j++;
    out.push(j - i > 1 ? `${lines[i]} [×${j - i}]` : lines[i]!);
    i = j;
  }
  return out;
}

export function foldBlock(content: string, options: BlockOptions, failOn?: string): BlockResult {
  if (failOn !== undefined && content.includes(failOn)) throw new Error(`cannot compress a block containing ${failOn}`);
  const tokensBefore = js.countTokens(content, options.encoding);
  const kind = detectFolding(content);
  const untouched: BlockResult = { content, kind, tokensBefore, tokensAfter: tokensBefore, modified: false, strategy: 'none', omitted: [] };
  if (tokensBefore < options.minTokens || kind !== 'log') return untouched;
  const lines = fold(content);
  let strategy = 'fake:fold';
  const omitted: BlockResult['omitted'] = [];
  let text = lines.join('\n');
  if (js.countTokens(text, options.encoding) > options.maxBlockTokens) {
    // Keep lines that mention a query word first, then the earliest others, in their order, with a
    // marker for the rest: so the result depends on the query, as real selection does.
    const terms = new Set(options.query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3));
    const mentions = (line: string): boolean => line.toLowerCase().split(/[^a-z0-9]+/).some((w) => terms.has(w));
    const order = lines.map((_, i) => i).sort((a, b) => Number(mentions(lines[b]!)) - Number(mentions(lines[a]!)) || a - b);
    const render = (keep: Set<number>): string =>
      [...lines.filter((_, i) => keep.has(i)), `[… ${lines.length - keep.size} lines omitted …]`].join('\n');
    const keep = new Set<number>();
    for (const i of order) {
      keep.add(i);
      if (js.countTokens(render(keep), options.encoding) > options.maxBlockTokens) {
        keep.delete(i);
        break;
      }
    }
    omitted.push({ unit: 'lines', count: lines.length - keep.size, summary: '' });
    text = render(keep);
    strategy = 'fake:cut';
  }
  const tokensAfter = js.countTokens(text, options.encoding);
  if (tokensAfter >= tokensBefore) return untouched;
  return { content: text, kind, tokensBefore, tokensAfter, modified: true, strategy, omitted };
}

export function fakeEngine(options: { failOn?: string; name?: 'native' | 'js' } = {}): FakeEngine {
  const batches: BlockInput[][] = [];
  const detected: string[] = [];
  const until = (inputs: readonly BlockInput[], stop: StopWhen): BlockOutcome[] => {
    batches.push([...inputs]);
    let stopped = false;
    return inputs.map((i): BlockOutcome => {
      stopped ||= stop.signal?.aborted === true || (stop.deadline !== undefined && performance.now() >= stop.deadline);
      if (stopped) return { failure: 'stopped', message: 'stopped' };
      try {
        return foldBlock(i.content, i.options, options.failOn);
      } catch (err) {
        return { failure: 'error', message: (err as Error).message };
      }
    });
  };
  return {
    name: options.name ?? 'js',
    batches,
    detected,
    countTokens: js.countTokens,
    countTokensMany: js.countTokensMany,
    compressBlocks: (inputs) => inputs.map((i) => foldBlock(i.content, i.options)),
    detectKinds: (texts) => {
      detected.push(...texts);
      return texts.map(detectFolding);
    },
    compressBlocksUntil: until,
    compressBlocksAsync: async (inputs, stop) => until(inputs, stop),
  };
}
