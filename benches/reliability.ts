// Reliability under load (issue 17): token counting throughput as inputs grow (ordinary text and
// the worst runs of one character: linear means the same MB/s at every size), event-loop delay
// under 64 concurrent compress() calls of 1 MB agent requests, how soon a deadline inside one
// large block is seen, and peak RSS per block size (each in a fresh child process). Both engines; ratios are within one run.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { compressWith } from '../src/compress.js';
import { jsWorkerEngine } from '../src/engine/js-worker.js';
import { loadNative } from '../src/engine/native.js';
import type { Engine } from '../src/engine/types.js';
import { Memo } from '../src/messages/memo.js';
import { measureMemory } from '../test/support/memory.js';
import { agentRequest } from './compress.js';
import type { Progress } from './timing.js';

export interface ScalingRow {
  engine: 'native' | 'js';
  text: string;
  /** MB/s at each size of `sizesMB`. */
  mbps: number[];
}

export interface EventLoopRow {
  engine: 'native' | 'js';
  calls: number;
  requestBytes: number;
  p99Ms: number;
  maxMs: number;
  wallMs: number;
}

export interface DeadlineRow {
  engine: 'native' | 'js';
  blockMB: number;
  /** The block compressed to the end. */
  fullMs: number;
  /** The most a call returned after its deadline, over deadlines spread through the work. */
  worstLateMs: number;
}

export interface RssRow {
  engine: 'native' | 'js';
  /** A generated log block, or a hostile input class of test/support/memory.ts. */
  input: string;
  blockMB: number;
  peakRssMB: number;
  /** Peak RSS above the process's own at start, per MB of input. */
  perInputMB: number;
}

export interface ReliabilitySection {
  sizesMB: number[];
  scaling: ScalingRow[];
  eventLoop: EventLoopRow[];
  deadlines: DeadlineRow[];
  rss: RssRow[];
  skipped: string[];
}

function engines(skipped: string[]): Engine[] {
  const native = loadNative();
  if (!native.ok) skipped.push(`native: ${native.reason}`);
  // The JS engine as compress() gets it from the loader: large batches on worker threads.
  return native.ok ? [native.engine, jsWorkerEngine] : [jsWorkerEngine];
}

/** `text` repeated (and cut at a line end) to `bytes`. */
function grow(text: string, bytes: number): string {
  const out = text.repeat(Math.ceil(bytes / Math.max(1, text.length))).slice(0, bytes);
  const cut = out.lastIndexOf('\n');
  return cut > bytes / 2 ? out.slice(0, cut) : out;
}

export async function benchReliability(texts: readonly string[], progress: Progress, quick: boolean): Promise<ReliabilitySection> {
  const skipped: string[] = [];
  const list = engines(skipped);
  const sizesMB = quick ? [1, 4] : [1, 4, 16, 64];
  const ordinary = texts.join('\n');
  const kinds: [string, (bytes: number) => string][] = [
    ['corpus text', (b) => grow(ordinary, b)],
    ...['a', ' ', '\n', '['].map((ch): [string, (bytes: number) => string] => [`run of ${JSON.stringify(ch)}`, (b) => ch.repeat(b)]),
  ];
  const scaling: ScalingRow[] = [];
  for (const engine of list) {
    engine.countTokens('warm up the tables: ' + 'a'.repeat(100), 'o200k_base');
    for (const [name, make] of kinds) {
      const mbps = sizesMB.map((mb) => {
        const text = make(mb << 20);
        const t0 = performance.now();
        engine.countTokens(text, 'o200k_base');
        return mb / ((performance.now() - t0) / 1000);
      });
      scaling.push({ engine: engine.name, text: name, mbps });
      progress.tick(`scaling ${engine.name} ${name}`);
    }
  }

  const eventLoop: EventLoopRow[] = [];
  const calls = quick ? 8 : 64;
  for (const engine of list) {
    // Distinct requests, so no call is served from another's memo.
    const requests = Array.from({ length: calls }, (_, i) => agentRequest(texts.map((t) => `request ${i}\n${t}`), 1_000_000));
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const memo = new Memo();
    histogram.enable();
    const t0 = performance.now();
    await Promise.all(requests.map((messages) => compressWith({ engine, memo }, messages, { model: 'claude-opus-4-6' })));
    const wallMs = performance.now() - t0;
    histogram.disable();
    eventLoop.push({ engine: engine.name, calls, requestBytes: 1_000_000, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, wallMs });
    progress.tick(`event loop ${engine.name}`);
  }

  // A deadline anywhere inside one large block: how long after it the call returns.
  const deadlines: DeadlineRow[] = [];
  const blockMB = quick ? 2 : 8;
  const block = grow(texts.filter((t) => t.includes('\n')).join('\n'), blockMB << 20);
  const options = { encoding: 'o200k_base' as const, query: '', minTokens: 200, maxBlockTokens: 4000 };
  for (const engine of list) {
    let t0 = performance.now();
    await engine.compressBlocksAsync([{ content: block, options }], {});
    const fullMs = performance.now() - t0;
    let worstLateMs = 0;
    for (const share of [0.2, 0.4, 0.6, 0.8]) {
      t0 = performance.now();
      await engine.compressBlocksAsync([{ content: block, options }], { deadline: t0 + share * fullMs });
      worstLateMs = Math.max(worstLateMs, performance.now() - t0 - share * fullMs);
    }
    deadlines.push({ engine: engine.name, blockMB, fullMs, worstLateMs });
    progress.tick(`deadline ${engine.name}`);
  }

  const rss: RssRow[] = [];
  // The log block at growing sizes, then the hostile inputs with the highest peaks per MB.
  const cases: [string, number][] = [
    ...(quick ? [1, 4] : [1, 4, 16]).map((mb): [string, number] => ['log block', mb]),
    ...(quick ? ['run of "["', 'unique log lines'] : ['run of "["', 'run of "\n"', 'deep object nesting', 'log with lone surrogates', 'unique log lines', 'base64 blob']).map((c): [string, number] => [c, 4]),
  ];
  for (const engine of list) {
    for (const [input, mb] of cases) {
      const use = await measureMemory(engine.name, input === 'log block' ? undefined : input, mb, 'block');
      rss.push({ engine: engine.name, input, blockMB: use.inputMB, peakRssMB: use.peakMB, perInputMB: use.perInputMB });
      progress.tick(`rss ${engine.name} ${input} ${mb} MB`);
    }
  }
  return { sizesMB, scaling, eventLoop, deadlines, rss, skipped };
}

export function formatReliability(r: ReliabilitySection): string[] {
  const f = (n: number): string => n.toFixed(1);
  return [
    '## Reliability: linear counting, the event loop, memory',
    '',
    `countTokens (o200k_base) MB/s as the text grows; linear means one speed across a row (last column: largest size ÷ 1 MB).`,
    '',
    `| engine | text | ${r.sizesMB.map((m) => `${m} MB`).join(' | ')} | ${r.sizesMB.at(-1)} MB ÷ 1 MB |`,
    `|---|---|${r.sizesMB.map(() => '---:|').join('')}---:|`,
    ...r.scaling.map((s) => `| ${s.engine} | ${s.text} | ${s.mbps.map(f).join(' | ')} | ${(s.mbps.at(-1)! / s.mbps[0]!).toFixed(2)} |`),
    '',
    `Event-loop delay while ${r.eventLoop[0]?.calls ?? 0} compress() calls of distinct 1 MB agent requests run at once (monitorEventLoopDelay, 1 ms resolution).`,
    '',
    '| engine | calls | p99 ms | max ms | wall ms |',
    '|---|---:|---:|---:|---:|',
    ...r.eventLoop.map((e) => `| ${e.engine} | ${e.calls} | ${f(e.p99Ms)} | ${f(e.maxMs)} | ${e.wallMs.toFixed(0)} |`),
    '',
    'A deadline at 20, 40, 60 and 80 % of the time one block of corpus text takes to compress: the most a call returned after its deadline.',
    '',
    '| engine | block MB | whole block ms | worst ms after the deadline |',
    '|---|---:|---:|---:|',
    ...r.deadlines.map((d) => `| ${d.engine} | ${d.blockMB} | ${d.fullMs.toFixed(0)} | ${f(d.worstLateMs)} |`),
    '',
    'Peak RSS compressing one block in a fresh process (× input: above the process at start, per MB of input; hostile inputs from test/support/memory.ts).',
    '',
    '| engine | input | MB | peak RSS MB | × input |',
    '|---|---|---:|---:|---:|',
    ...r.rss.map((x) => `| ${x.engine} | ${x.input} | ${f(x.blockMB)} | ${x.peakRssMB.toFixed(0)} | ${f(x.perInputMB)} |`),
    ...r.skipped.map((s) => `\nskipped: ${s}`),
    '',
  ];
}
