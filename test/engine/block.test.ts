// The block entry: both engines give identical results on every corpus file, and the invariants
// that hold for every compressor (exact counts, never inflating, untouched means identical).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BlockInput, BlockOptions } from '../../src/engine/types.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';
import { engines, js } from '../support/engines.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

describe('compressBlocks on the corpus', () => {
  const inputs: BlockInput[] = corpusFiles('', (f) => !/LICENSE|NOTICE|README/.test(f)).map((f) => ({
    content: readFileSync(corpusPath(f), 'utf8'),
    options: defaults,
  }));

  it('is identical in both engines and never inflates', () => {
    const results = engines().map((e) => e.compressBlocks(inputs));
    for (const r of results) expect(r).toEqual(results[0]);
    results[0]!.forEach((r, i) => {
      const input = inputs[i]!;
      expect(r.tokensBefore).toBe(js.countTokens(input.content, 'o200k_base'));
      if (r.modified) {
        expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
        expect(r.tokensAfter).toBe(js.countTokens(r.content, 'o200k_base'));
      } else {
        expect(r.content).toBe(input.content);
        expect(r.tokensAfter).toBe(r.tokensBefore);
        expect(r.strategy).toBe('none');
      }
    });
  });

  it('leaves blocks below minTokens untouched', () => {
    for (const e of engines()) {
      const [r] = e.compressBlocks([{ content: '[1, 2, 3]', options: defaults }]);
      expect(r).toMatchObject({ modified: false, content: '[1, 2, 3]', strategy: 'none' });
    }
  });
});
