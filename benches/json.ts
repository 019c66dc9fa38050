// JSON compression: per corpus JSON file, tokens as given / compact JSON / TOON (as
// `@toon-format/toon` encodes it) / headroom lossless only (maxBlockTokens Infinity) / headroom
// with the default options, needle retention, and the throughput of both engines with token
// counting taken out. Plus a generated 20 MB array of records, the throughput target's input.
//
// Throughput without counting: the JS engine's JSON compressor takes a counter, so one run
// records the counts and timed runs look them up (the JS time is compression alone). The native
// engine counts inside one call; both engines count the same texts (their outputs are
// byte-identical), so its time is the whole call minus the time it takes to count those texts,
// shown only where compression is at least a fifth of the call (else the difference is noise;
// `cargo bench --bench json` measures the Rust core directly).
import { readFileSync } from 'node:fs';
import { encode as encodeToon } from '@toon-format/toon';
import { jsEngine } from '../src/engine/js/index.js';
import { compress as jsonCompress } from '../src/engine/js/json/index.js';
import { parse as parseJson } from '../src/engine/js/json/tape.js';
import { countTokens } from '../src/engine/js/tokens.js';
import { loadNative } from '../src/engine/native.js';
import type { BlockOptions, Engine } from '../src/engine/types.js';
import { corpusPath } from '../test/support/corpus.js';
import { jsonRetention, octokitNeedles } from '../test/support/retention/json.js';
import { measure, type Progress } from './timing.js';

const defaults: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 };
const losslessOnly: BlockOptions = { ...defaults, minTokens: 0, maxBlockTokens: Infinity };

export interface JsonRow {
  name: string;
  bytes: number;
  given: number;
  compact: number;
  toon: number;
  lossless: number;
  defaults: number;
  strategy: string;
  /** Error-class and all needles kept (octokit fixtures), or undefined. */
  retention: { errors: [number, number]; all: [number, number] } | undefined;
  /** Milliseconds of compression (default options) without token counting. */
  nativeMs: number | undefined;
  jsMs: number;
}

export interface JsonSection {
  rows: JsonRow[];
  /** Native milliseconds for all files in one call. */
  allNativeMs: number | undefined;
  /** The generated array: bytes and compression milliseconds (default options, lossless only). */
  big: { bytes: number; native: [number | undefined, number | undefined] | undefined; js: [number, number] };
  skipped: string[];
}

const tokens = (text: string): number => countTokens(text, 'o200k_base');

/** What the block entry counts for one block: the input, and (when compressed) the JSON compressor's counts and its proposal. */
function countedTexts(content: string, options: BlockOptions): { texts: string[]; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const texts = [content];
  if (countTokens(content, options.encoding) >= options.minTokens) {
    const proposal = jsonCompress(content, parseJson(content)!, options, (text) => {
      const n = countTokens(text, options.encoding);
      counts.set(text, n);
      texts.push(text);
      return n;
    });
    // The block entry counts the proposal itself only when the compressor has not.
    if (proposal !== undefined && proposal.tokens === undefined) texts.push(proposal.content);
  }
  return { texts, counts };
}

/** Milliseconds of the JS engine's JSON compression of `content`, counts looked up. */
function jsMs(content: string, options: BlockOptions, budgetMs: number): number {
  const { counts } = countedTexts(content, options);
  const lookup = (text: string): number => counts.get(text) ?? countTokens(text, options.encoding);
  return measure(() => jsonCompress(content, parseJson(content)!, options, lookup), budgetMs);
}

/** Milliseconds of the native engine's compression of the blocks, counting subtracted (undefined when too small to tell). */
function nativeMs(native: Engine, contents: readonly string[], options: BlockOptions, budgetMs: number): number | undefined {
  const inputs = contents.map((content) => ({ content, options }));
  const texts = contents.flatMap((c) => countedTexts(c, options).texts);
  const total = measure(() => native.compressBlocks(inputs), budgetMs);
  const counting = measure(() => native.countTokensMany(texts, options.encoding), budgetMs);
  return total - counting >= 0.2 * total ? total - counting : undefined;
}

/** A deterministic array of log-like records of about `bytes` bytes. */
export function recordsArray(bytes: number): string {
  const parts: string[] = [];
  let size = 2;
  for (let i = 0; size < bytes; i++) {
    const status = i % 97 === 0 ? 503 : i % 41 === 0 ? 404 : 200;
    const record = {
      id: 100000 + i,
      ts: `2024-05-${String(1 + ((i >> 12) % 28)).padStart(2, '0')}T${String((i >> 6) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`,
      service: `svc-${i % 7}`,
      method: ['GET', 'POST', 'PUT'][i % 3],
      path: `/api/v1/items/${(i * 7919) % 100000}`,
      status,
      latency_ms: 20 + ((i * 37) % 180) + (i % 1009 === 0 ? 5000 : 0),
      user: { id: (i * 31) % 5000, region: ['eu', 'us', 'ap'][i % 3] },
      tags: i % 5 === 0 ? ['cache', 'retry'] : ['cache'],
    };
    const text = JSON.stringify(record);
    parts.push(text);
    size += text.length + 1;
  }
  return '[' + parts.join(',') + ']';
}

export function benchJson(files: readonly string[], progress: Progress, budgetMs: number, bigBytes = 20e6): JsonSection {
  const skipped: string[] = [];
  const load = loadNative();
  const native = load.ok ? load.engine : undefined;
  if (native === undefined && !load.ok) skipped.push(`headroom native: ${load.reason}`);
  const rows: JsonRow[] = [];
  for (const f of files) {
    progress.tick(f);
    const content = readFileSync(corpusPath(f), 'utf8');
    const value = JSON.parse(content) as unknown;
    const lossless = jsEngine.compressBlocks([{ content, options: losslessOnly }])[0]!;
    const d = jsEngine.compressBlocks([{ content, options: defaults }])[0]!;
    const needles = f.includes('octokit/') ? octokitNeedles(value) : [];
    const kept = needles.length > 0 ? jsonRetention(d.content, needles) : undefined;
    rows.push({
      name: f.replace(/^json\//, ''),
      bytes: Buffer.byteLength(content),
      given: lossless.tokensBefore,
      compact: tokens(JSON.stringify(value)),
      toon: tokens(encodeToon(value)),
      lossless: lossless.tokensAfter,
      defaults: d.tokensAfter,
      strategy: d.strategy,
      retention: kept && { errors: [kept.errorPresent, kept.errorTotal], all: [kept.present, kept.total] },
      nativeMs: native && nativeMs(native, [content], defaults, budgetMs),
      jsMs: jsMs(content, defaults, budgetMs),
    });
  }
  progress.tick(`generated ${Math.round(bigBytes / 1e6)} MB array`);
  const texts = files.map((f) => readFileSync(corpusPath(f), 'utf8'));
  const big = recordsArray(bigBytes);
  return {
    rows,
    allNativeMs: native && nativeMs(native, texts, defaults, budgetMs * 4),
    big: {
      bytes: Buffer.byteLength(big),
      native: native && [nativeMs(native, [big], defaults, 0), nativeMs(native, [big], losslessOnly, 0)],
      js: [jsMs(big, defaults, 0), jsMs(big, losslessOnly, 0)],
    },
    skipped,
  };
}

export function formatJson(s: JsonSection): string[] {
  const fmt = (n: number, d = 1): string => n.toFixed(d);
  const mbps = (bytes: number, ms: number | undefined): string => (ms === undefined ? '–' : fmt(bytes / 1e3 / ms));
  const sum = (f: (r: JsonRow) => number): number => s.rows.reduce((a, r) => a + f(r), 0);
  const pct = (a: number, b: number): string => `${fmt((100 * a) / b)} %`;
  const bytes = sum((r) => r.bytes);
  const allJsMs = sum((r) => r.jsMs);
  const [errKept, errTotal, allKept, allTotal] = s.rows.reduce(
    (a, r) => (r.retention ? [a[0] + r.retention.errors[0], a[1] + r.retention.errors[1], a[2] + r.retention.all[0], a[3] + r.retention.all[1]] : a),
    [0, 0, 0, 0],
  );
  const big = s.big;
  return [
    '',
    `## JSON compression (o200k_base tokens; ${s.rows.length} corpus files, ${fmt(bytes / 1e6, 2)} MB)`,
    '',
    'Throughput is compression with token counting subtracted (see benches/json.ts), or – where counting is over 80 % of the time and the rest too small to tell apart from noise; default options: minTokens 200, maxBlockTokens 4000.',
    '',
    '| file | as given | compact | TOON | lossless | default | default strategy | error needles | all needles | native MB/s | JS MB/s |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    ...s.rows.map(
      (r) =>
        `| ${r.name} | ${r.given} | ${r.compact} | ${r.toon} | ${r.lossless} | ${r.defaults} | ${r.strategy} | ${r.retention ? `${r.retention.errors[0]}/${r.retention.errors[1]}` : '–'} | ${r.retention ? `${r.retention.all[0]}/${r.retention.all[1]}` : '–'} | ${mbps(r.bytes, r.nativeMs)} | ${mbps(r.bytes, r.jsMs)} |`,
    ),
    `| **total** | ${sum((r) => r.given)} | ${sum((r) => r.compact)} | ${sum((r) => r.toon)} | ${sum((r) => r.lossless)} | ${sum((r) => r.defaults)} | | ${errKept}/${errTotal} | ${allKept}/${allTotal} | ${mbps(bytes, s.allNativeMs)} | ${mbps(bytes, allJsMs)} |`,
    '',
    `Lossless vs compact JSON: ${pct(sum((r) => r.lossless), sum((r) => r.compact))}; default vs as given: ${pct(sum((r) => r.defaults), sum((r) => r.given))}.`,
    '',
    `Generated array of records, ${fmt(big.bytes / 1e6, 1)} MB: native ${mbps(big.bytes, big.native?.[0])} MB/s default, ${mbps(big.bytes, big.native?.[1])} MB/s lossless only; JS ${mbps(big.bytes, big.js[0])} MB/s default, ${mbps(big.bytes, big.js[1])} MB/s lossless only (targets: native ≥ 200 MB/s, JS within 5× of native).`,
    ...s.skipped.map((x) => `\nskipped: ${x}`),
  ];
}
