// The log compressor (service logs, CI and build output, test runs), identically in both
// engines: lossless folding, lossy selection above maxBlockTokens, the quality floors on the
// development corpus, its invariants, and adversarial input.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockOptions, BlockResult } from '../../src/engine/types.js';
import { corpusFiles, corpusPath, fullCorpus } from '../support/corpus.js';
import { isMarker } from '../../src/engine/js/marker.js';
import { compressBoth, js } from '../support/engines.js';
import { logInvariantViolations, normalisedLines, parseLogOutput } from '../support/log-output.js';
import { lineRetention, parseGroundTruth, universalLines } from '../support/retention/lines.js';
import { SYSTEM_LOG_STYLES, systemLog, visibleTemplates } from '../support/system-logs.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };

const both = (content: string, options: Partial<BlockOptions> = {}): BlockResult => compressBoth(content, { ...defaults, ...options });

/** The output's lines that are markers. */
const markerLines = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('[…') && l.endsWith('…]'));

function expectSound(input: string, r: BlockResult): void {
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  if (!r.modified) return;
  expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
  expect(logInvariantViolations(input, r.content)).toEqual([]);
}

const ts = (k: number): string => `2024-05-01T10:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')}.000Z`;

describe('lossless folding', () => {
  it('folds a run of identical lines into the line, as given, and a marker with the count', () => {
    const input = ['build started', ...Array(40).fill('WARN retrying connection to cache'), 'build done'].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe('build started\nWARN retrying connection to cache\n[… the line above repeats 39 more times: 40 in a row …]\nbuild done');
    expect(r.strategy).toBe('log:fold');
  });

  it('folds lines that differ only in variable fields into a marked template with ranges', () => {
    const body = Array.from({ length: 30 }, (_, k) => `${ts(k)} INFO fetched /api/items/${1000 + k} in ${5 + (k % 9)} ms`);
    const input = ['job started', ...body, 'job done'].join('\n') + '\n';
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe(
      'job started\n' +
        `[… 30 lines like: {${ts(0)} … ${ts(29)}} INFO fetched /api/items/{1000–1029} in {5–13} ms …]\n` +
        'job done\n',
    );
    expect(r.omitted).toEqual([{ unit: 'lines', count: 30, summary: 'folded into 1 template line' }]);
    expectSound(input, r);
  });

  it('shows the numbers inside a token as ranges and keeps the rest of the token (JSON lines, key=value, paths)', () => {
    const body = Array.from({ length: 20 }, (_, k) => `{"level":"info","msg":"request done","id":"req-${300 + k}","ms":${[12, 7, 30, 9][k % 4]},"at":"${ts(k)}"}`);
    const input = ['service up', ...body, 'service down'].join('\n');
    const r = both(input, { minTokens: 0 });
    // Numbers as ranges; the varying timestamp string (not a number) as its first and last text.
    expect(r.content.split('\n')[1]).toBe(`[… 20 lines like: {"level":"info","msg":"request done","id":"req-{300–319}","ms":{7–30},"at":"2024-05-01T10:{00:00.000Z … 00:19.000Z}"} …]`);
    expectSound(input, r);
  });

  it('keeps the final state of \\r progress lines and drops ANSI escapes, counting each as one line', () => {
    const input = 'Downloading model\r  10%\r  55%\r 100% done\n\x1b[1;31mERROR\x1b[0m checksum mismatch\nexit code 1\n';
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe(' 100% done\nERROR checksum mismatch\nexit code 1\n');
    expect(normalisedLines(input)).toHaveLength(3);
  });

  it('keeps one copy of a stack trace printed many times and says how often it repeats', () => {
    const trace = ['[ERROR] No space left on device', 'java.io.IOException: No space left on device', ...Array.from({ length: 20 }, (_, k) => `\tat com.example.Writer.write${k}(Writer.java:${10 + k})`)];
    const input = ['[INFO] start', ...Array(12).fill(trace).flat(), '[INFO] BUILD FAILURE'].join('\n');
    const r = both(input, { minTokens: 0 });
    const out = r.content.split('\n');
    expect(out).toEqual(['[INFO] start', ...trace, '[… the 22 lines above repeat 11 more times (242 lines) …]', '[INFO] BUILD FAILURE']);
    expectSound(input, r);
  });

  it('never folds error, warning, stack-trace or summary lines into a template', () => {
    const errors = Array.from({ length: 10 }, (_, k) => `${ts(k)} ERROR request ${k} failed with status 503`);
    const input = ['start', ...errors, 'end'].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.modified).toBe(false); // nothing to fold: every line stays, so the block is untouched
    expect(r.content).toBe(input);
  });

  it('folds a verbose test run whose lines differ in the numbers inside test ids and in padding', () => {
    // pytest -v pads the progress column: the blanks before `[ 9%]` and `[10%]` differ in width.
    const n = 60;
    const row = (k: number, outcome: string): string => {
      const left = `tests/test_parse.py::test_roundtrip[${k}] ${outcome}`;
      return `${left}${' '.repeat(72 - left.length)}[${String(Math.floor((100 * k) / n)).padStart(3, ' ')}%]`;
    };
    const lines = ['============ test session starts ============', 'collected 60 items', '', ...Array.from({ length: n }, (_, k) => row(k, k === 40 ? 'FAILED' : 'PASSED')), '', '======= 1 failed, 59 passed in 0.31s ======='];
    const r = both(lines.join('\n'), { minTokens: 0 });
    expect(r.strategy).toBe('log:fold');
    const out = r.content.split('\n');
    // One template before the failure, the failure, one template after it.
    expect(out).toHaveLength(8);
    expect(out.slice(0, 3)).toEqual(lines.slice(0, 3));
    // The first line's spacing; the numbers inside the id and the progress column as ranges.
    expect(out[3]).toBe(`[… 40 lines like: ${row(0, 'PASSED').replace('[0]', '[{0–39}]').replace('  0%]', '  {0–65}%]')} …]`);
    expect(out[4]).toBe(row(40, 'FAILED'));
    expect(out[5]).toBe(`[… 19 lines like: ${row(41, 'PASSED').replace('[41]', '[{41–59}]').replace('68%]', '{68–98}%]')} …]`);
    expect(out.slice(6)).toEqual(lines.slice(-2));
    expectSound(lines.join('\n'), r);
  });

  it('is lossless only with maxBlockTokens Infinity, however large the block', () => {
    const input = Array.from({ length: 3000 }, (_, k) => `${ts(k)} INFO ${['alpha', 'beta', 'gamma'][Math.floor(k / 10) % 3]} step ${k} ok`).join('\n');
    const r = both(input, { maxBlockTokens: Infinity });
    expect(r.strategy).toBe('log:fold');
    expect(markerLines(r.content).every((m) => m.includes(' lines like: '))).toBe(true);
    expectSound(input, r);
  });
});

describe('statistical outliers and change points', () => {
  // A latency that wanders over 5–90 ms, with a handful of far slower requests.
  const latency = (k: number): number => 5 + ((k * 37) % 86);
  const access = (k: number, ms: number): string => `${ts(k)} INFO [api] GET /api/v1/orders/${7000 + k} 200 duration_ms=${ms} request_id=${(k * 7919) % 100_000}`;

  it('keeps a line with an outlying value verbatim inside a template run, and shows each run its range', () => {
    const lines = Array.from({ length: 600 }, (_, k) => access(k, k === 210 ? 9622 : k === 480 ? 10040 : latency(k)));
    const r = both(lines.join('\n'), { maxBlockTokens: Infinity });
    const out = r.content.split('\n');
    expect(out).toContain(lines[210]);
    expect(out).toContain(lines[480]);
    // Ids, timestamps and request ids are not outliers: three templates around the two lines.
    expect(out).toHaveLength(7);
    const ids = Array.from({ length: 209 }, (_, k) => ((k + 1) * 7919) % 100_000);
    expect(out[1]).toBe(`[… 209 lines like: {${ts(1)} … ${ts(209)}} INFO [api] GET /api/v1/orders/{7001–7209} 200 duration_ms={5–90} request_id={${Math.min(...ids)}–${Math.max(...ids)}} …]`);
    expectSound(lines.join('\n'), r);
  });

  it('keeps outlying lines in lossy selection too, among lines of other shapes', () => {
    const other = (k: number): string => `${ts(k)} INFO [cache] ${['hit', 'miss', 'evict'][k % 3]} key=user:${k % 97} size=${100 + (k % 13)}`;
    const lines = Array.from({ length: 3000 }, (_, k) => (k % 2 === 0 ? access(k, latency(k)) : other(k)));
    lines[1234] = access(1234, 48_000);
    const r = both(lines.join('\n'), { maxBlockTokens: 400 });
    expect(r.strategy).toBe('log:select');
    expect(r.content).toContain(lines[1234]);
    expectSound(lines.join('\n'), r);
  });

  it('reads a CSV metric series (timestamp,value) as a log and leaves it to the metrics selection: a spike and a shifted level stay', () => {
    const stamp = (k: number): string => `2014-04-${String(1 + Math.floor(k / 288)).padStart(2, '0')} ${String(Math.floor((k % 288) / 12)).padStart(2, '0')}:${String((k % 12) * 5).padStart(2, '0')}:00`;
    const value = (k: number): string => (k === 900 ? '131.25' : ((k >= 1500 && k < 1700 ? 50 : 20) + ((k * 7919) % 500) / 100).toFixed(2));
    const lines = ['timestamp,value', ...Array.from({ length: 2400 }, (_, k) => `${stamp(k)},${value(k)}`)];
    const r = both(lines.join('\n') + '\n');
    expect(r.kind).toBe('log');
    const kept = r.content.split('\n').filter((l) => !l.startsWith('[…'));
    for (const k of [900, 1499, 1500, 1699, 1700]) expect(kept).toContain(lines[k + 1]);
    expect(r.strategy).toBe('metrics:select');
    expect(r.content).toMatch(/\[… \d+ rows omitted: value 2\d\.\d\d–2\d\.\d\d, 2014-04-01 \d\d:\d\d:00 – /);
  });

  it('takes neither a few random levels (thread ids) nor the usual levels of a field for anomalies', () => {
    const threads = [148, 35, 143, 19, 145, 26, 141];
    const lines = Array.from({ length: 800 }, (_, k) => `${ts(k)} ${threads[(k * k * 7 + Math.floor(k / 3)) % 7]} INFO dfs.DataNode: sent packet in ${[12, 7, 30, 9][k % 4]} ms`);
    const r = both(lines.join('\n'), { maxBlockTokens: Infinity });
    expect(r.content.split('\n').filter((l) => !l.startsWith('[…'))).toEqual([lines[0], lines[799]]);
  });

  it('keeps the lines on both sides of a level shift, and not a run of monotone counters', () => {
    const lines = Array.from({ length: 300 }, (_, k) => `${ts(k)} queue depth ${k < 180 ? 10 + (k % 7) : 400 + (k % 7)} items, processed total=${k * 3} offset=${1_000_000 + k * 512}`);
    const r = both(lines.join('\n'), { maxBlockTokens: Infinity });
    const out = r.content.split('\n');
    expect(out).toContain(lines[179]);
    expect(out).toContain(lines[180]);
    expect(out.filter((l) => !l.startsWith('[…'))).toEqual([lines[0], lines[179], lines[180], lines[299]]);
  });
});

describe('lossy selection above maxBlockTokens', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];
  const noise = (k: number): string => `${ts(k)} INFO ${words[k % 7]} worker handled ${words[(k * 3) % 7]} request ${k}`;

  it('keeps every error, its context, the first and last line, and marks each dropped run', () => {
    const lines = Array.from({ length: 2000 }, (_, k) => noise(k));
    lines[700] = `${ts(700)} ERROR worker crashed: java.lang.OutOfMemoryError: Java heap space`;
    lines[701] = '\tat com.example.Pool.grow(Pool.java:88)';
    lines[1500] = `${ts(1500)} WARN disk 91% full`;
    const input = lines.join('\n') + '\n';
    const r = both(input, { maxBlockTokens: 500 });
    expect(r.strategy).toBe('log:select');
    expect(r.tokensAfter).toBeLessThanOrEqual(500);
    for (const k of [0, 699, 700, 701, 702, 1500, 1999]) expect(r.content).toContain(lines[k]);
    const markers = markerLines(r.content);
    expect(markers.length).toBeGreaterThan(1);
    expect(markers[0]).toMatch(/^\[… \d+ lines omitted: \d+ INFO; 2024-05-01T10:\d\d:\d\d\.000Z … 2024-05-01T10:\d\d:\d\d\.000Z; most common "[a-z]+ worker handled [a-z]+ request <\*>" ×\d+(; \d+ other templates?)? …\]$/);
    expect(r.omitted).toHaveLength(1);
    expect(r.omitted[0]).toMatchObject({ unit: 'lines' });
    expect(r.omitted[0]!.count).toBe(parseLogOutput(r.content).filter((l) => l.kind === 'omitted').reduce((n, l) => n + l.count, 0));
    expectSound(input, r);
  });

  it('treats the budget as a ceiling: routine lines around an error shrink to about a tenth, whatever the budget', () => {
    // 600 routine lines of 600 different shapes (setup chatter), and a test failure among them.
    const log = systemLog('syslog', 600, 600, 21);
    const failure = ['--- FAIL: TestUpload (0.02s)', '    upload_test.go:41: status 503, want 200', '    upload_test.go:42: body: "service unavailable"', 'FAIL', 'FAIL\texample.com/store\t0.311s'];
    const input = [...log.lines.slice(0, 400), ...failure, ...log.lines.slice(400)].join('\n') + '\n';
    const results = [4000, 8000, 16000].map((maxBlockTokens) => both(input, { maxBlockTokens }));
    for (const r of results) {
      expect(r.strategy).toBe('log:select');
      expect(r.content).toBe(results[0]!.content);
      for (const line of failure) expect(r.content).toContain(line);
      expectSound(input, r);
    }
    expect(results[0]!.tokensAfter).toBeLessThan(results[0]!.tokensBefore / 5);
  });

  it('keeps the header of the section an error is in, however far above it', () => {
    const steps = ['checkout', 'setup toolchain', 'go test ./...', 'upload logs'];
    const lines: string[] = [];
    steps.forEach((step, s) => {
      lines.push(`##[group]Run ${step}`);
      lines.push(...systemLog('syslog', 100, 300, 40 + s).lines);
      if (step.startsWith('go test')) lines.push('--- FAIL: TestUpload (0.02s)', '    upload_test.go:41: status 503, want 200', 'FAIL\texample.com/store\t0.311s');
      lines.push('##[endgroup]');
    });
    const r = both(lines.join('\n'));
    expect(r.strategy).toBe('log:select');
    expect(r.content).toContain('##[group]Run go test ./...\n');
    expect(r.content).toContain('--- FAIL: TestUpload (0.02s)\n    upload_test.go:41: status 503, want 200\nFAIL\texample.com/store\t0.311s\n');
    expectSound(lines.join('\n'), r);
  });

  it('keeps failures stated without an error word (linker, shell, loader)', () => {
    const lines = Array.from({ length: 1500 }, (_, k) => noise(k));
    lines[300] = "/usr/bin/ld: main.o: in function `main': undefined reference to `compute'";
    lines[800] = 'bash: line 1: jq: command not found';
    lines[1200] = 'Segmentation fault (core dumped)';
    const r = both(lines.join('\n'), { maxBlockTokens: 400 });
    for (const k of [300, 800, 1200]) expect(r.content).toContain(lines[k]);
  });

  it('keeps 5xx and 4xx requests of an access log', () => {
    const paths = ['/api/items', '/api/users', '/health', '/static/app.js', '/api/orders'];
    const lines = Array.from({ length: 1500 }, (_, k) => `10.0.${k % 7}.${k % 250} - - [10/Oct/2023:13:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')} +0000] "GET ${paths[k % 5]}?page=${k} HTTP/1.1" 200 ${1000 + k} "-" "curl/8.1"`);
    lines[400] = '10.0.0.9 - - [10/Oct/2023:13:06:40 +0000] "POST /api/orders HTTP/1.1" 503 157 "-" "python-requests/2.31"';
    lines[900] = '10.0.0.8 - - [10/Oct/2023:13:15:00 +0000] "GET /api/users/42 HTTP/1.1" 404 12 "-" "curl/8.1"';
    const r = both(lines.join('\n'), { maxBlockTokens: 400 });
    expect(r.kind).toBe('log');
    for (const k of [400, 900]) expect(r.content).toContain(lines[k]);
  });

  it('quotes the words around numbers in a marker when every omitted line of the template shares them', () => {
    const lines = Array.from({ length: 1500 }, (_, k) =>
      k % 3 === 0 ? `tests/test_math.py::test_values[${k}] PASSED` : `${ts(k)} INFO pool-${k % 5} took duration_ms=${(k * 7) % 90}`,
    );
    const r = both(lines.join('\n'), { maxBlockTokens: 300 });
    expect(r.strategy).toBe('log:select');
    const quoting = markerLines(r.content).filter((m) => m.includes('most common'));
    expect(quoting.length).toBeGreaterThan(0);
    for (const m of quoting) expect(m).toMatch(/most common "(<\*> PASSED|pool-<\*> took duration_ms=<\*>)" ×\d+ …\]$/);
  });

  it('never names a blank line as the most common template of a dropped run', () => {
    const lines = Array.from({ length: 1500 }, (_, k) => (k % 2 === 0 ? '' : noise(k)));
    const r = both(['start', ...lines, 'end'].join('\n'), { maxBlockTokens: 300 });
    expect(r.strategy).toBe('log:select');
    expect(markerLines(r.content).some((m) => m.includes('""'))).toBe(false);
  });

  it('shows one line of each frequent shape when the budget has room, rather than one marker for all', () => {
    const shapes = [
      (k: number): string => `${ts(k)} INFO executor.Executor: Finished task ${k % 40}.0 in stage ${Math.floor(k / 40)}.0 (TID ${k}). ${2000 + ((k * 37) % 200)} bytes result sent to driver`,
      (k: number): string => `${ts(k)} INFO executor.Executor: Running task ${k % 40}.0 in stage ${Math.floor(k / 40)}.0 (TID ${k})`,
      (k: number): string => `${ts(k)} INFO executor.Backend: Got assigned task ${k}`,
      (k: number): string => `${ts(k)} INFO storage.BlockManager: Found block rdd_${k % 7}_${k % 40} locally`,
    ];
    const pick = (k: number): number => ((k * 1103515245 + 12345) >>> 16) % 4;
    const lines = Array.from({ length: 2000 }, (_, k) => shapes[pick(k)]!(k));
    const r = both(lines.join('\n'), { maxBlockTokens: 1000 });
    expect(r.strategy).toBe('log:select');
    const kept = new Set(r.content.split('\n'));
    for (let s = 0; s < 4; s++) expect(lines.some((l, k) => pick(k) === s && kept.has(l)), `shape ${s}`).toBe(true);
    expect(r.tokensAfter).toBeLessThanOrEqual(1000);
    expectSound(lines.join('\n'), r);
  });

  it('keeps a block full of errors whole rather than dropping any', () => {
    const input = Array.from({ length: 400 }, (_, k) => `${ts(k)} ERROR job ${k} failed: ${words[k % 7]} unavailable`).join('\n');
    const r = both(input, { maxBlockTokens: 100 });
    expect(r.modified).toBe(false);
  });

  it('keeps lines with the query terms', () => {
    const lines = Array.from({ length: 1500 }, (_, k) => (k % 10 === 1 ? `${ts(k)} INFO tenant t${k}.corp migrated to shard ${k % 9}` : noise(k)));
    lines[321] = `${ts(321)} INFO tenant acme.corp migrated to shard 7`;
    const r = both(lines.join('\n'), { maxBlockTokens: 300, query: 'what happened to the acme migration?' });
    expect(r.content).toContain(lines[321]);
    const plain = both(lines.join('\n'), { maxBlockTokens: 300 });
    expect(plain.content).not.toContain(lines[321]);
  });

  it('keeps each distinct warning once and says how often it occurred', () => {
    const lines = Array.from({ length: 1500 }, (_, k) => noise(k));
    for (let k = 100; k < 1400; k += 100) lines[k] = 'WARNING: deprecated option --legacy-peer-deps';
    const r = both(lines.join('\n'), { maxBlockTokens: 300 });
    const kept = r.content.split('\n').filter((l) => l.startsWith('WARNING'));
    expect(kept[0]).toBe('WARNING: deprecated option --legacy-peer-deps');
    const out = r.content.split('\n');
    expect(out[out.indexOf(kept[0]!) + 1]).toBe('[… the line above occurs 13 times in all …]');
    expectSound(lines.join('\n'), r);
  });

  it('is idempotent: compressing the output again changes nothing', () => {
    const lines = Array.from({ length: 1500 }, (_, k) => noise(k));
    lines[900] = `${ts(900)} ERROR boom`;
    const first = both(lines.join('\n'), { maxBlockTokens: 300 });
    expect(first.modified).toBe(true);
    const second = both(first.content, { maxBlockTokens: 300 });
    expect(second.modified).toBe(false);
    const lossless = both(['a', ...Array(30).fill('INFO same'), 'b'].join('\n'), { minTokens: 0 });
    expect(both(lossless.content, { minTokens: 0 }).modified).toBe(false);
  });
});

describe('kept lines as given, byte for byte', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta'];
  /** A log with template runs, runs of one line, a repeated block and errors: `\n` line ends. */
  const sample = (n: number): string[] =>
    Array.from({ length: n }, (_, k) => {
      if (k % 97 === 13) return `${ts(k)} ERROR ${words[k % 7]} store refused write ${k}`;
      if (k % 50 < 6) return `${ts(0)} WARN retrying connection to cache`;
      if (k % 200 >= 150 && k % 200 < 162) return ['  at Store.write (store.js:10)', '  at Queue.run (queue.js:42)', '  at tick (timers.js:7)'][k % 3]!;
      return `${ts(k)} INFO ${words[k % 7]} worker handled ${words[(k * 3) % 7]} request ${k}`;
    });
  /** The output's lines, each with its `\r` where it has one. */
  const outLines = (out: string): string[] => (out.endsWith('\n') ? out.slice(0, -1) : out).split('\n');
  const bare = (l: string): string => (l.endsWith('\r') ? l.slice(0, -1) : l);
  const budgets = [Infinity, 4000, 300];

  it('keeps CRLF line ends on every kept line, ends the markers the same way, and changes nothing else', () => {
    for (const maxBlockTokens of budgets) {
      const lf = sample(1500).join('\n') + '\n';
      const crlf = lf.replaceAll('\n', '\r\n');
      const r = both(crlf, { maxBlockTokens });
      expect(r.modified).toBe(true);
      const input = new Set(crlf.split('\n'));
      for (const l of outLines(r.content)) {
        expect(l.endsWith('\r')).toBe(true);
        if (!isMarker(bare(l))) expect(input.has(l)).toBe(true);
      }
      expect(r.content.replaceAll('\r\n', '\n')).toBe(both(lf, { maxBlockTokens }).content);
      expectSound(crlf, r);
    }
  });

  it('keeps each line’s own line end where the block mixes them', () => {
    for (const maxBlockTokens of budgets) {
      const lines = sample(1500);
      const mixed = lines.map((l, k) => l + (k % 3 === 0 ? '\r\n' : '\n')).join('');
      const r = both(mixed, { maxBlockTokens });
      expect(r.modified).toBe(true);
      const input = new Set(mixed.split('\n'));
      const kept = outLines(r.content).filter((l) => !isMarker(bare(l)));
      expect(kept.length).toBeGreaterThan(0);
      for (const l of kept) expect(input.has(l)).toBe(true);
      expect(kept.some((l) => l.endsWith('\r'))).toBe(true);
      expectSound(mixed, r);
    }
  });

  it('counts a run of one line with a marker line of its own, after the line as given', () => {
    const input = ['build started', ...Array<string>(5).fill('WARN retrying connection to cache\r'), 'build done', ''].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.content).toBe('build started\nWARN retrying connection to cache\r\n[… the line above repeats 4 more times: 5 in a row …]\r\nbuild done\n');
    expect(both(r.content, { minTokens: 0 }).modified).toBe(false);
  });

  it('leaves a run of short lines as given where the count would be longer than the copies', () => {
    const input = ['build started', 'ok', 'ok', 'ok', '', '', 'build done', 'ok', 'ok', ...Array<string>(40).fill('WARN retrying connection to cache')].join('\n');
    const r = both(input, { minTokens: 0 });
    expect(r.content.startsWith('build started\nok\nok\nok\n\n\nbuild done\nok\nok\nWARN retrying connection to cache\n[… the line above repeats 39 more times')).toBe(true);
  });

  it('emits a kept line with lone surrogates as given on the JS engine (the native engine receives them as U+FFFD)', () => {
    const lines = sample(1500);
    const lone = `${ts(901)} ERROR bad name \ud800x\udc01 in request`;
    lines[901] = lone;
    const input = lines.join('\n');
    for (const maxBlockTokens of budgets) {
      const [r] = js.compressBlocks([{ content: input, options: { ...defaults, maxBlockTokens } }]);
      expect(r!.modified).toBe(true);
      expect(r!.content.split('\n')).toContain(lone);
      // Parity (PRODUCT §9): the engines agree once lone surrogates are U+FFFD on both sides.
      expect(r!.content.toWellFormed()).toBe(both(input.toWellFormed(), { maxBlockTokens }).content);
    }
  });
});

describe('logs with many event types: coverage before repetition', () => {
  // Generated system logs (test/support/system-logs.ts): 2 000 lines, Zipf-distributed templates.
  const coverage = (style: (typeof SYSTEM_LOG_STYLES)[number], templates: number, seed: number, maxBlockTokens?: number): { cut: number; visible: number; r: BlockResult } => {
    const log = systemLog(style, templates, 2000, seed);
    const before = js.countTokens(log.text, 'o200k_base');
    const r = both(log.text, { maxBlockTokens: maxBlockTokens ?? Math.floor(before / 10) });
    expectSound(log.text, r);
    const visible = visibleTemplates(log, r.content).filter(Boolean).length / templates;
    return { cut: 1 - r.tokensAfter / r.tokensBefore, visible, r };
  };

  it('shows every template of a 2 000-line log of 46 templates at the default budget', () => {
    for (const style of SYSTEM_LOG_STYLES) {
      const { r, visible } = coverage(style, 46, 11, 4000);
      expect(r.tokensAfter, style).toBeLessThanOrEqual(4000);
      expect(visible, style).toBe(1);
    }
  });

  it('shows at least 95 % of 50 to 300 templates at a 90 % token cut', () => {
    const cases: Array<[(typeof SYSTEM_LOG_STYLES)[number], number]> = [
      ...SYSTEM_LOG_STYLES.flatMap((s) => [50, 150].map((t): [(typeof SYSTEM_LOG_STYLES)[number], number] => [s, t])),
      ['ras', 300],
      ['openstack', 300],
      ['hadoop', 300],
    ];
    for (const [style, templates] of cases) {
      const { cut, visible } = coverage(style, templates, 3 + templates);
      expect(cut, `${style} ${templates}`).toBeGreaterThanOrEqual(0.9);
      expect(visible, `${style} ${templates}`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('names the templates it cannot show in the marker where their lines were dropped, with their counts', () => {
    const log = systemLog('syslog', 120, 2000, 5);
    const r = both(log.text, { maxBlockTokens: 2000 });
    const named = markerLines(r.content).flatMap((m) => [...m.matchAll(/"([^"]*)" ×(\d+)(?: \((\d+) in all\))?/g)]);
    expect(named.length).toBeGreaterThan(10);
    for (const m of named) {
      const k = log.quoted.findIndex((q) => m[1] === q || m[1]!.endsWith(` ${q}`));
      if (k < 0 || m[3] === undefined) continue;
      expect(Number(m[3])).toBe(log.counts[k]);
    }
  });

  it('never leaves a marker that does not say what kind of lines it stands for', () => {
    const fields = Array.from({ length: 1500 }, (_, k) => (k % 50 < 3 ? '' : `${ts(k)} INFO ${1000 + k} ${k * 7}`));
    fields[700] = `${ts(700)} ERROR boom`;
    for (const input of [fields.join('\n'), systemLog('android', 200, 2000, 9).text]) {
      const r = both(input, { maxBlockTokens: 300 });
      expect(r.strategy).toBe('log:select');
      for (const m of markerLines(r.content)) expect(m, m).not.toMatch(/^\[… \d+ lines? omitted …\]$/);
    }
  });
});

describe('the development corpus', () => {
  const logs = corpusFiles('ci-logs', (f) => f.endsWith('fail.log'));

  it('gives identical results in both engines on every file in ci-logs', () => {
    for (const f of corpusFiles('ci-logs')) {
      const content = readFileSync(corpusPath(f), 'utf8');
      both(content);
      both(content, { maxBlockTokens: Infinity });
      both(content, { maxBlockTokens: 1000, query: 'why did the build fail' });
    }
  });

  it('meets the quality floors on CI logs with default options', () => {
    const reductions: number[] = [];
    let context = 0;
    let contextPresent = 0;
    for (const f of logs) {
      const content = readFileSync(corpusPath(f), 'utf8');
      const gt = parseGroundTruth(readFileSync(corpusPath(f.replace(/fail\.log$/, 'groundtruth')), 'utf8'));
      const r = both(content);
      expect(r.kind, f).toBe('log');
      expectSound(content, r);
      const errors = lineRetention(content, r.content, gt.error);
      expect(errors.missing, `${f}: error lines missing`).toEqual([]);
      const ctx = lineRetention(content, r.content, gt.context);
      context += ctx.total;
      contextPresent += ctx.present;
      const lines = universalLines(content);
      const last = lines.findLastIndex((l) => l.trim().length > 0) + 1;
      expect(lineRetention(content, r.content, [1, last]).missing, `${f}: first/last line`).toEqual([]);
      reductions.push(1 - r.tokensAfter / r.tokensBefore);
    }
    expect(contextPresent / context).toBeGreaterThanOrEqual(0.9);
    reductions.sort((a, b) => a - b);
    expect(reductions[Math.floor(reductions.length / 2)]!).toBeGreaterThanOrEqual(0.7);
  });

  // The budget is a ceiling, not a target: on the labelled CI logs the error blocks stay whole
  // while the routine lines around them shrink to a tenth, so most logs are cut by 90 % or more.
  it.skipIf(!fullCorpus)('cuts the median labelled CI log by at least 90 % and keeps every labelled error line', () => {
    const reductions: number[] = [];
    for (const f of logs) {
      const content = readFileSync(corpusPath(f), 'utf8');
      const gt = parseGroundTruth(readFileSync(corpusPath(f.replace(/fail\.log$/, 'groundtruth')), 'utf8'));
      const r = both(content);
      expect(lineRetention(content, r.content, gt.error).missing, `${f}: error lines missing`).toEqual([]);
      reductions.push(1 - r.tokensAfter / r.tokensBefore);
    }
    expect(reductions.length).toBeGreaterThan(20);
    reductions.sort((a, b) => a - b);
    expect(reductions[Math.floor(reductions.length / 2)]!).toBeGreaterThanOrEqual(0.9);
  });

  it('gives identical results on the tool outputs inside agent trajectories', () => {
    let seen = 0;
    for (const f of corpusFiles('trajectories', (f) => f.endsWith('.traj'))) {
      const traj = JSON.parse(readFileSync(corpusPath(f), 'utf8')) as {
        trajectory?: Array<{ observation?: unknown }>;
        history?: Array<{ role?: string; content?: unknown }>;
      };
      const outputs: string[] = [];
      for (const step of traj.trajectory ?? []) if (typeof step.observation === 'string') outputs.push(step.observation);
      for (const m of traj.history ?? []) {
        if (m.role !== 'tool') continue;
        if (typeof m.content === 'string') outputs.push(m.content);
        else if (Array.isArray(m.content)) for (const b of m.content as Array<{ text?: unknown }>) if (typeof b.text === 'string') outputs.push(b.text);
      }
      for (const content of outputs) {
        seen++;
        for (const options of [{ minTokens: 0 }, { minTokens: 0, maxBlockTokens: 100 }]) {
          const r = both(content, options);
          if (r.kind === 'log') expectSound(content, r);
          else if (r.kind === 'code' || r.kind === 'text') expect(r.modified).toBe(false);
        }
      }
    }
    expect(seen).toBeGreaterThan(fullCorpus ? 50 : 4);
  });
});

describe('adversarial input', () => {
  it('handles a 20 MB single line, alone and inside a log', () => {
    const huge = 'GET /api/v1/items?id=123 took 45 ms status=200 '.repeat(430_000);
    const alone = both(huge);
    expect(alone.tokensAfter).toBeLessThanOrEqual(alone.tokensBefore);
    const head = Array.from({ length: 60 }, (_, k) => `${ts(k)} INFO step ${k} ${['a', 'b', 'c'][k % 3]} ok`);
    const input = [...head, `${ts(60)} INFO payload ${huge}`, `${ts(61)} ERROR upload failed`, ...head].join('\n');
    const r = both(input);
    expect(r.kind).toBe('log');
    expect(r.tokensAfter).toBeLessThanOrEqual(4000);
    expect(r.content).toContain(`${ts(61)} ERROR upload failed`);
  });

  it('handles \\r-only line endings, invalid UTF-8, lone surrogates and NUL bytes', () => {
    const lines = Array.from({ length: 400 }, (_, k) => `${ts(k)} INFO item ${k} processed \u0000 by worker ${k % 5}`);
    lines[200] = `${ts(200)} ERROR item 200 rejected`;
    const crOnly = lines.join('\r');
    const r = both(crOnly, { maxBlockTokens: 300 });
    expect(r.kind).toBe('log');
    expect(r.content).toContain(lines[200]);
    expectSound(crOnly, r);
    const bytes = Buffer.from(lines.join('\n'), 'utf8');
    bytes[50] = 0xff;
    bytes[51] = 0xfe;
    const invalid = bytes.toString('utf8');
    expectSound(invalid, both(invalid, { maxBlockTokens: 300 }));
    const surrogates = lines.map((l, k) => (k % 50 === 0 ? l + ' \ud800 \udfff' : l)).join('\n');
    const s = both(surrogates, { maxBlockTokens: 300 });
    expect(s.content.isWellFormed()).toBe(true);
  });

  it('folds 1 000 000 identical lines into one', () => {
    const input = 'INFO heartbeat ok\n'.repeat(1_000_000);
    const r = both(input);
    expect(r.content).toBe('INFO heartbeat ok\n[… the line above repeats 999999 more times: 1000000 in a row …]\n');
  });

  it('selects within the budget from 100 000 distinct lines', () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
    const lines = Array.from({ length: 100_000 }, (_, k) => `${ts(k)} ${words[k % 8]} ${words[(k >> 3) % 8]} handled ${words[(k >> 6) % 8]} request ${k}`);
    lines[77_777] = `${ts(77_777)} FATAL out of file descriptors`;
    const input = lines.join('\n') + '\n';
    const r = both(input);
    expect(r.tokensAfter).toBeLessThanOrEqual(4000);
    expect(r.content).toContain(lines[77_777]);
    expect(logInvariantViolations(input, r.content)).toEqual([]);
  });
});

describe('shared property runs', () => {
  const stamp = fc.constantFrom('', '2024-01-02T03:04:05.678Z ', '10:00:01 ', 'Dec  1 10:00:00 host app[12]: ', '[2024-01-02 03:04:05,123] ');
  const level = fc.constantFrom('', 'INFO ', 'WARN ', 'ERROR ', '[DEBUG] ', 'npm ERR! ');
  const word = fc.constantFrom('connected', 'retry', 'failed', 'timeout', 'ok', 'user', 'cache', 'héllo', '😀', '/var/log/app.log', 'v1.2.3', 'Failures: 0', '0x1f', '\x1b[31mred\x1b[0m', '\t', '  ');
  const message = fc.tuple(fc.array(fc.oneof(word, fc.nat(99_999).map(String)), { minLength: 1, maxLength: 8 })).map(([w]) => w.join(' '));
  const special = fc.constantFrom(
    '\tat com.example.Foo.bar(Foo.java:12)',
    'Traceback (most recent call last):',
    '  File "x.py", line 3, in f',
    '    raise ValueError(x)',
    'ValueError: bad x',
    'Tests run: 3, Failures: 1, Errors: 0',
    '##[group]Run make',
    '',
    'half\r 50%\r100%',
    'lone \ud800 surrogate',
    '[… not ours …] but bracketed',
  );
  const line = fc.oneof({ weight: 6, arbitrary: fc.tuple(stamp, level, message).map(([a, b, c]) => a + b + c) }, { weight: 1, arbitrary: special });
  const log = fc
    .tuple(fc.array(line, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(11), { minLength: 1, maxLength: 120 }), fc.boolean())
    .map(([pool, picks, crlf]) => picks.map((p) => pool[p % pool.length]!).join(crlf ? '\r\n' : '\n'));

  it('agree in both engines and keep the invariants', () => {
    fc.assert(
      fc.property(log, fc.oneof(fc.constant(Infinity), fc.integer({ min: 20, max: 400 })), (input, max) => {
        const r = both(input, { minTokens: 0, maxBlockTokens: max });
        expect(both(input, { minTokens: 0, maxBlockTokens: max })).toEqual(r); // deterministic
        if (r.kind === 'log') expectSound(input.toWellFormed(), r);
        if (r.modified) expect(both(r.content, { minTokens: 0, maxBlockTokens: max }).modified).toBe(false); // idempotent
      }),
      { seed: 4242, numRuns: 300 },
    );
  });

  it('run the log compressor directly on arbitrary text without failing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 300 }), (s) => {
        const r = js.compressBlocks([{ content: s, options: { ...defaults, minTokens: 0 } }])[0]!;
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
