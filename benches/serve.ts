// `headroom serve` under load, on loopback only: autocannon at 64 connections sends Messages
// requests of about 10 KB and 1 MB (agent conversations whose tool results are corpus text, each
// request's tool output distinct, so no request is served from the memo) straight to a fake
// upstream and then through `headroom serve` in front of it. Reported: requests/s, latency p50
// and p99, the latency serve adds, and serve's resident memory after the run. Every run is
// bounded by its request count; the servers are child processes this module starts and stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { agentRequest } from './compress.js';
import type { Progress } from './timing.js';

export interface ServeRow {
  request: string;
  bytes: number;
  target: 'direct' | 'serve';
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface ServeSection {
  connections: number;
  rows: ServeRow[];
  /** What serve adds over calling the upstream directly, per request size (ms). */
  added: Array<{ request: string; p50: number; p99: number }>;
  /** serve's resident memory when it started and after all requests, and how many it answered. */
  rssStartMB: number | null;
  rssAfterMB: number | null;
  servedRequests: number;
  engine: string;
  skipped: string[];
}

const ROOT = resolve(import.meta.dirname, '..');
const CONNECTIONS = 64;

/** Starts a child process and waits for the first line that `pattern` matches on `stream`. */
async function startChild(args: string[], stream: 'stdout' | 'stderr', pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      seen += d.toString('utf8');
      const m = pattern.exec(seen);
      if (m !== null) {
        child[stream]!.off('data', onData);
        resolve(m);
      }
    };
    child[stream]!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${seen}`)));
  });
  // Keep the pipes drained so the child never blocks on them.
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, match };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** A request body with a slot for a counter in its first tool result: `head + n + tail`. */
function bodyParts(texts: readonly string[], bytes: number): { head: string; tail: string; size: number } {
  const messages = agentRequest(texts, bytes) as Array<{ role: string; content: unknown }>;
  const first = messages.find((m) => Array.isArray(m.content) && (m.content as Array<{ type: string }>)[0]?.type === 'tool_result');
  const block = (first!.content as Array<{ content: string }>)[0]!;
  block.content = `run __SLOT__\n${block.content}`;
  const text = JSON.stringify({ model: 'claude-sonnet-4-5-20250929', max_tokens: 256, messages });
  const [head, tail] = text.split('__SLOT__') as [string, string];
  return { head, tail, size: text.length };
}

async function load(url: string, parts: { head: string; tail: string }, amount: number): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    amount,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', 'x-api-key': 'bench', 'anthropic-version': '2023-06-01' },
        setupRequest: (req) => ({ ...req, body: parts.head + String(n++) + parts.tail }),
      },
    ],
  });
}

async function rssMB(url: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^process_resident_memory_bytes (\d+)$/m.exec(text);
    return m === null ? null : Math.round(Number(m[1]) / 1e5) / 10;
  } catch {
    return null;
  }
}

export async function benchServe(texts: readonly string[], progress: Progress, quick: boolean): Promise<ServeSection> {
  const sizes: Array<[string, number, number]> = quick
    ? [
        ['10 KB', 10_000, 1_000],
        ['1 MB', 1_000_000, 64],
      ]
    : [
        ['10 KB', 10_000, 10_000],
        ['1 MB', 1_000_000, 400],
      ];
  const section: ServeSection = { connections: CONNECTIONS, rows: [], added: [], rssStartMB: null, rssAfterMB: null, servedRequests: 0, engine: '', skipped: [] };
  const children: ChildProcess[] = [];
  try {
    const up = await startChild(['benches/upstream.ts'], 'stdout', /^(\d+)\n/);
    children.push(up.child);
    const upstream = `http://127.0.0.1:${up.match[1]}`;
    const serve = await startChild(['src/cli/main.ts', 'serve', '--port', '0', '--upstream', upstream, '--quiet'], 'stderr', /listening on (\S+) \((\w+) engine\)/);
    children.push(serve.child);
    const serveUrl = serve.match[1]!;
    section.engine = serve.match[2]!;
    section.rssStartMB = await rssMB(serveUrl);
    for (const [request, bytes, amount] of sizes) {
      const parts = bodyParts(texts, bytes);
      const p50 = new Map<string, number>();
      const p99 = new Map<string, number>();
      for (const [target, url] of [
        ['direct', upstream],
        ['serve', serveUrl],
      ] as const) {
        progress.tick(`serve load ${request} ${target}`);
        // A warm-up round first (JIT, connection pools), not counted.
        await load(url, parts, CONNECTIONS * 2);
        const r = await load(url, parts, amount);
        const rps = r.duration > 0 ? r.requests.total / r.duration : 0;
        section.rows.push({ request, bytes: parts.size, target, requests: r.requests.total, rps, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
        p50.set(target, r.latency.p50);
        p99.set(target, r.latency.p99);
        if (target === 'serve') section.servedRequests += r.requests.total + CONNECTIONS * 2;
      }
      section.added.push({ request, p50: p50.get('serve')! - p50.get('direct')!, p99: p99.get('serve')! - p99.get('direct')! });
    }
    section.rssAfterMB = await rssMB(serveUrl);
  } catch (err) {
    section.skipped.push(`serve load: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    for (const c of children.reverse()) await stop(c);
  }
  return section;
}

export function serveMarkdown(s: ServeSection): string[] {
  const f = (n: number, d = 1): string => n.toFixed(d);
  return [
    '## headroom serve under load',
    '',
    `autocannon, ${s.connections} connections, loopback: Messages requests straight to a fake upstream (direct) and through \`headroom serve\` in front of it (${s.engine} engine). Every request's tool output differs (no memo hits). Latency in ms.`,
    '',
    '| request | bytes | target | requests | req/s | p50 | p99 | errors | non-2xx |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|',
    ...s.rows.map((r) => `| ${r.request} | ${r.bytes} | ${r.target} | ${r.requests} | ${f(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`),
    '',
    ...s.added.map((a) => `Added by serve, ${a.request}: p50 ${f(a.p50)} ms, p99 ${f(a.p99)} ms.`),
    '',
    `serve's RSS: ${s.rssStartMB ?? '–'} MB at start, ${s.rssAfterMB ?? '–'} MB after ${s.servedRequests} requests.`,
    ...s.skipped.map((x) => `\nskipped: ${x}`),
    '',
  ];
}
