// Quality floors of the JSON compressor on the corpus (token counts are deterministic, so these
// are exact): lossless outputs beat compact JSON in total and are never above TOON on any file;
// with the default options every error-class needle, every array's first and last item, and
// every distinct value of every low-cardinality field survive; in record arrays (json/vega and the
// others) every category value and each numeric field's largest and smallest value survive.
import { readFileSync } from 'node:fs';
import { encode as encodeToon } from '@toon-format/toon';
import { describe, expect, it } from 'vitest';
import type { BlockOptions } from '../../src/engine/types.js';
import { corpusFiles, corpusPath, fullCorpus } from '../support/corpus.js';
import { engines, js } from '../support/engines.js';
import { decodeOutput, jsonRetention, octokitNeedles } from '../support/retention/json.js';
import { recordFloorMisses, reductionProblem } from './json-docs.js';

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

describe('JSON quality floors with the default options', () => {
  const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

  it('keeps every error-class octokit exchange', () => {
    const files = corpusFiles('json/octokit', (f) => f.endsWith('.json'));
    let errors = 0;
    for (const engine of engines()) {
      for (const f of files) {
        const content = readFileSync(corpusPath(f), 'utf8');
        const [r] = engine.compressBlocks([{ content, options: defaults }]);
        const needles = octokitNeedles(JSON.parse(content));
        const kept = jsonRetention(r!.content, needles);
        expect(kept.errorPresent, `${f}: ${JSON.stringify(kept.missing)}`).toBe(kept.errorTotal);
        errors += kept.errorTotal;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });

  it('keeps every array’s first and last item and each low-cardinality value, dropping items only honestly', () => {
    const files = corpusFiles('json', (f) => f.endsWith('.json'));
    let lossy = 0;
    for (const engine of engines()) {
      for (const f of files) {
        const content = readFileSync(corpusPath(f), 'utf8');
        const [r] = engine.compressBlocks([{ content, options: defaults }]);
        if (!r!.strategy.startsWith('json:select')) continue;
        lossy++;
        const input = JSON.parse(content) as Parameters<typeof reductionProblem>[0];
        const out = decodeOutput(r!.content) as typeof input;
        expect(reductionProblem(input, out, r!.strategy === 'json:select+compact'), f).toBeUndefined();
      }
    }
    expect(lossy).toBeGreaterThan(fullCorpus ? 5 : 1);
  });

  it('keeps every category value and each numeric field’s max and min of record arrays, as an item or in a marker', () => {
    const files = corpusFiles('json', (f) => f.endsWith('.json'));
    let checked = 0;
    for (const engine of engines()) {
      for (const f of files) {
        const content = readFileSync(corpusPath(f), 'utf8');
        const [r] = engine.compressBlocks([{ content, options: defaults }]);
        if (!r!.strategy.startsWith('json:select')) continue;
        checked++;
        const misses = recordFloorMisses(JSON.parse(content), decodeOutput(r!.content) as never, r!.content);
        expect(misses.slice(0, 10), f).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(fullCorpus ? 5 : 1);
  });
});
