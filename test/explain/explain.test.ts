// explain: every line or item of a compressed block is accounted for (kept, folded into a count,
// or left out under the marker that stands for it), in agreement with the engine's own report.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compress, type CompressResult } from '../../src/index.js';
import { explain, type BlockExplanation } from '../../src/explain/explain.js';
import { alignJson, parseWithPositions } from '../../src/explain/json.js';
import { alignLines, markerLineCount } from '../../src/explain/lines.js';
import { textReport } from '../../src/explain/report.js';
import { toolConversation } from '../../src/cli/input.js';
import { corpusDir, corpusFiles, corpusPath, fullCorpus } from '../support/corpus.js';
import { orderRecords, serviceLog } from '../support/tool-output.js';

const hasCorpus = ((): boolean => {
  try {
    return corpusDir() !== '';
  } catch {
    return false;
  }
})();

async function explained(text: string, maxBlockTokens: number, query?: string): Promise<{ block: BlockExplanation; result: CompressResult }> {
  const messages = toolConversation(text);
  const result = await compress(messages, { maxBlockTokens, ...(query === undefined ? {} : { query }) });
  const e = explain(messages, result, 'raw', query);
  expect(e.blocks).toHaveLength(1);
  return { block: e.blocks[0]!, result };
}

const total = (b: BlockExplanation, fate: string): number => b.units.filter((u) => u.fate === fate).reduce((n, u) => n + u.count, 0);

/** Lines: every one has a fate, the omitted ones add up to the engine's count, each marker stands for its own lines. */
function expectLinesAccounted(b: BlockExplanation, text: string): void {
  const lineCount = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  expect(total(b, 'kept') + total(b, 'folded') + total(b, 'omitted')).toBe(lineCount);
  const engineLines = b.omitted.filter((o) => o.unit === 'lines' || o.unit === 'matches' || o.unit === 'context lines').reduce((n, o) => n + o.count, 0);
  if (b.kind !== 'diff') expect(total(b, 'omitted')).toBe(engineLines);
  for (const u of b.units.filter((x) => x.fate === 'omitted' && x.marker !== undefined)) {
    const says = markerLineCount(u.marker!);
    if (says !== undefined && !/repeats of kept lines/.test(u.marker!)) expect(u.count, u.marker).toBe(says);
  }
  expect(b.notes.filter((n) => n.includes('could not'))).toEqual([]);
}

describe('lines', () => {
  it('accounts for every line of a selected log, the error and its stack trace kept', async () => {
    const log = serviceLog(3000);
    const { block } = await explained(log, 600);
    expect(block.strategy).toBe('log:select');
    expectLinesAccounted(block, log);
    const lines = log.split('\n');
    const error = lines.findIndex((l) => l.includes('ERROR payment-worker'));
    const unit = block.units.find((u) => u.label === `line ${error + 1}`)!;
    expect(unit).toMatchObject({ fate: 'kept', reason: 'error' });
    expect(block.units.find((u) => u.label === `line ${error + 3}`)).toMatchObject({ fate: 'kept', reason: 'stack trace' });
    // Markers as the output has them, in its order.
    const outputMarkers = block.compressed.split('\n').filter((l) => l.startsWith('[…'));
    expect(block.markers.map((m) => m.text)).toEqual(outputMarkers);
    // The chart adds up to the units.
    const chartTokens = block.chart.filter((r) => r.key !== 'markers').reduce((n, r) => n + r.tokens, 0);
    expect(chartTokens).toBe(block.units.reduce((n, u) => n + u.tokens, 0));
  });

  it('counts lines folded into a repeat count as folded, not lost', async () => {
    const log = Array.from({ length: 400 }, () => '[INFO] db: waiting for the database to accept connections on port 5432').join('\n') + '\n[INFO] db: ready\n';
    const { block } = await explained(log, 4000);
    expect(block.compressed).toContain('[… the line above repeats 399 more times: 400 in a row …]');
    expect(total(block, 'folded')).toBe(399);
    expect(total(block, 'kept')).toBe(2);
    expect(block.units[0]).toMatchObject({ fate: 'kept', reason: 'lossless' });
  });

  it('reads grep hits grouped under their file back onto the original lines', async () => {
    const hits = Array.from({ length: 600 }, (_, i) => `src/services/module${Math.floor(i / 50)}.ts:${100 + i}:  const handler${i} = registry.lookup(${i});`).join('\n');
    // 600: each file's first and last hit and its marker (which names the omitted lines) fit with room for the query hit.
    const { block } = await explained(hits, 600, 'handler377');
    expect(block.kind).toBe('search');
    expectLinesAccounted(block, hits);
    expect(block.units.find((u) => u.label === 'line 378')).toMatchObject({ fate: 'kept', reason: 'query hit' });
  });

  it('shows a diff’s folded context under its marker and every change kept', async () => {
    const body = Array.from({ length: 120 }, (_, i) => (i % 40 === 20 ? `-old line ${i}\n+new line ${i}` : ` context line ${i}`)).join('\n');
    const diff = `diff --git a/app.txt b/app.txt\nindex 1234567..89abcde 100644\n--- a/app.txt\n+++ b/app.txt\n@@ -1,123 +1,123 @@\n${body}\n`;
    const { block } = await explained(diff, 4000);
    expect(block.kind).toBe('diff');
    expectLinesAccounted(block, diff);
    expect(block.units.filter((u) => u.reason === 'change').length).toBe(6);
    const folded = block.units.filter((u) => u.fate === 'omitted');
    expect(folded.length).toBeGreaterThan(0);
    for (const u of folded) expect(u.marker).toMatch(/^\[… \d+ unchanged lines?(?: at -\d+ \+\d+)? …\]$/);
  });

  it('finds lines whose ANSI colours the compressor removed', () => {
    const original = ['\x1b[32mINFO\x1b[0m one', '\x1b[31mERROR\x1b[0m two', 'three'].join('\n');
    const aligned = alignLines(original, 'INFO one\n[… 1 line omitted …]\nthree', 'log');
    expect(aligned.lines.map((l) => [l.fate, l.marker])).toEqual([
      ['kept', undefined],
      ['omitted', 0],
      ['kept', undefined],
    ]);
    expect(aligned.lines[1]!.text).toBe('ERROR two');
  });
});

describe('JSON items', () => {
  it('maps kept and dropped records, every failed one kept for its error', async () => {
    const json = orderRecords(600);
    const { block } = await explained(json, 1200);
    expect(block.strategy).toMatch(/^json:select/);
    expect(block.unit).toBe('item');
    const engineItems = block.omitted.filter((o) => o.unit === 'items').reduce((n, o) => n + o.count, 0);
    expect(total(block, 'omitted')).toBe(engineItems);
    expect(total(block, 'kept') + total(block, 'omitted')).toBe(600);
    for (let i = 17; i < 600; i += 40) expect(block.units.find((u) => u.label === `$[${i}]`)).toMatchObject({ fate: 'kept', reason: 'error' });
    for (const u of block.units.filter((x) => x.fate === 'omitted')) expect(u.marker).toMatch(new RegExp(`^\\[… ${u.count} items? omitted`));
    // Spans are the items' own text in the original.
    const kept = block.units.find((u) => u.fate === 'kept')!;
    expect(JSON.parse(json.slice(kept.start, kept.end))).toMatchObject({ id: expect.any(Number) });
  });

  it('matches a compact selection with nested arrays and cut strings', () => {
    const original = JSON.stringify({ runs: Array.from({ length: 30 }, (_, i) => ({ id: i, tags: Array.from({ length: 20 }, (_, t) => `t${t}`), log: i === 3 ? 'x'.repeat(3000) : 'ok' })) }, null, 1);
    const cut = `${'x'.repeat(1024)}[… string cut: 3000 bytes in full …]`;
    const compressed = JSON.stringify({
      runs: [
        { id: 0, tags: ['t0', '[… 18 items omitted …]', 't19'], log: 'ok' },
        '[… 2 items omitted: … …]',
        { id: 3, tags: ['t0', 't1', '[… 18 items omitted …]'], log: cut },
        '[… 26 items omitted …]',
      ],
    });
    const aligned = alignJson(original, compressed)!;
    expect(aligned).toBeDefined();
    expect(aligned.omitted.map((r) => [r.array.at, r.from, r.to])).toEqual([
      ['$.runs[0].tags', 1, 19],
      ['$.runs', 1, 3],
      ['$.runs[3].tags', 2, 20],
      ['$.runs', 4, 30],
    ]);
    expect(aligned.kept.map(([a, i]) => `${a.at}[${i}]`)).toEqual(['$.runs[0]', '$.runs[3]', '$.runs[0].tags[0]', '$.runs[0].tags[19]', '$.runs[3].tags[0]', '$.runs[3].tags[1]']);
    expect(aligned.cut.map((n) => n.at)).toEqual(['$.runs[3].log']);
    expect(alignJson(original, JSON.stringify({ runs: [{ id: 99 }] }))).toBeUndefined();
  });

  it('parses with positions without recursing on depth', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const root = parseWithPositions(deep)!;
    expect(root.end).toBe(deep.length);
    expect(parseWithPositions('{"a": [1, 2.50, "x\\"y"], "b": null} ')!.children![0]!.children!.map((c) => c.value)).toEqual([1, 2.5, 'x"y']);
    expect(parseWithPositions('{"a": ')).toBeUndefined();
  });
});

describe('the text report', () => {
  it('says when nothing was compressed', async () => {
    const messages = toolConversation('short');
    const result = await compress(messages);
    expect(textReport(explain(messages, result, 'raw'), 'x')).toContain('Nothing was compressed');
  });
});

describe.runIf(hasCorpus)('the development corpus', () => {
  it('maps every CI log, diff and JSON file at two budgets', async () => {
    const files = corpusFiles('', (f) => /^(ci-logs\/.*fail\.log|diffs\/.*\.(patch|diff)|json\/.*\.json)$/.test(f));
    // The shared corpus holds dozens of such files; the fixture corpus a fresh clone reads, a few.
    expect(files.length).toBeGreaterThan(fullCorpus ? 50 : 3);
    for (const f of files) {
      const text = readFileSync(corpusPath(f), 'utf8');
      for (const budget of [4000, 500]) {
        const messages = toolConversation(text);
        const result = await compress(messages, { maxBlockTokens: budget });
        for (const b of explain(messages, result, 'raw').blocks) {
          expect(b.notes.filter((n) => n.includes('could not')), `${f} at ${budget}`).toEqual([]);
          if (b.unit === 'item') {
            const engineItems = b.omitted.filter((o) => o.unit === 'items').reduce((n, o) => n + o.count, 0);
            expect(total(b, 'omitted'), `${f} at ${budget}`).toBe(engineItems);
          }
          if (b.unit === 'line' && b.kind === 'log') {
            expect(total(b, 'omitted'), `${f} at ${budget}`).toBe(b.omitted.filter((o) => o.unit === 'lines').reduce((n, o) => n + o.count, 0));
          }
        }
      }
    }
  });
});
