// Hostile inputs for the reliability suites (issue 17), generated here rather than stored, and the
// checks every engine's result must pass on them. Each input is built on first use.
import { expect } from 'vitest';
import { compressSyncWith } from '../../src/compress.js';
import { farAbove } from '../../src/engine/js/budget.js';
import { isMarker } from '../../src/engine/js/marker.js';
import { lineSignal, Signal } from '../../src/engine/js/signal.js';
import type { BlockOptions, BlockResult, Engine } from '../../src/engine/types.js';
import { Memo } from '../../src/messages/memo.js';
import { random } from './random.js';

export { random };

export interface HostileInput {
  name: string;
  text: () => string;
}

const MB = 1 << 20;
const once = (make: () => string): (() => string) => {
  let text: string | undefined;
  return () => (text ??= make());
};

function lines(count: number, line: (i: number, rnd: () => number) => string, seed: number, newline = '\n'): string {
  const rnd = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(line(i, rnd));
  return out.join(newline);
}

const hex = (rnd: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
  return s;
};

const word = (rnd: () => number): string => {
  let w = '';
  for (let n = 2 + Math.floor(rnd() * 8); n > 0; n--) w += 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rnd() * 26)];
  return w;
};

function base64(bytes: number, seed: number): string {
  const rnd = random(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const chunk: string[] = [];
  for (let i = 0; i < 64 * 1024; i++) chunk.push(alphabet[Math.floor(rnd() * 64)]!);
  const block = chunk.join('');
  return block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
}

const records = (n: number, extra: (i: number) => string): string =>
  '[' + Array.from({ length: n }, (_, i) => `{"id":${i},"status":"${i % 17 === 0 ? 'error' : 'ok'}","latency_ms":${(i * 37) % 500}${extra(i)}}`).join(',') + ']';

export const HOSTILE: HostileInput[] = [
  ...['a', ' ', '\n', '[', '{', '}'].map((ch) => ({ name: `4 MB run of ${JSON.stringify(ch)}`, text: once(() => ch.repeat(4 * MB)) })),
  {
    name: 'a 20 MB line',
    text: once(() => lines(400_000, (i, rnd) => `k${i % 97}=${hex(rnd, 8)} v=${i} ok;`, 1, ' ').padEnd(20 * MB, ' x').slice(0, 20 * MB)),
  },
  { name: '100 000-deep array nesting', text: once(() => '['.repeat(100_000) + ']'.repeat(100_000)) },
  { name: '100 000-deep object nesting', text: once(() => '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)) },
  {
    name: '500 000 unique log lines',
    text: once(() => lines(500_000, (i, rnd) => `2024-05-01T12:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z INFO request ${hex(rnd, 12)} served in ${Math.floor(rnd() * 900)}ms`, 2)),
  },
  {
    name: '60 000 random log lines',
    text: once(() => lines(60_000, (i, rnd) => `2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z INFO ${Array.from({ length: 4 + Math.floor(rnd() * 8) }, () => word(rnd)).join(' ')}`, 8)),
  },
  { name: 'a 10 MB base64 blob', text: once(() => base64(10 * MB, 3)) },
  {
    name: 'lone surrogates in JSON and logs',
    text: once(() => records(3000, (i) => (i % 5 === 0 ? `,"note":"half \ud800 pair \udc00 end"` : '')) + '\n'),
  },
  { name: 'lone surrogates in a log', text: once(() => lines(20_000, (i) => `12:00:${String(i % 60).padStart(2, '0')} WARN odd byte \ud83d in frame ${i}`, 4)) },
  { name: 'NUL characters', text: once(() => lines(20_000, (i) => `line\u0000${i}\u0000 INFO value=${i % 13}`, 5)) },
  { name: 'CRLF lines', text: once(() => lines(30_000, (i) => `2024-05-01 12:00:00 INFO worker ${i % 40} done`, 6, '\r\n')) },
  {
    name: 'mixed newlines',
    text: once(() => {
      const rnd = random(7);
      return lines(30_000, (i) => `12:00:00 ${i % 50 === 0 ? 'ERROR failed' : 'INFO ok'} job ${i}`, 7, '\n').replace(/\n/g, () => ['\n', '\r\n', '\r', '\n\n'][Math.floor(rnd() * 4)]!);
    }),
  },
  {
    name: 'numbers beyond double precision',
    text: once(() => records(5000, (i) => `,"big":${'9'.repeat(20 + (i % 30))},"tiny":1e-${400 + i},"huge":${i}e400,"neg":-0.${'0'.repeat(30)}1`)),
  },
  { name: 'duplicate keys', text: once(() => records(5000, (i) => `,"id":"dup${i}","status":"again","status":"${i % 3}"`)) },
  { name: 'truncated JSON', text: once(() => records(20_000, () => '').slice(0, 700_000)) },
];

export const OPTIONS: BlockOptions = { encoding: 'o200k_base', query: 'error', minTokens: 200, maxBlockTokens: 4000 };

/** Tokens a check allows beyond the budget for joins around removed lines. */
export const MARKER_ALLOWANCE = 50;

/** What every result on hostile input must satisfy. */
export const CHECKS: { name: string; check: (input: string, result: BlockResult, engine: Engine) => void }[] = [
  {
    name: 'counted exactly',
    check: (input, r, engine) => expect(r.tokensBefore).toBe(engine.countTokens(input, OPTIONS.encoding)),
  },
  {
    name: 'never inflates',
    check: (_input, r) => expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore),
  },
  {
    name: 'untouched means identical',
    check: (input, r) => {
      if (!r.modified) expect(r.content === input).toBe(true);
      else expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    },
  },
  {
    // The budget is a ceiling on unstructured output: a block still far above maxBlockTokens
    // (budget.ts's farAbove) comes out cut to it, error lines and the markers between them aside
    // (signal is never cut). Allowance: MARKER_ALLOWANCE tokens, for how lines join without the error lines.
    // JSON (kept valid) and diffs (every change kept) keep their compressors' own rules.
    name: 'the budget is a ceiling',
    check: (_input, r, engine) => {
      if (r.kind === 'json' || r.kind === 'diff') return;
      if (!farAbove(r.tokensAfter, OPTIONS.maxBlockTokens)) return;
      const rest = r.content.split('\n').filter((l) => lineSignal(l) !== Signal.Error && !isMarker(l));
      expect(r.strategy).toMatch(/cut$/);
      expect(engine.countTokens(rest.join('\n'), OPTIONS.encoding)).toBeLessThanOrEqual(OPTIONS.maxBlockTokens + MARKER_ALLOWANCE);
    },
  },
  {
    // A kept line is sent as given: every line of a log, a diff (hunk headers included) or a cut
    // text that is not a marker is a line of the input, byte for byte with its own line end (`\r`
    // included). A line
    // that overwrote itself with `\r` (terminal progress) is kept as its final state: the part
    // after one of its `\r`s. JSON is re-encoded, search hits are grouped under their file, and
    // opaque data and a line too long to keep are cut in bytes: their lines are not compared.
    // The native engine receives lone surrogates as U+FFFD (napi's UTF-8): it gives its input back.
    name: 'kept lines as given',
    check: (given, r, engine) => {
      if (!r.modified || !['log', 'diff', 'text', 'code'].includes(r.kind) || r.omitted.some((o) => o.unit === 'bytes')) return;
      const input = engine.name === 'js' ? given : given.toWellFormed();
      const known = new Set<string>();
      for (const line of input.includes('\n') ? input.split('\n') : input.split(/(?<=\r)/)) {
        known.add(line);
        const body = line.endsWith('\r') ? line.slice(0, -1) : line;
        const end = line.length > body.length ? '\r' : '';
        for (let at = body.indexOf('\r'); at >= 0; at = body.indexOf('\r', at + 1)) known.add(body.slice(at + 1) + end);
      }
      const out = r.content.includes('\n') ? r.content.split('\n') : r.content.split(/(?<=\r)/);
      for (const line of out) {
        if (isMarker(line.endsWith('\r') ? line.slice(0, -1) : line)) continue;
        if (!known.has(line)) throw new Error(`not an input line: ${JSON.stringify(line.slice(0, 120))}`);
      }
    },
  },
];

/** A turn of the event loop, so the test runner's worker can answer its runner between long steps. */
export const breath = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Compresses `text` alone on `engine` and applies every check. */
export function compressChecked(engine: Engine, text: string): BlockResult {
  const [result] = engine.compressBlocks([{ content: text, options: OPTIONS }]);
  for (const { name, check } of CHECKS) {
    try {
      check(text, result!, engine);
    } catch (err) {
      throw new Error(`${engine.name}: ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result!;
}

/**
 * Heap growth (bytes) after `count` distinct inputs went through `engine`, each counted and
 * compressed through a memo bounded to 1 M characters: `held` with the memo full, `cleared` once
 * it is cleared. Each input is a 16 KB slice of its own 1 MB string, with words long enough to be
 * kept as slices: a cache holding a slice would hold the whole 1 MB string.
 */
export async function retainedAfterDistinctInputs(engine: Engine, count: number): Promise<{ held: number; cleared: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the memory test needs node --expose-gc (vitest.config.ts passes it)');
  const rnd = random(11);
  const base = lines(20_000, (i) => `12:00:${String(i % 60).padStart(2, '0')} INFO reinitialization@ of internationalization step ${i} ${hex(rnd, 6)} ok`, 12);
  const memo = new Memo({ maxEntries: 20_000, maxChars: 1 << 20 });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) {
    if (i % 50 === 0) await breath();
    const parent = base.replaceAll('@', i.toString(36));
    const text = parent.slice(1000, 1000 + 16 * 1024);
    engine.countTokens(text, 'o200k_base');
    compressSyncWith({ engine, memo }, [
      { role: 'user', content: 'did every job finish?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'logs', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: text }] },
    ]);
  }
  gc();
  const held = process.memoryUsage().heapUsed - before;
  memo.clear();
  gc();
  gc();
  return { held, cleared: process.memoryUsage().heapUsed - before };
}
