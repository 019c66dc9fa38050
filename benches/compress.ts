// compress() latency on whole requests: agent conversations of about 1 KB, 10 KB, 100 KB and 1 MB
// whose tool results are corpus text, native and JS, on a first call (empty memo) and on a
// memoised call (the same request again). p50 and p95 in milliseconds. The model has a 1M-token
// window, so even the 1 MB request takes the normal path (not the over-limit one).
import { compressWith, type CompressEnv } from '../src/compress.js';
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';
import type { Engine } from '../src/engine/types.js';
import { Memo } from '../src/messages/memo.js';
import type { AnthropicMessage } from '../src/messages/types.js';
import type { Progress } from './timing.js';

export interface CompressLatencyRow {
  request: string;
  bytes: number;
  engine: 'native' | 'js';
  firstP50: number;
  firstP95: number;
  memoP50: number;
  memoP95: number;
  runs: number;
}

export interface CompressSection {
  rows: CompressLatencyRow[];
  skipped: string[];
}

const OPTIONS = { model: 'claude-opus-4-6' };

const SIZES: [string, number][] = [
  ['1 KB', 1_000],
  ['10 KB', 10_000],
  ['100 KB', 100_000],
  ['1 MB', 1_000_000],
];

/** An agent conversation of about `bytes` bytes: tool results cut from `texts` at line ends. */
export function agentRequest(texts: readonly string[], bytes: number): AnthropicMessage[] {
  const messages: AnthropicMessage[] = [{ role: 'user', content: 'Find out why the build failed and what changed.' }];
  const slice = Math.max(400, Math.floor(bytes / 6));
  let size = 0;
  for (let t = 0; size < bytes; t++) {
    const text = texts[t % texts.length]!;
    let piece = text.slice(0, Math.min(slice, bytes - size));
    const cut = piece.lastIndexOf('\n');
    if (cut > piece.length / 2) piece = piece.slice(0, cut);
    if (piece.trim() === '') piece = 'ok';
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `t${t}`, name: 'run', input: { step: t } }] } as AnthropicMessage);
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${t}`, content: piece }] } as AnthropicMessage);
    size += piece.length;
  }
  return messages;
}

/** p50 and p95 of `fn` over runs within about `budgetMs` (at least 5, at most 200). */
async function percentiles(fn: () => Promise<unknown>, budgetMs: number): Promise<{ p50: number; p95: number; runs: number }> {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 5 || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), runs: times.length };
}

export async function benchCompress(texts: readonly string[], progress: Progress, budgetMs: number): Promise<CompressSection> {
  const skipped: string[] = [];
  const list: Engine[] = [];
  const native = loadNative();
  if (native.ok) list.push(native.engine);
  else skipped.push(`native: ${native.reason}`);
  list.push(jsEngine);
  const rows: CompressLatencyRow[] = [];
  for (const [request, bytes] of SIZES) {
    const messages = agentRequest(texts, bytes);
    const actual = JSON.stringify(messages).length;
    for (const engine of list) {
      progress.tick(`compress ${request} ${engine.name}`);
      const first = await percentiles(() => compressWith({ engine, memo: new Memo() }, messages, OPTIONS), budgetMs);
      const warm: CompressEnv = { engine, memo: new Memo() };
      await compressWith(warm, messages, OPTIONS);
      const memo = await percentiles(() => compressWith(warm, messages, OPTIONS), budgetMs);
      rows.push({ request, bytes: actual, engine: engine.name, firstP50: first.p50, firstP95: first.p95, memoP50: memo.p50, memoP95: memo.p95, runs: first.runs + memo.runs });
    }
  }
  return { rows, skipped };
}

/** The section of the report. */
export function compressMarkdown(section: CompressSection): string[] {
  const ms = (n: number): string => (n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1));
  return [
    '## compress() latency',
    '',
    'Agent conversations whose tool results are corpus text (model claude-opus-4-6: under its window); first call with an empty memo, then the same request again (memoised). Milliseconds.',
    '',
    '| request | bytes | engine | first p50 | first p95 | memoised p50 | memoised p95 |',
    '|---|---:|---|---:|---:|---:|---:|',
    ...section.rows.map((r) => `| ${r.request} | ${r.bytes} | ${r.engine} | ${ms(r.firstP50)} | ${ms(r.firstP95)} | ${ms(r.memoP50)} | ${ms(r.memoP95)} |`),
    ...section.skipped.map((s) => `\nskipped: ${s}`),
    '',
  ];
}
