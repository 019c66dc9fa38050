// Quality floors of the JSON compressor on the corpus (token counts are deterministic, so these
// are exact): lossless outputs beat compact JSON in total and are never above TOON on any file.
import { readFileSync } from 'node:fs';
import { encode as encodeToon } from '@toon-format/toon';
import { describe, expect, it } from 'vitest';
import type { BlockOptions } from '../../src/engine/types.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';
import { engines, js } from '../support/engines.js';

const losslessOnly: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 0, maxBlockTokens: Infinity };
const count = (text: string): number => js.countTokens(text, 'o200k_base');

describe('JSON quality floors on the corpus', () => {
  const files = corpusFiles('json', (f) => f.endsWith('.json'));
  const texts = files.map((f) => readFileSync(corpusPath(f), 'utf8'));

  it('lossless outputs total below compact JSON and never above TOON on any file', () => {
    for (const engine of engines()) {
      const results = engine.compressBlocks(texts.map((content) => ({ content, options: losslessOnly })));
      let ours = 0;
      let compact = 0;
      results.forEach((r, i) => {
        const value = JSON.parse(texts[i]!) as unknown;
        const toon = count(encodeToon(value));
        expect(r.tokensAfter, files[i]).toBeLessThanOrEqual(toon);
        ours += r.tokensAfter;
        compact += count(JSON.stringify(value));
      });
      expect(ours).toBeLessThan(compact);
    }
  });
});
