// The pipeline hands the event loop back while it reads or copies much text (memo lookups, memo
// writes): a `turn` request every 256 K units, which the synchronous driver answers at once.
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith } from '../../src/compress.js';
import { Memo } from '../../src/messages/memo.js';
import { pipeline, type PipelineRequest, type PipelineSettings } from '../../src/messages/pipeline.js';
import { fakeEngine } from '../support/fake-engine.js';

const block = (i: number): string => Array.from({ length: 2000 }, (_, k) => `line ${k % 3} of block ${i}`).join('\n');
const messages = [
  { role: 'user' as const, content: 'go' },
  ...Array.from({ length: 24 }, (_, i) => [
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: `t${i}`, name: 'run', input: {} }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: `t${i}`, content: block(i) }] },
  ]).flat(),
];
const units = messages.reduce((n, m) => n + (typeof m.content === 'string' ? 0 : m.content.reduce((u, b) => u + ('content' in b ? b.content.length : 0), 0)), 0);

const settings: PipelineSettings = {
  format: 'anthropic',
  encoding: 'o200k_base',
  query: undefined,
  isProtected: () => false,
  minTokens: 200,
  maxBlockTokens: 4000,
  enabled: true,
  dropTurns: true,
  disabled: [],
  fixedTokens: 0,
  maxTokens: 0,
  estimate: (n) => n,
};

/** The ops the pipeline asks for, answering as compressSync does. */
function ops(memo: Memo): string[] {
  const engine = fakeEngine();
  const asked: string[] = [];
  const steps = pipeline(messages, settings, { engine, memo, stopReason: () => 'timeout' });
  let next = steps.next();
  while (!next.done) {
    const request: PipelineRequest = next.value;
    asked.push(request.op);
    const answers: Record<PipelineRequest['op'], () => unknown> = {
      compress: () => request.op === 'compress' && engine.compressBlocksUntil(request.inputs, {}),
      count: () => request.op === 'count' && engine.countTokensMany(request.texts, 'o200k_base'),
      detect: () => request.op === 'detect' && engine.detectKinds(request.texts),
      limit: () => Infinity,
      exact: () => undefined,
      turn: () => undefined,
    };
    next = steps.next(answers[request.op]());
  }
  return asked;
}

describe('pipeline turns', () => {
  it('asks for a turn per 256 K units looked up and per 256 K units remembered', () => {
    expect(units).toBeGreaterThan(3 * 256 * 1024);
    const memo = new Memo();
    const first = ops(memo);
    const turns = (list: string[]) => list.filter((op) => op === 'turn').length;
    // Looked up, then remembered: about units / 256 K turns each.
    expect(turns(first)).toBeGreaterThanOrEqual(2 * Math.floor(units / (256 * 1024)));
    expect(first.indexOf('compress')).toBeGreaterThan(first.indexOf('turn'));
    // Resent: every block from the memo, the lookups still in slices.
    const again = ops(memo);
    expect(again).not.toContain('compress');
    expect(turns(again)).toBeGreaterThanOrEqual(Math.floor(units / (256 * 1024)));
  });

  it('compress and compressSync give the same result', async () => {
    const engine = fakeEngine();
    const viaAsync = await compressWith({ engine, memo: new Memo() }, messages);
    const viaSync = compressSyncWith({ engine, memo: new Memo() }, messages);
    expect({ ...viaAsync, durationMs: 0 }).toEqual({ ...viaSync, durationMs: 0 });
  });
});
