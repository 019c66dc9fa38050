// The JS engine's async entry on worker threads: the same outcomes as on the calling thread, the
// caller's stop honoured inside the worker, an idle worker never keeping the process alive, and the
// calling thread doing the work when no worker can start.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compressWith } from '../../src/compress.js';
import { jsEngine } from '../../src/engine/js/index.js';
import { createJsWorkerEngine } from '../../src/engine/js-worker.js';
import { isFailure, type BlockInput, type BlockOptions } from '../../src/engine/types.js';
import { Memo } from '../../src/messages/memo.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';

const options: BlockOptions = { encoding: 'o200k_base', query: 'error', minTokens: 200, maxBlockTokens: 4000 };
const texts = corpusFiles('', (f) => /\.(json|log|patch|diff|txt)$/.test(f)).map((f) => readFileSync(corpusPath(f), 'utf8'));

/** Over 400 kB of distinct blocks: the corpus files come round again, each round distinct. */
function largeBatch(): BlockInput[] {
  const all: BlockInput[] = [];
  for (let round = 0; all.reduce((n, i) => n + i.content.length, 0) <= 400_000; round++) {
    all.push(...texts.map((t) => ({ content: round === 0 ? t : `${t}\nround ${round}`, options })));
  }
  return all;
}

describe('the JS engine on worker threads', () => {
  const batch = largeBatch();
  const expected = jsEngine.compressBlocksUntil(batch, {});

  it('gives a large batch the outcomes the calling thread gives, untouched blocks as the very input', async () => {
    const engine = createJsWorkerEngine();
    const out = await engine.compressBlocksAsync(batch, { signal: new AbortController().signal, deadline: performance.now() + 600_000 });
    expect(engine.workerStats()).toEqual({ started: 1, unavailable: undefined });
    expect(out).toEqual(expected);
    out.forEach((o, i) => {
      if (!isFailure(o) && !o.modified) expect(o.content).toBe(batch[i]!.content);
    });
  });

  it('leaves the event loop free while it works on one large block', async () => {
    const engine = createJsWorkerEngine();
    const one = [{ content: batch.map((i) => i.content).join('\n').slice(0, 300_000), options }];
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    await engine.compressBlocksAsync(one, {});
    done = true;
    // On the calling thread the loop would not turn before the block is done.
    expect(turns).toBeGreaterThan(2);
  });

  it('runs small batches on the calling thread', async () => {
    const engine = createJsWorkerEngine();
    const small = batch.filter((i) => i.content.length < 4000).slice(0, 3);
    expect(await engine.compressBlocksAsync(small, {})).toEqual(jsEngine.compressBlocksUntil(small, {}));
    expect(engine.workerStats().started).toBe(0);
  });

  it('an abort raised while the worker runs stops it between blocks, and inside a long one', async () => {
    const engine = createJsWorkerEngine();
    const controller = new AbortController();
    const pending = engine.compressBlocksAsync([...batch, ...batch.map((i) => ({ ...i, content: `${i.content}\nagain` }))], { signal: controller.signal });
    setImmediate(() => controller.abort());
    const out = await pending;
    const first = out.findIndex(isFailure);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(out.slice(first).every((o) => isFailure(o) && o.failure === 'stopped')).toBe(true);
    expect(out.slice(0, first)).toEqual(expected.slice(0, first));
    expect(engine.workerStats().started).toBe(1);
  });

  it('a deadline reaches the worker: a passed one stops every block', async () => {
    const engine = createJsWorkerEngine({ minUnits: 0 });
    const out = await engine.compressBlocksAsync(batch, { deadline: performance.now() - 1 });
    expect(out.every((o) => isFailure(o) && o.failure === 'stopped')).toBe(true);
  });

  it('falls back to the calling thread when no worker can start, with the same outcomes', async () => {
    const engine = createJsWorkerEngine({ entry: new URL('./no-such-worker-entry.js', import.meta.url) });
    expect(await engine.compressBlocksAsync(batch, {})).toEqual(expected);
    expect(engine.workerStats().unavailable).toMatch(/worker thread failed to start/);
    // Later batches go straight to the calling thread.
    expect(await engine.compressBlocksAsync(batch.slice(0, 40), {})).toEqual(expected.slice(0, 40));
    expect(engine.workerStats().started).toBe(1);
  });

  it('compress() with the JS engine gives the in-thread result through the worker', async () => {
    const messages = batch.slice(0, 30).flatMap((input, i) => [
      { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: `t${i}`, name: 'run', input: {} }] },
      { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: `t${i}`, content: input.content }] },
    ]);
    const conversation = [{ role: 'user' as const, content: 'go' }, ...messages];
    const engine = createJsWorkerEngine();
    const viaWorker = await compressWith({ engine, memo: new Memo() }, conversation, { model: 'claude-opus-4-6' });
    const inThread = await compressWith({ engine: jsEngine, memo: new Memo() }, conversation, { model: 'claude-opus-4-6' });
    expect(engine.workerStats().started).toBe(1);
    expect(viaWorker.messages).toEqual(inThread.messages);
    expect({ ...viaWorker, durationMs: 0 }).toEqual({ ...inThread, durationMs: 0 });
  });

  it('an idle worker does not keep the process alive', () => {
    // A child compresses a large request with HEADROOM_ENGINE=js and returns from its script: it
    // must exit on its own, having used a worker.
    const script = `
      import { compress, engineInfo } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)};
      import { jsWorkerEngine } from ${JSON.stringify(new URL('../../src/engine/js-worker.ts', import.meta.url).href)};
      const texts = Array.from({ length: 4 }, (_, b) => Array.from({ length: 3000 }, (_, k) => '12:00:0' + (k % 10) + ' INFO job ' + b + ' step ' + k + ' ok').join('\\n'));
      const messages = texts.flatMap((content, i) => [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't' + i, name: 'run', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' + i, content }] },
      ]);
      const result = await compress([{ role: 'user', content: 'go' }, ...messages]);
      console.log(JSON.stringify({ engine: engineInfo().engine, started: jsWorkerEngine.workerStats().started, saved: result.tokensSaved > 0 }));
    `;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, HEADROOM_ENGINE: 'js' },
      timeout: 100_000,
      maxBuffer: 1 << 20,
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ engine: 'js', started: 1, saved: true });
  });
});
