// The JSON compressor through the block entry of both engines: identical output on the corpus,
// on octokit response bodies, on random documents and on adversarial input, with the invariants
// every JSON result keeps (never inflating, lossless forms reading back to the input's value).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LONGEST_TOKEN_BYTES } from '../../src/engine/js/json/index.js';
import { rankTable } from '../../src/engine/js/ranks.js';
import type { BlockInput, BlockOptions, BlockResult, Engine } from '../../src/engine/types.js';
import { corpusFiles, corpusPath, fullCorpus } from '../support/corpus.js';
import { engines, js } from '../support/engines.js';
import { decodeOutput } from '../support/retention/json.js';
import { jsonDoc, recordsDoc, reductionProblem, scalarAndKeyProblem, tuplesDoc } from './json-docs.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
const losslessOnly: BlockOptions = { ...defaults, minTokens: 0, maxBlockTokens: Infinity };

const LOSSLESS = new Set(['json:compact', 'json:toon']);

/** Runs every engine on the inputs, asserts identical results, and returns them. */
function runAll(inputs: BlockInput[]): BlockResult[] {
  const results = engines().map((e: Engine) => e.compressBlocks(inputs));
  for (const r of results) expect(r).toEqual(results[0]);
  return results[0]!;
}

/** The invariants of one JSON result. */
function checkResult(input: BlockInput, r: BlockResult): void {
  expect(r.kind).toBe('json');
  if (!r.modified) {
    expect(r.content).toBe(input.content);
    expect(r.strategy).toBe('none');
    return;
  }
  expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
  expect(r.tokensAfter).toBe(js.countTokens(r.content, input.options.encoding));
  const value = JSON.parse(input.content) as Parameters<typeof reductionProblem>[0];
  if (LOSSLESS.has(r.strategy)) {
    expect(r.omitted).toEqual([]);
    expect(decodeOutput(r.content)).toEqual(value);
    return;
  }
  // Lossy: an honest reduction (markers counted exactly in JSON; TOON is read without its
  // marker lines), no scalar that was not in the input, every key still there.
  expect(['json:select+compact', 'json:select+toon']).toContain(r.strategy);
  const out = decodeOutput(r.content) as typeof value;
  expect(reductionProblem(value, out, r.strategy === 'json:select+compact')).toBeUndefined();
  expect(scalarAndKeyProblem(value, out)).toBeUndefined();
  expect(r.omitted.length).toBeGreaterThan(0);
  for (const o of r.omitted) {
    expect(['items', 'bytes']).toContain(o.unit);
    expect(o.count).toBeGreaterThan(0);
  }
}

const jsonCorpus = (): string[] => corpusFiles('json', (f) => f.endsWith('.json'));

describe('JSON blocks on the corpus', () => {
  const files = jsonCorpus();
  const texts = files.map((f) => readFileSync(corpusPath(f), 'utf8'));

  for (const [name, options] of [
    ['default options', defaults],
    ['lossless only', losslessOnly],
  ] as const) {
    it(`is identical in both engines and keeps the invariants (${name})`, () => {
      const inputs = texts.map((content) => ({ content, options }));
      const results = runAll(inputs);
      results.forEach((r, i) => checkResult(inputs[i]!, r));
      // Deterministic: a second run gives the same bytes.
      expect(runAll(inputs)).toEqual(results);
    });
  }

  it('compresses octokit response bodies, each as its own block', () => {
    const inputs: BlockInput[] = [];
    for (const f of files.filter((f) => f.includes('octokit/'))) {
      const exchanges = JSON.parse(readFileSync(corpusPath(f), 'utf8')) as { response?: unknown }[];
      for (const e of exchanges) {
        if (e.response === undefined) continue;
        const body = JSON.stringify(e.response, null, 2);
        inputs.push({ content: body, options: defaults }, { content: body, options: losslessOnly });
      }
    }
    expect(inputs.length).toBeGreaterThan(fullCorpus ? 50 : 20);
    const results = runAll(inputs);
    results.forEach((r, i) => checkResult(inputs[i]!, r));
    expect(results.filter((r) => r.modified).length).toBeGreaterThan(fullCorpus ? 20 : 10);
  });
});

describe('JSON blocks from random documents', () => {
  it('are identical in both engines and keep the invariants', () => {
    fc.assert(
      fc.property(jsonDoc(), fc.constantFrom(Infinity, 4000, 30), (content, maxBlockTokens) => {
        const input = { content, options: { ...defaults, minTokens: 0, maxBlockTokens } };
        const [r] = runAll([input]);
        checkResult(input, r!);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });

  it('with large arrays are reduced identically in both engines, honestly', () => {
    fc.assert(
      fc.property(recordsDoc(), fc.constantFrom(60, 200, 800), fc.constantFrom('', 'why did the checkout fail with E_FAIL'), (content, maxBlockTokens, query) => {
        const input = { content, options: { ...defaults, query, minTokens: 0, maxBlockTokens } };
        const [r] = runAll([input]);
        checkResult(input, r!);
      }),
      { seed: 777, numRuns: 200 },
    );
  });

  it('with tuple rows and numbers written as strings are reduced identically in both engines, honestly', () => {
    fc.assert(
      fc.property(tuplesDoc(), fc.constantFrom(60, 200, 800, 4000), (content, maxBlockTokens) => {
        const input = { content, options: { ...defaults, minTokens: 0, maxBlockTokens } };
        const [r] = runAll([input]);
        checkResult(input, r!);
      }),
      { seed: 2025, numRuns: 120 },
    );
  });
});

describe('token length bound', () => {
  it('no token of either encoding is longer than LONGEST_TOKEN_BYTES', () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      let longest = 0;
      for (const bytes of rankTable(encoding).keys()) longest = Math.max(longest, bytes.length);
      expect(longest).toBeLessThanOrEqual(LONGEST_TOKEN_BYTES);
    }
  });
});

describe('adversarial JSON blocks', () => {
  const block = (content: string, options: BlockOptions = defaults): BlockResult => {
    const input = { content, options };
    const [r] = runAll([input]);
    return r!;
  };

  it('leaves invalid JSON untouched and does not call it json', () => {
    const content = '{"items": [' + Array.from({ length: 300 }, (_, i) => `{"id": ${i}}`).join(', ') + ', ]}';
    const r = block(content);
    expect(r.kind).not.toBe('json');
    expect(r.modified).toBe(false);
    expect(r.content).toBe(content);
  });

  it('handles 100 000 levels of nesting', () => {
    const depth = 100_000;
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    const r = block(arrays, losslessOnly);
    expect(r.kind).toBe('json');
    expect(r.modified).toBe(false);
    const objects = '{ "a" : '.repeat(depth) + '0' + ' }'.repeat(depth);
    const o = block(objects, losslessOnly);
    expect(o.kind).toBe('json');
    expect(o.content).toBe('{"a":'.repeat(depth) + '0' + '}'.repeat(depth));
    expect(o.strategy).toBe('json:compact');
    // Deep nesting around a large array: lossy selection works at that depth too.
    const items = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"ok":true}`).join(',');
    const deep = block('{"a":'.repeat(depth) + '[' + items + ']' + '}'.repeat(depth));
    expect(deep.strategy).toBe('json:select+compact');
    expect(deep.content.startsWith('{"a":'.repeat(depth) + '[{"n":0,"ok":true},"[… ')).toBe(true);
    expect(deep.content.endsWith('{"n":2999,"ok":true}]' + '}'.repeat(depth))).toBe(true);
  });

  it('handles a 50 MB string', () => {
    const body = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(50e6 / 45)).slice(0, 50e6);
    const content = JSON.stringify({ body });
    const r = block(content);
    expect(r.kind).toBe('json');
    expect(r.modified).toBe(true);
    expect(r.tokensAfter).toBeLessThanOrEqual(defaults.maxBlockTokens);
    expect(r.content).toContain('[… string cut: 50000000 bytes in full …]');
    expect(r.omitted).toEqual([{ unit: 'bytes', count: 50e6 - 1024, summary: '1 long string cut' }]);
  });

  it('keeps number text exactly: 1e400, -0, 12345678901234567890123', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, label: `row ${i}` }));
    const content = JSON.stringify({ huge: 0, neg: 0, big: 0, rows }, null, 2)
      .replace('"huge": 0', '"huge": 1e400')
      .replace('"neg": 0', '"neg": -0')
      .replace('"big": 0', '"big": 12345678901234567890123');
    const r = block(content, losslessOnly);
    expect(r.modified).toBe(true);
    expect(r.strategy).toBe('json:compact');
    expect(r.content).toContain('"huge":1e400,"neg":-0,"big":12345678901234567890123');
  });

  it('keeps duplicate keys', () => {
    const content = JSON.stringify({ rows: Array.from({ length: 40 }, (_, i) => ({ id: i, v: i * 2 })) }, null, 2).replace('"rows"', '"dup": 1,\n  "dup": 2,\n  "rows"');
    const r = block(content, losslessOnly);
    expect(r.modified).toBe(true);
    expect(r.content.startsWith('{"dup":1,"dup":2,')).toBe(true);
  });

  it('treats lone surrogates as U+FFFD in both engines, and keeps escaped ones', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ id: i, name: i % 7 === 0 ? 'bad \ud800 text' : `name ${i}` }));
    const raw = JSON.stringify(rows, null, 2).replaceAll('\\ud800', '\ud800');
    expect(raw.isWellFormed()).toBe(false);
    const r = block(raw, losslessOnly);
    expect(r.modified).toBe(true);
    expect(r.content).toContain('bad \uFFFD text');
    const escaped = JSON.stringify(rows, null, 2);
    const e = block(escaped, losslessOnly);
    expect(e.strategy).toBe('json:compact');
    expect(e.content).toContain('bad \\ud800 text');
  });
});
