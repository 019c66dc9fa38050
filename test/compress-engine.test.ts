// The engine interface the message layer uses: kinds in one call, batches that stop at a deadline or
// an abort (blocks not reached pass through as `stopped`), and the native AsyncTask that leaves the
// event loop free. Both engines, identical results.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compressSyncWith, compressWith } from '../src/compress.js';
import { jsWorkerEngine } from '../src/engine/js-worker.js';
import type { BlockInput, BlockOptions, Engine } from '../src/engine/types.js';
import { Memo } from '../src/messages/memo.js';
import { corpusFiles, corpusPath, corpusSample, fullCorpus } from './support/corpus.js';
import { engines, js, nativeEngine } from './support/engines.js';

const options: BlockOptions = { encoding: 'o200k_base', query: 'error', minTokens: 200, maxBlockTokens: 4000 };
const files = corpusFiles('', (f) => /\.(json|log|patch|diff)$/.test(f)).filter((_, i) => i % (fullCorpus ? 7 : 1) === 0);
const inputs: BlockInput[] = files.map((f) => ({ content: readFileSync(corpusPath(f), 'utf8'), options }));

/** The engines with async counting and detection: native, and the JS engine compress() gets from the loader. */
const offThread: Engine[] = nativeEngine === undefined ? [jsWorkerEngine] : [nativeEngine, jsWorkerEngine];

describe('engine additions', () => {
  it('detectKinds agrees with compressBlocks and between engines', () => {
    const texts = [...inputs.map((i) => i.content), '{"a":1}', 'plain words', 'lone \ud800 surrogate'];
    const kinds = engines().map((e) => e.detectKinds(texts));
    for (const k of kinds) expect(k).toEqual(kinds[0]);
    const viaBlocks = js.compressBlocks(texts.map((content) => ({ content, options }))).map((r) => r.kind);
    expect(kinds[0]).toEqual(viaBlocks);
  });

  it('with no deadline, compressBlocksUntil and compressBlocksAsync equal compressBlocks', async () => {
    const expected = js.compressBlocks(inputs);
    for (const e of engines()) {
      expect(e.compressBlocksUntil(inputs, {})).toEqual(expected);
      expect(await e.compressBlocksAsync(inputs, { signal: new AbortController().signal })).toEqual(expected);
    }
  });

  it.runIf(nativeEngine !== undefined)('large batches, spread over several threads natively, give the one-thread results in order', async () => {
    const texts = corpusFiles('', (f) => /\.(json|log|patch|diff)$/.test(f)).map((f) => readFileSync(corpusPath(f), 'utf8'));
    // Over 1 MB in all (the fixture corpus is smaller: its files come round again, each round distinct).
    const all: BlockInput[] = [];
    for (let round = 0; all.reduce((n, i) => n + i.content.length, 0) <= 1_000_000; round++) {
      all.push(...texts.map((t) => ({ content: round === 0 ? t : `${t}\nround ${round}`, options })));
    }
    const expected = nativeEngine!.compressBlocks(all);
    expect(nativeEngine!.compressBlocksUntil(all, {})).toEqual(expected);
    expect(await nativeEngine!.compressBlocksAsync(all, {})).toEqual(expected);
  });

  it('a passed deadline or an aborted signal stops before the first block', async () => {
    const aborted = new AbortController();
    aborted.abort();
    const stopped = inputs.map(() => ({ failure: 'stopped', message: 'stopped' }));
    for (const e of engines()) {
      expect(e.compressBlocksUntil(inputs, { deadline: performance.now() })).toEqual(stopped);
      expect(await e.compressBlocksAsync(inputs, { deadline: performance.now() - 1 })).toEqual(stopped);
      expect(e.compressBlocksUntil(inputs, { signal: aborted.signal })).toEqual(stopped);
      expect(await e.compressBlocksAsync(inputs, { signal: aborted.signal })).toEqual(stopped);
    }
  });

  it.runIf(nativeEngine !== undefined)('the native AsyncTask leaves the event loop free; the JS engine works on the calling thread', async () => {
    const big = Array.from({ length: 4 }, () => inputs).flat();
    let ticked = false;
    setImmediate(() => (ticked = true));
    await nativeEngine!.compressBlocksAsync(big, {});
    expect(ticked).toBe(true);
    ticked = false;
    setImmediate(() => (ticked = true));
    await js.compressBlocksAsync(inputs.slice(0, 1), {});
    expect(ticked).toBe(false);
  });

  it.runIf(nativeEngine !== undefined)('compress() hands large requests to the thread pool', async () => {
    const messages = inputs.slice(0, 6).flatMap((input, i) => [
      { role: 'assistant' as const, content: [{ type: 'tool_use', id: `t${i}`, name: 'run', input: {} }] },
      { role: 'user' as const, content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: input.content }] },
    ]);
    let ticked = false;
    setImmediate(() => (ticked = true));
    const result = await compressWith({ engine: nativeEngine!, memo: new Memo() }, [{ role: 'user', content: 'go' }, ...messages], { model: 'claude-opus-4-6' });
    expect(ticked).toBe(true);
    expect(result.memo.misses).toBe(6);
  });

  it('countTokensManyAsync and detectKindsAsync equal the synchronous calls', async () => {
    const texts = [...inputs.map((i) => i.content), 'lone \ud800 surrogate', ''];
    for (const e of offThread) {
      expect(await e.countTokensManyAsync!(texts, 'o200k_base')).toEqual(js.countTokensMany(texts, 'o200k_base'));
      expect(await e.detectKindsAsync!(texts)).toEqual(js.detectKinds(texts));
    }
  });

  it('compress() counts and detects large texts through the async entries, with compressSync\'s result', async () => {
    // A long assistant text (counted, never compressed) and a long user text (detected).
    const prose = inputs.map((i) => i.content).join('\n').slice(0, 200_000);
    const conversation = [
      { role: 'user' as const, content: [{ type: 'text' as const, text: inputs[0]!.content.repeat(Math.ceil(100_000 / inputs[0]!.content.length)) }] },
      { role: 'assistant' as const, content: prose },
      { role: 'user' as const, content: 'and now?' },
    ];
    for (const e of offThread) {
      const asked: string[] = [];
      const spy: Engine = {
        ...e,
        countTokensManyAsync: (t, enc) => (asked.push('count'), e.countTokensManyAsync!(t, enc)),
        detectKindsAsync: (t) => (asked.push('detect'), e.detectKindsAsync!(t)),
      };
      const viaAsync = await compressWith({ engine: spy, memo: new Memo() }, conversation);
      expect(asked).toEqual(['detect', 'count']);
      const viaSync = compressSyncWith({ engine: e, memo: new Memo() }, conversation);
      expect({ ...viaAsync, durationMs: 0 }).toEqual({ ...viaSync, durationMs: 0 });
    }
  });

  it.runIf(nativeEngine !== undefined)('an abort raised while the native task runs stops it between blocks', async () => {
    // Many small blocks: the abort lands after the task has started and before it ends.
    const many = Array.from({ length: 4000 }, (_, i) => ({ content: `${'line of log text '.repeat(300)}${i}`, options }));
    const controller = new AbortController();
    const pending = nativeEngine!.compressBlocksAsync(many, { signal: controller.signal });
    setImmediate(() => controller.abort());
    const out = await pending;
    const firstStopped = out.findIndex((o) => 'failure' in o);
    // 20 MB of blocks cannot all be done by the time the next loop turn raises the abort.
    expect(firstStopped).toBeGreaterThanOrEqual(0);
    // Everything before the stop was compressed, everything from it on was not reached.
    expect(out.slice(firstStopped).every((o) => 'failure' in o && o.failure === 'stopped')).toBe(true);
    expect(out.slice(0, firstStopped).every((o) => !('failure' in o))).toBe(true);
    expect(out).toHaveLength(many.length);
  });
});

describe('per-compressor settings', () => {
  const repos = corpusSample('records');
  const log = corpusSample('ciLog');
  const conversation = [
    { role: 'user' as const, content: 'What broke?' },
    {
      role: 'assistant' as const,
      content: [
        { type: 'tool_use' as const, id: 'a', name: 'repos', input: {} },
        { type: 'tool_use' as const, id: 'b', name: 'ci', input: {} },
      ],
    },
    {
      role: 'user' as const,
      content: [
        { type: 'tool_result' as const, tool_use_id: 'a', content: repos },
        { type: 'tool_result' as const, tool_use_id: 'b', content: log },
      ],
    },
  ];

  it('json: { enabled: false } leaves JSON untouched and still compresses logs, in both engines', async () => {
    const results = await Promise.all(
      engines().map((engine) => compressWith({ engine, memo: new Memo() }, conversation, { json: { enabled: false } })),
    );
    for (const r of results) {
      expect(r.blocks.map((b) => b.kind)).toEqual(['log']);
      const blocks = r.messages[2]!.content as { content: string }[];
      expect(blocks[0]!.content).toBe(repos);
      expect(blocks[1]!.content).not.toBe(log);
      expect(r.messages).toEqual(results[0]!.messages);
    }
    // The same memo must not serve a result made with other settings.
    const memo = new Memo();
    const on = await compressWith({ engine: js, memo }, conversation, {});
    const off = await compressWith({ engine: js, memo }, conversation, { json: { enabled: false }, log: { enabled: false } });
    expect(on.blocks).toHaveLength(2);
    expect(off.blocks).toHaveLength(0);
    expect(off.messages[2]).toBe(conversation[2]);
  });

  it('rejects malformed settings with errors naming them', async () => {
    await expect(compressWith({ engine: js, memo: new Memo() }, conversation, { json: false as never })).rejects.toThrow(/options\.json must be an object/);
    await expect(compressWith({ engine: js, memo: new Memo() }, conversation, { diff: { enabled: 'no' as never } })).rejects.toThrow(/options\.diff\.enabled must be a boolean/);
  });
});
