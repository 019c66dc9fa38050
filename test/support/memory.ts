// Peak memory on hostile input (issue 17): every class of hostile input at any size, and a child
// process that compresses one of them and reports its memory, so each peak is its own. Used by
// test/reliability/memory.test.ts and benches/reliability.ts. No test runner imports here: the
// child runs under plain node.
import { execFile } from 'node:child_process';
import { random } from './random.js';

const MB = 1 << 20;

export interface MemoryClass {
  name: string;
  /** About `bytes` of input (UTF-8). */
  make: (bytes: number) => string;
  /** One byte per line or per nesting level: the engines' per-line and per-level state outweighs the input. */
  degenerate?: boolean;
}

/**
 * The stated bound (README, "Limits"): peak RSS above the process's own while one input is
 * compressed, at most `perMB` × the input's UTF-8 size + `fixedMB` (the V8 heap grows in steps:
 * about 100 MB for the JS engine's first large input), per engine; the degenerate classes have a
 * multiple of their own. compress() with the JS engine adds one worker thread's start (WORKER_MB).
 */
export const BOUND = {
  native: { ordinary: 24, degenerate: 64, fixedMB: 16 },
  js: { ordinary: 64, degenerate: 96, fixedMB: 128 },
} as const;
export const WORKER_MB = 160;

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

/** Lines from `line(i)` joined by `newline` until about `bytes`. */
function linesOf(bytes: number, line: (i: number, rnd: () => number) => string, seed: number, newline = '\n'): string {
  const rnd = random(seed);
  const out: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const l = line(i, rnd);
    out.push(l);
    size += l.length + newline.length;
  }
  return out.join(newline);
}

/** A JSON array of records until about `bytes`; `extra` adds fields to record `i`. */
function records(bytes: number, extra: (i: number) => string): string {
  const out: string[] = [];
  for (let i = 0, size = 2; size < bytes; i++) {
    const r = `{"id":${i},"status":"${i % 17 === 0 ? 'error' : 'ok'}","latency_ms":${(i * 37) % 500}${extra(i)}}`;
    out.push(r);
    size += r.length + 1;
  }
  return '[' + out.join(',') + ']';
}

function base64(bytes: number, seed: number): string {
  const rnd = random(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let block = '';
  for (let i = 0; i < 64 * 1024; i++) block += alphabet[Math.floor(rnd() * 64)];
  return block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
}

/** The hostile inputs of support/hostile.ts as classes of any size, plus prose, metrics and search hits. */
export const MEMORY_CLASSES: MemoryClass[] = [
  ...['a', ' ', '\n', '[', '{'].map((ch) => ({ name: `run of ${JSON.stringify(ch)}`, make: (b: number) => ch.repeat(b), degenerate: ch === '\n' || ch === '[' })),
  { name: 'one long line', make: (b) => linesOf(b, (i, rnd) => `k${i % 97}=${hex(rnd, 8)} v=${i} ok;`, 1, ' ') },
  { name: 'deep array nesting', make: (b) => '['.repeat(b >> 1) + ']'.repeat(b >> 1), degenerate: true },
  { name: 'deep object nesting', make: (b) => '{"a":'.repeat(Math.floor(b / 6)) + '1' + '}'.repeat(Math.floor(b / 6)), degenerate: true },
  {
    name: 'unique log lines',
    make: (b) => linesOf(b, (i, rnd) => `2024-05-01T12:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}Z INFO request ${hex(rnd, 12)} served in ${Math.floor(rnd() * 900)}ms`, 2),
  },
  {
    name: 'random-word log lines',
    make: (b) => linesOf(b, (i, rnd) => `2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z INFO ${Array.from({ length: 4 + Math.floor(rnd() * 8) }, () => word(rnd)).join(' ')}`, 8),
  },
  { name: 'base64 blob', make: (b) => base64(b, 3) },
  { name: 'JSON with lone surrogates', make: (b) => records(b, (i) => (i % 5 === 0 ? `,"note":"half \ud800 pair \udc00 end"` : '')) },
  { name: 'log with lone surrogates', make: (b) => linesOf(b, (i) => `12:00:${String(i % 60).padStart(2, '0')} WARN odd byte \ud83d in frame ${i}`, 4) },
  { name: 'NUL characters', make: (b) => linesOf(b, (i) => `line\u0000${i}\u0000 INFO value=${i % 13}`, 5) },
  { name: 'CRLF log', make: (b) => linesOf(b, (i) => `2024-05-01 12:00:00 ${i % 97 === 0 ? 'ERROR failed' : 'INFO'} worker ${i % 40} done`, 6, '\r\n') },
  { name: 'numbers beyond double precision', make: (b) => records(b, (i) => `,"big":${'9'.repeat(20 + (i % 30))},"tiny":1e-${400 + i},"huge":${i}e400`) },
  { name: 'duplicate keys', make: (b) => records(b, (i) => `,"id":"dup${i}","status":"again","status":"${i % 3}"`) },
  { name: 'truncated JSON', make: (b) => records(b + 4096, () => '').slice(0, b) },
  {
    name: 'metric series',
    make: (b) => 'timestamp,value\n' + linesOf(b, (i, rnd) => `${1_700_000_000 + i},${i % 5000 === 0 ? 900 : 50 + Math.floor(rnd() * 10)}.${i % 10}`, 9),
  },
  { name: 'search hits', make: (b) => linesOf(b, (i, rnd) => `src/mod${i % 300}/f${i % 41}.ts:${i}:  const v${hex(rnd, 6)} = find(k${i * 7});`, 10) },
  { name: 'prose', make: (b) => linesOf(b, (_i, rnd) => Array.from({ length: 8 + Math.floor(rnd() * 20) }, () => word(rnd)).join(' ') + '.', 11, ' ') },
];

export type Via = 'block' | 'request';

export interface MemoryUse {
  /** UTF-8 bytes of the input. */
  inputMB: number;
  /** RSS once the input is built and garbage collected. */
  startMB: number;
  /** Peak RSS of the whole process (maxRSS). */
  peakMB: number;
  /** The V8 heap's size after the call, above its size at start. */
  heapMB: number;
  /** Peak RSS above the start, per MB of input. */
  perInputMB: number;
}

const CHILD = new URL('../../benches/rss-child.ts', import.meta.url).pathname;

/**
 * Compresses `size` MB of class `name` (default: a generated log block) through `engine`
 * (`compressBlocks`, or compress() of a request) in a fresh process.
 */
export function measureMemory(engine: 'native' | 'js', name: string | undefined, sizeMB: number, via: Via): Promise<MemoryUse> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', CHILD, engine, String(sizeMB), via, ...(name === undefined ? [] : [name])],
      { encoding: 'utf8', env: { ...process.env, HEADROOM_ENGINE: engine }, maxBuffer: MB },
      (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`${engine} ${name ?? 'log block'} ${via}: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryUse);
      },
    );
  });
}
