// Reliability on hostile input, JS engine (issue 17): every generated input finishes and passes the
// checks of support/hostile.ts; a stop is seen inside token counting and between blocks. Runs in
// the HEADROOM_ENGINE=js pass; parity with native is checked by reliability/native.test.ts.
import { describe, expect, it } from 'vitest';
import { compressWith } from '../../src/compress.js';
import { compressBlockUntil } from '../../src/engine/js/index.js';
import { Stopped } from '../../src/engine/js/stop.js';
import type { Engine } from '../../src/engine/types.js';
import { countTokensUntil } from '../../src/engine/js/tokens.js';
import { Memo } from '../../src/messages/memo.js';
import { forcedJs, js } from '../support/engines.js';
import { compressChecked, HOSTILE, OPTIONS, retainedAfterDistinctInputs } from '../support/hostile.js';

describe.skipIf(!forcedJs)('JS engine on hostile input', () => {
  for (const input of HOSTILE) {
    it(`${input.name}: finishes and passes the checks`, () => {
      compressChecked(js, input.text());
    });
  }

  it('a passed deadline stops token counting inside one long piece', () => {
    const run = 'a'.repeat(4 << 20);
    expect(() => countTokensUntil(run, 'o200k_base', { deadline: -Infinity })).toThrow(Stopped);
    expect(() => compressBlockUntil(run, OPTIONS, { deadline: -Infinity })).toThrow(Stopped);
    expect(countTokensUntil(run, 'o200k_base', { deadline: Infinity })).toBe(1 << 19);
  });

  it('an abort raised while a batch runs stops the blocks after the current one', async () => {
    const block = (i: number): string => Array.from({ length: 3000 }, (_, k) => `12:00:00 INFO job ${i} step ${k} ok`).join('\n');
    const messages: unknown[] = [{ role: 'user', content: 'go' }];
    for (let i = 0; i < 4; i++) {
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'logs', input: {} }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: block(i) }] });
    }
    const controller = new AbortController();
    // Raised once the batch has started (the first block holds the thread well past the timer).
    const engine: Engine = {
      ...js,
      compressBlocksAsync: (inputs, stop) => {
        setTimeout(() => controller.abort(), 0);
        return js.compressBlocksAsync(inputs, stop);
      },
    };
    const result = await compressWith({ engine, memo: new Memo() }, messages as never, { signal: controller.signal });
    expect(result.blocks.map((b) => b.messageIndex)).toEqual([2]);
    expect(result.failures.map((f) => [f.messageIndex, f.reason])).toEqual([
      [4, 'aborted'],
      [6, 'aborted'],
      [8, 'aborted'],
    ]);
  });

  it('caches hold nothing of the caller\'s input: 400 distinct inputs sliced from 1 MB strings', async () => {
    // The memo is bounded to 1 M characters (2 MB) and the piece memo to 2 M units; a cache holding
    // a slice would hold its whole 1 MB parent: 100s of MB.
    const { held, cleared } = await retainedAfterDistinctInputs(js, 400);
    expect(held).toBeLessThan(32 << 20);
    expect(cleared).toBeLessThan(24 << 20);
  });
});
