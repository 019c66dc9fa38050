// Reliability on hostile input, JS engine (issue 17): every generated input finishes and passes the
// checks of support/hostile.ts; a stop is seen inside token counting and between blocks. Runs in
// the HEADROOM_ENGINE=js pass; parity with native is checked by reliability/native.test.ts.
import { describe, expect, it } from 'vitest';
import { compressWith } from '../../src/compress.js';
import { compressBlockUntil } from '../../src/engine/js/index.js';
import * as metrics from '../../src/engine/js/metrics.js';
import { Stopped, within } from '../../src/engine/js/stop.js';
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

  it('a stop that comes after the block is counted is seen inside each compressor', () => {
    const rows = (f: (i: number) => string): string => Array.from({ length: 20_000 }, (_, i) => f(i)).join('\n');
    const blocks: Record<string, string> = {
      log: rows((i) => `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z INFO worker-${i % 17} handled r${i.toString(16)} in ${i % 900}ms`),
      search: rows((i) => `src/mod${i % 300}/f${i % 41}.ts:${i}:  const v${i.toString(16)} = find(k${i * 7});`),
      metrics: `timestamp,value\n${rows((i) => `2024-01-01 ${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${50 + (i % 7)}.${i % 997}`)}`,
      json: JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `n${i.toString(16)}`, kind: i % 2 === 0 ? 'a' : 'b' }))),
      diff: `--- a/src/f.rs\n+++ b/src/f.rs\n${Array.from({ length: 2_500 }, (_, i) => {
        const a = i * 10 + 1;
        const context = (from: number): string => [0, 1, 2].map((k) => ` line ${from + k} of the unchanged body of f${i}\n`).join('');
        return `@@ -${a},7 +${a},7 @@ fn f${i}()\n${context(a)}-    old(${i});\n+    new(${i});\n${context(a + 4)}`;
      }).join('')}`,
    };
    for (const [name, text] of Object.entries(blocks)) {
      // A signal that counts the looks at it and reports an abort from look `at` on.
      const looking = (at: number): { signal: AbortSignal; looks: () => number } => {
        let looks = 0;
        const signal = { get aborted() { return ++looks >= at; } } as unknown as AbortSignal;
        return { signal, looks: () => looks };
      };
      const counting = looking(Infinity);
      countTokensUntil(text, 'o200k_base', counting);
      const whole = looking(Infinity);
      expect(compressBlockUntil(text, OPTIONS, whole).modified, name).toBe(true);
      // The compressor looks about as often again as the count before it, and a stop at its first
      // look is where it stops.
      expect(whole.looks(), name).toBeGreaterThan(2 * counting.looks());
      const late = looking(counting.looks() + 2);
      expect(() => compressBlockUntil(text, OPTIONS, late), name).toThrow(Stopped);
      expect(late.looks(), name).toBe(counting.looks() + 2);
    }
  });

  it('a stop is seen inside every loop of the metrics selection (twin of metrics.rs)', () => {
    // Level shifts, window and coverage ordering, selection and rendering each look at the stop:
    // one already reached is seen inside each of them.
    const text = `timestamp,cpu\n${Array.from({ length: 24_000 }, (_, i) => `2024-03-01 00:00:${String(i % 60).padStart(2, '0')},${i % 4000 < 2000 ? 40 : 60}.${String((i * 7919) % 100).padStart(2, '0')}`).join('\n')}\n`;
    const series = metrics.parse(text)!;
    const n = series.rows.length;
    const x = Float64Array.from(series.rows, (r) => r.x);
    const events = Array.from({ length: n }, (_, at) => ({ at, strength: 1 }));
    const plan: metrics.Plan = {
      series,
      costs: new Array<number>(n).fill(1),
      headerCost: 1,
      markerCost: 1,
      musts: [0, n - 1, 0, 0],
      anomalies: Array.from({ length: n }, (_, i) => i),
      coverage: metrics.coverageOrder(n),
    };
    const half = Array.from({ length: n }, (_, i) => i % 2 === 0);
    const loops: Record<string, () => unknown> = {
      'level shifts': () => metrics.shifts(x, 6, 0.01, []),
      'window order': () => metrics.windowOrder(events, n),
      'coverage order': () => metrics.coverageOrder(n),
      selection: () => metrics.select(plan, n),
      render: () => metrics.render(plan, half),
    };
    for (const [name, work] of Object.entries(loops)) {
      expect(() => within({ deadline: -Infinity }, work), name).toThrow(Stopped);
    }
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

  it('caches hold nothing of the caller\'s input: 2 000 distinct inputs sliced from 1 MB strings', async () => {
    // The memo is bounded to 1 M characters (2 MB) and the piece memo to 2 M units; a cache holding
    // a slice would hold its whole 1 MB parent: 100s of MB.
    const { held, cleared } = await retainedAfterDistinctInputs(js, 2000);
    expect(held).toBeLessThan(32 << 20);
    expect(cleared).toBeLessThan(24 << 20);
  });
});
