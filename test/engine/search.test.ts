// The search-hit compressor (grep / ripgrep output), identically in both engines: hits grouped
// under their path losslessly; above maxBlockTokens every file keeps its first and last match and
// every match with a query term or a (rare) error word, with counted markers for the rest.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { compressBoth } from '../support/engines.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

const lines = (...l: string[]): string => l.join('\n') + '\n';

/** Matches and context lines in grep output, and what a compressed form keeps and marks. */
function tally(input: string, output: string): { matches: number; context: number; keptMatches: number; keptContext: number; markedMatches: number; markedContext: number } {
  const t = { matches: 0, context: 0, keptMatches: 0, keptContext: 0, markedMatches: 0, markedContext: 0 };
  for (const l of input.split('\n')) {
    if (/^[^\s:]+:\d+:/.test(l)) t.matches++;
    else if (/^[^\s:]+-\d+-/.test(l)) t.context++;
  }
  for (const l of output.split('\n')) {
    const m = /^\[… (?:(\d+) match(?:es)?)?(?: and )?(?:(\d+) context lines?)? omitted …\]$/.exec(l);
    if (m) {
      t.markedMatches += Number(m[1] ?? 0);
      t.markedContext += Number(m[2] ?? 0);
    } else if (/^\d+:/.test(l)) t.keptMatches++;
    else if (/^\d+-/.test(l)) t.keptContext++;
  }
  return t;
}

function expectCountsAddUp(input: string, r: BlockResult): void {
  const t = tally(input, r.content);
  expect(t.keptMatches + t.markedMatches).toBe(t.matches);
  expect(t.keptContext + t.markedContext).toBe(t.context);
}

/** Generated grep output: `files` files with `perFile` matches each (and optional context). */
function grep(files: number, perFile: number, context = false): string {
  const out: string[] = [];
  for (let f = 0; f < files; f++) {
    const path = `packages/service-${f}/src/handlers/request_handler_${f}.ts`;
    for (let k = 0; k < perFile; k++) {
      const n = 10 + k * 7;
      if (context) out.push(`${path}-${n - 1}-  // step ${k}`);
      out.push(`${path}:${n}:  const result${k} = await handle(request, { retries: ${k % 4} });`);
      if (context && k + 1 < perFile) out.push('--');
    }
  }
  return out.join('\n') + '\n';
}

describe('search hits', () => {
  it('keeps CRLF line ends on every line it keeps, ends its markers the same way, and changes nothing else', () => {
    for (const [lf, options] of [
      [Array.from({ length: 60 }, (_, i) => `src/services/module${Math.floor(i / 20)}.ts:${100 + i}:  const handler${i} = registry.lookup(${i});`).join('\n') + '\n', { minTokens: 0 }] as const,
      [Array.from({ length: 600 }, (_, i) => `src/services/module${Math.floor(i / 50)}.ts:${100 + i}:  const handler${i} = registry.lookup(${i});`).join('\n') + '\n', { maxBlockTokens: 500 }] as const,
    ]) {
      const crlf = lf.replaceAll('\n', '\r\n');
      const r = both(crlf, options);
      expect(r.modified).toBe(true);
      const out = (r.content.endsWith('\n') ? r.content.slice(0, -1) : r.content).split('\n');
      for (const l of out) expect(l.endsWith('\r')).toBe(true);
      expect(r.content.replaceAll('\r\n', '\n')).toBe(both(lf, options).content);
          }
  });

  it('writes each path once and keeps every hit, context line and separator (lossless)', () => {
    const input = lines(
      'src/app-1-core.ts-11-// load it',
      'src/app-1-core.ts:12:  const x = load();',
      'src/app-1-core.ts-13-',
      '--',
      'src/app-1-core.ts:40:  load(y);',
      'lib/load.ts:3:export function load() {',
      'Binary file dist/app.bin matches',
    );
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe(
      lines('src/app-1-core.ts', '11-// load it', '12:  const x = load();', '13-', '--', '40:  load(y);', 'lib/load.ts', '3:export function load() {', 'Binary file dist/app.bin matches'),
    );
    expect(r.strategy).toBe('search:group');
  });

  it('reads Windows paths and ripgrep columns', () => {
    const input = lines('C:\\repo\\src\\main.c:10:5:int main(void)', 'C:\\repo\\src\\main.c:14:3:return 0;', 'C:\\repo\\src\\util.c:3:1:static int x;');
    expect(both(input, { minTokens: 0 }).content).toBe(lines('C:\\repo\\src\\main.c', '10:5:int main(void)', '14:3:return 0;', 'C:\\repo\\src\\util.c', '3:1:static int x;'));
  });

  it('keeps every file with its first and last match above the budget, and counts what it drops', () => {
    const input = grep(12, 60);
    const r = both(input, { maxBlockTokens: 800 });
    expect(r.strategy).toBe('search:select');
    expect(r.tokensAfter).toBeLessThanOrEqual(800);
    for (let f = 0; f < 12; f++) {
      const path = `packages/service-${f}/src/handlers/request_handler_${f}.ts`;
      const section = r.content.split(`${path}\n`)[1]!;
      expect(section.startsWith('10:  const result0 ')).toBe(true);
      expect(section).toContain(`${10 + 59 * 7}:  const result59 `);
    }
    expectCountsAddUp(input, r);
    expect(r.omitted[0]).toMatchObject({ unit: 'matches', summary: 'in 12 files' });
  });

  it('keeps matches with query terms and rare error words', () => {
    const base = grep(4, 80).split('\n');
    base[100] = base[100]!.replace(/const result\d+ = .*/, 'throw new TimeoutError("upstream timed out");');
    base[200] = base[200]!.replace(/const result\d+ = .*/, 'const invoice = await billing.charge(customer);');
    const input = base.join('\n');
    const r = both(input, { maxBlockTokens: 500, query: 'where do we charge the customer invoice?' });
    expect(r.content).toContain('throw new TimeoutError("upstream timed out");');
    expect(r.content).toContain('const invoice = await billing.charge(customer);');
    expectCountsAddUp(input, r);
  });

  it('drops context lines before matches, nearest-to-a-kept-match last', () => {
    const input = grep(3, 50, true);
    const r = both(input, { maxBlockTokens: 900 });
    expectCountsAddUp(input, r);
    const t = tally(input, r.content);
    expect(t.markedContext).toBeGreaterThan(0);
    expect(t.keptMatches).toBeGreaterThan(6);
  });

  it('is idempotent', () => {
    const first = both(grep(10, 40), { maxBlockTokens: 600 });
    expect(both(first.content, { maxBlockTokens: 600 }).modified).toBe(false);
  });

  it('agree in both engines on generated grep output and keep the counts', () => {
    const path = fc.constantFrom('src/a.ts', 'src/a-1-b.ts', 'lib/x y.py', 'C:\\w\\m.c', 'é/ü.rs', 'Makefile');
    const text = fc.constantFrom('let x = 1;', '  throw new Error("boom")', '', 'TODO: fix', '😀 unicode', 'a:b:c', '-1-2-');
    const row = fc.oneof(
      fc.tuple(path, fc.nat(999), text).map(([p, n, t]) => `${p}:${n}:${t}`),
      fc.tuple(path, fc.nat(999), text).map(([p, n, t]) => `${p}-${n}-${t}`),
      fc.constantFrom('--', 'Binary file x matches', ''),
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 80 }), fc.oneof(fc.constant(Infinity), fc.integer({ min: 20, max: 400 })), (rows, max) => {
        const input = rows.join('\n');
        const r = both(input, { minTokens: 0, maxBlockTokens: max });
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
      }),
      { seed: 1234, numRuns: 300 },
    );
  });
});
