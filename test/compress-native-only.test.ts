// compress() on the native engine never calls into the JS engine (PRODUCT §9): with every JS-engine
// entry point replaced by one that throws, compress and compressSync still work, off the memo.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { corpusFiles, corpusPath } from './support/corpus.js';

vi.mock('./../src/engine/js/index.js', () => {
  const unavailable = new Proxy(
    {},
    {
      get(_target, prop) {
        if (prop === 'name') return 'js';
        throw new Error(`the JS engine was used (${String(prop)})`);
      },
    },
  );
  return { jsEngine: unavailable, compressBlock: unavailable, compressBlocks: unavailable, detectKinds: unavailable, compressBlocksUntil: unavailable };
});

describe.skipIf(process.env['HEADROOM_ENGINE'] === 'js')('compress without the JS engine', () => {
  it('compresses on native, sync and async', async () => {
    const { compress, compressSync, countMessageTokens } = await import('../src/index.js');
    const [log] = corpusFiles('ci-logs', (f) => f.endsWith('fail.log')).map((f) => readFileSync(corpusPath(f), 'utf8'));
    const messages = [
      { role: 'user', content: 'why did CI fail?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'ci_logs', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: log! }] },
    ] as const;
    const sync = compressSync(messages);
    const async = await compress(messages, { timeoutMs: 60_000, signal: new AbortController().signal });
    expect(async.engine).toBe('native');
    expect(async.messages).toEqual(sync.messages);
    expect(async.failures).toEqual([]);
    expect(sync.tokensBefore).toBe(countMessageTokens(messages));
  });
});
