// The stated memory bound (README, "Limits"; issue 17): no class of hostile input makes an engine's
// peak RSS, above the process's own, exceed its multiple of the input's size plus a fixed step. Each input (2 MB,
// generated in the child) runs in a fresh process, so each peak is its own. The default pass
// measures the native engine, the HEADROOM_ENGINE=js pass the JS engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { forcedJs, nativeEngine } from '../support/engines.js';
import { BOUND, MEMORY_CLASSES, measureMemory, WORKER_MB, type MemoryUse, type Via } from '../support/memory.js';

const engine = forcedJs ? 'js' : 'native';
const SIZE_MB = 2;
/** compress() of a whole request, on a few classes: the message layer's own copies on top. */
const REQUESTS = ['unique log lines', 'JSON with lone surrogates', 'run of "["'];

describe.skipIf(!forcedJs && nativeEngine === undefined)(`${engine} engine: peak memory within the stated bound`, () => {
  const cases: { name: string; via: Via; bound: number; allowanceMB: number }[] = [];
  for (const c of MEMORY_CLASSES) {
    const bound = c.degenerate === true ? BOUND[engine].degenerate : BOUND[engine].ordinary;
    cases.push({ name: c.name, via: 'block', bound, allowanceMB: BOUND[engine].fixedMB });
    // The JS engine's compress() hands a large block to a worker thread: its start is a fixed cost.
    if (REQUESTS.includes(c.name)) cases.push({ name: c.name, via: 'request', bound, allowanceMB: BOUND[engine].fixedMB + (engine === 'js' ? WORKER_MB : 0) });
  }
  const measured = new Map<string, MemoryUse>();
  const key = (name: string, via: Via): string => `${name} ${via}`;

  beforeAll(async () => {
    // Two children at a time: each peak is its own process's.
    let next = 0;
    const run = async (): Promise<void> => {
      while (next < cases.length) {
        const { name, via } = cases[next++]!;
        measured.set(key(name, via), await measureMemory(engine, name, SIZE_MB, via));
      }
    };
    await Promise.all([run(), run()]);
  }, 300_000);

  for (const { name, via, bound, allowanceMB } of cases) {
    it(`${name} (${via === 'block' ? 'compressBlocks' : 'compress() of a request'}): peak ≤ ${bound}× input + ${allowanceMB} MB`, () => {
      const use = measured.get(key(name, via))!;
      expect(use.inputMB).toBeGreaterThan(SIZE_MB * 0.9);
      expect(use.peakMB - use.startMB - allowanceMB, JSON.stringify(use)).toBeLessThanOrEqual(bound * use.inputMB);
    });
  }
});
