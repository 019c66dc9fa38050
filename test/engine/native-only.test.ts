// The native engine never calls into the JS engine: with every JS-engine entry point replaced by
// one that throws, the public API still works on native (PRODUCT §9).
import { readFileSync } from 'node:fs';
import { get_encoding } from 'tiktoken';
import { describe, expect, it, vi } from 'vitest';
import { corpusFiles, corpusPath } from '../support/corpus.js';

vi.mock('../../src/engine/js/index.js', () => {
  const unavailable = new Proxy(
    {},
    {
      get(_target, prop) {
        if (prop === 'name') return 'js';
        throw new Error(`the JS engine was used (${String(prop)})`);
      },
    },
  );
  return { jsEngine: unavailable, compressBlock: unavailable, compressBlocks: unavailable };
});

const forcedJs = process.env['HEADROOM_ENGINE'] === 'js';

describe.skipIf(forcedJs)('native engine without the JS engine', () => {
  it('counts tokens exactly', async () => {
    const { countTokens, engineInfo } = await import('../../src/index.js');
    expect(engineInfo().engine).toBe('native');
    const enc = get_encoding('o200k_base');
    const texts = corpusFiles('diffs').map((f) => readFileSync(corpusPath(f), 'utf8'));
    expect(countTokens(texts)).toEqual(texts.map((t) => enc.encode(t, [], []).length));
    enc.free();
  });
});
