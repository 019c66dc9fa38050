// The search-hit compressor (grep / ripgrep output), identically in both engines: hits grouped
// under their path losslessly; above maxBlockTokens every file keeps its first and last match and
// every match with a query term or a (rare) error word, each kept match with the context lines
// grep printed around it, and markers that count the rest and name the omitted matches' lines.
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
    const m = /^\[… (?:(\d+) match(?:es)?)?(?: and )?(?:(\d+) context lines?)? omitted(?:[: ].*)? …\]$/.exec(l);
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

  it('drops the context lines of dropped matches with them, and counts both', () => {
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

// grep -C / -A / -B output: a kept match keeps the context grep printed around it, and a marker
// names the lines of the matches it stands for.

/** A made-up source file of `n` lines; the lines that call `fetchUser` are the matches. */
function sourceFile(f: number, n: number): { text: string[]; matches: number[] } {
  const text: string[] = [];
  const matches: number[] = [];
  for (let i = 1; i <= n; i++) {
    // Clusters of nearby calls (overlapping context) and lone ones, different in every file.
    const hit = (i * 7 + f * 13) % 29 === 0 || (i * 7 + f * 13) % 29 === 3 || (i + f) % 41 === 0;
    if (hit) {
      matches.push(i);
      text.push(`    const user${i} = await fetchUser(session${f}, ${i * 17 + f});`);
    } else text.push(i % 9 === 0 ? `  // step ${i} of the ${f % 2 === 0 ? 'import' : 'export'} job` : `    total${f} += weigh(item${i}, ${(i * 31) % 97});`);
  }
  return { text, matches };
}

interface GrepFile {
  path: string;
  text: string[];
  matches: number[];
  /** The lines grep printed (1-based), in order. */
  printed: number[];
}

/** What `grep -B before -A after` prints of `files` made-up source files. */
function grepFiles(files: number, before: number, after: number): GrepFile[] {
  const out: GrepFile[] = [];
  for (let f = 0; f < files; f++) {
    const { text, matches } = sourceFile(f, 160 + (f % 5) * 30);
    const shown = new Set<number>();
    for (const m of matches) for (let l = Math.max(1, m - before); l <= Math.min(text.length, m + after); l++) shown.add(l);
    out.push({ path: `services/api-${f}/src/users/load_${f}.ts`, text, matches, printed: [...shown].sort((a, b) => a - b) });
  }
  return out;
}

/** grep's layout (`path:12:match`, `path-13-context`, `--` between hunks and files) or ripgrep's `--heading` one. */
function layout(files: readonly GrepFile[], heading: boolean): string {
  const out: string[] = [];
  files.forEach((file, i) => {
    if (heading) {
      if (i > 0) out.push('');
      out.push(file.path);
    }
    file.printed.forEach((l, k) => {
      if ((k > 0 && l !== file.printed[k - 1]! + 1) || (k === 0 && i > 0 && !heading)) out.push('--');
      const sep = file.matches.includes(l) ? ':' : '-';
      out.push(heading ? `${l}${sep}${file.text[l - 1]}` : `${file.path}${sep}${l}${sep}${file.text[l - 1]}`);
    });
  });
  return out.join('\n') + '\n';
}

/** A compressed block's lines by file: rows as [line number, is match], markers as their text. */
function sections(output: string, files: readonly GrepFile[]): Map<string, Array<[number, boolean] | string>> {
  const paths = new Set(files.map((f) => f.path));
  const out = new Map<string, Array<[number, boolean] | string>>();
  let current: Array<[number, boolean] | string> | undefined;
  for (const l of output.split('\n')) {
    if (paths.has(l)) out.set(l, (current = []));
    else if (l.startsWith('[…')) current!.push(l);
    else {
      const row = /^(\d+)([:-])/.exec(l);
      if (row !== null) current!.push([Number(row[1]), row[2] === ':']);
    }
  }
  return out;
}

/** Checks a compressed grep -B/-A block: kept matches with their context, markers naming exactly the dropped matches. */
function expectContextAndMarkers(output: string, files: readonly GrepFile[], before: number, after: number): void {
  const bySection = sections(output, files);
  expect([...bySection.keys()]).toEqual(files.map((f) => f.path));
  let namedMarkers = 0;
  for (const file of files) {
    const rows = bySection.get(file.path)!;
    const kept = new Set(rows.flatMap((r) => (typeof r === 'string' ? [] : [r[0]])));
    for (const r of rows) {
      if (typeof r === 'string' || !r[1]) continue;
      // Every line grep printed around a kept match as context is there.
      for (let l = r[0] - before; l <= r[0] + after; l++) if (l >= 1 && l <= file.text.length && !file.matches.includes(l)) expect(kept.has(l), `${file.path}:${l} (context of ${r[0]})`).toBe(true);
    }
    rows.forEach((r, k) => {
      if (typeof r !== 'string') return;
      // The printed lines between the kept rows around the marker are what it stands for.
      const from = k > 0 ? (rows[k - 1] as [number, boolean])[0] : 0;
      const to = k + 1 < rows.length ? (rows[k + 1] as [number, boolean])[0] : Number.MAX_SAFE_INTEGER;
      const gone = file.printed.filter((l) => l > from && l < to);
      const matches = gone.filter((l) => file.matches.includes(l));
      const context = gone.length - matches.length;
      const m = /^\[… (?:(\d+) match(?:es)?)?(?: and )?(?:(\d+) context lines?)? omitted(?::? (?:match(?:es)? )?in lines? ([0-9–, ]+?)(?: and (\d+) more)?)? …\]$/.exec(r);
      expect(m, r).not.toBeNull();
      expect(Number(m![1] ?? 0), r).toBe(matches.length);
      expect(Number(m![2] ?? 0), r).toBe(context);
      if (matches.length === 0) return;
      namedMarkers++;
      // Each range starts and ends at a dropped match; together with `and N more` (the last
      // ones) they name every dropped match once.
      const ranges = m![3]!.split(', ').map((x) => x.split('–').map(Number));
      let covered = 0;
      let last = 0;
      for (const range of ranges) {
        const [lo, hi = lo] = range as [number, number?];
        expect(matches).toContain(lo);
        expect(matches).toContain(hi);
        expect(lo).toBeGreaterThan(last);
        last = hi!;
        covered += matches.filter((l) => l >= lo && l <= hi!).length;
      }
      const more = Number(m![4] ?? 0);
      expect(covered + more, r).toBe(matches.length);
      expect(matches.slice(0, covered).at(-1)).toBe(last);
    });
  }
  expect(namedMarkers).toBeGreaterThan(0);
}

describe('grep output with context lines', () => {
  it.each([
    ['grep -C2', 2, 2],
    ['grep -A3', 0, 3],
    ['grep -B1', 1, 0],
  ])('%s: every kept match keeps its context and markers name the dropped matches, within the budget', (_, before, after) => {
    const files = grepFiles(14, before, after);
    const input = layout(files, false);
    for (const max of [2500, 4000]) {
      const r = both(input, { maxBlockTokens: max });
      expect(r.strategy).toBe('search:select');
      expect(r.tokensBefore).toBeGreaterThan(3 * max);
      expect(r.tokensAfter).toBeLessThanOrEqual(max);
      expectContextAndMarkers(r.content, files, before, after);
      expectCountsAddUp(input, r);
      // More than the first and last match of each file.
      expect(r.content.split('\n').filter((l) => /^\d+:/.test(l)).length).toBeGreaterThan(2 * files.length);
      expect(both(r.content, { maxBlockTokens: max }).modified).toBe(false);
    }
  });

  it('ripgrep --heading -C2: the same, with its paths on their own lines and blank lines between files', () => {
    const files = grepFiles(14, 2, 2);
    const input = layout(files, true);
    expect(both(input, { minTokens: 0, maxBlockTokens: Infinity }).modified).toBe(false);
    for (const max of [2500, 4000]) {
      const r = both(input, { maxBlockTokens: max });
      expect(r.strategy).toBe('search:select');
      expect(r.tokensBefore).toBeGreaterThan(3 * max);
      expect(r.tokensAfter).toBeLessThanOrEqual(max);
      expectContextAndMarkers(r.content, files, 2, 2);
      expect(r.content.split('\n').filter((l) => /^\d+:/.test(l)).length).toBeGreaterThan(2 * files.length);
      expect(both(r.content, { maxBlockTokens: max }).modified).toBe(false);
    }
  });

  it('agree in both engines on generated --heading and -C output, never inflate, and are idempotent', () => {
    const path = fc.constantFrom('src/a.ts', 'lib/x-1-y.py', 'é/ü.rs', 'Makefile');
    const text = fc.constantFrom('let x = 1;', '  throw new Error("boom")', '', 'a:b:c', '-1-2-', '😀');
    const row = fc.oneof(
      path,
      fc.tuple(fc.nat(300), fc.constantFrom(':', '-'), text).map(([n, s, t]) => `${n}${s}${t}`),
      fc.tuple(path, fc.nat(300), fc.constantFrom(':', '-'), text).map(([p, n, s, t]) => `${p}${s}${n}${s}${t}`),
      fc.constantFrom('--', ''),
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 120 }), fc.oneof(fc.constant(Infinity), fc.integer({ min: 20, max: 400 })), (rows, max) => {
        const input = rows.join('\n');
        const r = both(input, { minTokens: 0, maxBlockTokens: max });
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
        if (r.modified) expect(both(r.content, { minTokens: 0, maxBlockTokens: max }).modified).toBe(false);
      }),
      { seed: 4321, numRuns: 300 },
    );
  });

  it('a separator stays between kept hunks and never stands next to a marker', () => {
    const files = grepFiles(14, 2, 2);
    const r = both(layout(files, false), { maxBlockTokens: 2500 });
    const out = r.content.split('\n');
    expect(out).toContain('--');
    out.forEach((l, k) => {
      if (l !== '--') return;
      expect(out[k - 1]).toMatch(/^\d+[:-]/);
      expect(out[k + 1]).toMatch(/^\d+[:-]/);
      expect(Number(/^\d+/.exec(out[k + 1]!)![0])).toBeGreaterThan(Number(/^\d+/.exec(out[k - 1]!)![0]) + 1);
    });
  });

  it('a marker names at most eight ranges, then how many more matches', () => {
    const input = Array.from({ length: 400 }, (_, k) => `src/users/registry.ts:${1 + 30 * k}:  register(fetchUser, ${k});`).join('\n') + '\n';
    const r = both(input, { maxBlockTokens: 300 });
    const markers = r.content.split('\n').filter((l) => l.startsWith('[…'));
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) {
      const m = /^\[… (\d+) matches omitted in lines ([0-9, ]+) and (\d+) more …\]$/.exec(marker);
      expect(m, marker).not.toBeNull();
      const listed = m![2]!.split(', ').map(Number);
      expect(listed).toHaveLength(8);
      // Lines 30 apart are too far apart to share a range: each is named, in order.
      listed.forEach((l, k) => k > 0 && expect(l).toBe(listed[k - 1]! + 30));
      expect(Number(m![3])).toBe(Number(m![1]) - 8);
    }
  });
});
