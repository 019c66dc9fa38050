// The block entry: both engines give identical results on every corpus file, and the invariants
// that hold for every compressor (exact counts, never inflating, untouched means identical).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BlockInput, BlockOptions } from '../../src/engine/types.js';
import { corpusFiles, corpusPath } from '../support/corpus.js';
import { isMarker, linesTold, refersAbove } from '../../src/engine/js/marker.js';
import { compressBoth, engines, js } from '../support/engines.js';

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

describe('the budget as a ceiling', () => {
  it('cuts a selection still far above the budget, counting every original line once', () => {
    // 1 000 distinct warnings (each kept by selection) among 9 000 ordinary lines: selection
    // stays far above a budget of 500, and the cut swallows its markers.
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike'];
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      lines.push(k % 10 === 0 ? `WARN ${words[k % 13]} ${words[(k * 7) % 13]} replica ${words[(k * 5) % 11]} lagging behind by ${k} ms` : `INFO request ${k} served`);
    }
    const r = compressBoth(lines.join('\n') + '\n', { ...defaults, maxBlockTokens: 500 });
    expect(r.strategy).toBe('log:select+cut');
    expect(r.tokensAfter).toBeLessThanOrEqual(500);
    const out = r.content.split('\n').filter((l) => l !== '');
    const kept = out.filter((l) => !isMarker(l)).length;
    // The markers tell every line not shown, and the omissions count each of them once.
    expect(kept + out.reduce((n, l) => n + linesTold(l), 0)).toBe(lines.length);
    expect(r.omitted.filter((o) => o.unit === 'lines').reduce((n, o) => n + o.count, 0)).toBe(lines.length - kept);
  });

  it('cuts a selection of repeated lines with their repeat counts, never leaving a count after a cut', () => {
    // Each warning stands three times in a row: kept, it is followed by its count marker.
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike'];
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      const g = Math.floor(k / 10);
      lines.push(k % 10 < 3 ? `WARN ${words[g % 13]} ${words[(g * 7) % 13]} replica lagging behind by ${g} ms` : `INFO request ${k} served`);
    }
    for (const maxBlockTokens of [500, 700, 900]) {
      const r = compressBoth(lines.join('\r\n') + '\r\n', { ...defaults, maxBlockTokens });
      expect(r.strategy).toBe('log:select+cut');
      const out = r.content.split('\r\n').filter((l) => l !== '');
      expect(out.some((l) => l.startsWith('[… the line above repeats'))).toBe(true);
      out.forEach((l, k) => {
        if (refersAbove(l)) expect(isMarker(out[k - 1] ?? '[… …]')).toBe(false);
      });
      const kept = out.filter((l) => !isMarker(l)).length;
      expect(kept + out.reduce((n, l) => n + linesTold(l), 0)).toBe(lines.length);
    }
  });

  it('reads how many lines a marker stands for', () => {
    expect(linesTold('[… the line above repeats 4 more times: 5 in a row …]')).toBe(4);
    expect(linesTold('[… the line above repeats once more: 2 in a row, 7 in all …]')).toBe(1);
    expect(linesTold('[… the line above occurs 7 times in all …]')).toBe(0);
    expect(linesTold('[… 12 lines omitted: 12 INFO …]')).toBe(12);
    expect(linesTold('[… 1 line cut to fit the token budget …]')).toBe(1);
    expect(linesTold('[… the 3 lines above repeat 4 more times (12 lines) …]')).toBe(12);
    expect(linesTold('[… the 3 lines above repeat once more …]')).toBe(3);
    expect(linesTold('[… 14 items omitted …]')).toBe(0);
    expect(linesTold('12 lines omitted')).toBe(0);
  });
});
