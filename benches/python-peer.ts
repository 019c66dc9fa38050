// The original project's Python package (`headroom-ai` on PyPI) as a benchmark peer, run strictly
// as a black box through its public `compress()`, offline, with timeouts. When it cannot be
// installed or run, the reason is reported instead of numbers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET = join(ROOT, '.bench-peers/python');

/** One tool output (sent as the only tool result of a request), or a whole conversation as it is. */
export type PeerInput = { name: string; content: string; query: string } | { name: string; messages: readonly unknown[] };

export type PeerOutput =
  | { name: string; content: string; ms: number }
  | { name: string; messages: unknown[]; ms: number }
  | { name: string; error: string };

export type PeerRun = { ok: true; outputs: Map<string, PeerOutput> } | { ok: false; reason: string };

/** Installs the package into .bench-peers/python unless present (skipped when `install` is false). */
function ensureInstalled(install: boolean): string | undefined {
  if (existsSync(join(TARGET, 'headroom'))) return undefined;
  if (!install) return 'not installed (run `npm run bench` without --quick once to install it)';
  const r = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--target', TARGET, 'headroom-ai'], {
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (r.error) return `pip install failed: ${r.error.message}`;
  if (r.status !== 0) return `pip install failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  return existsSync(join(TARGET, 'headroom')) ? undefined : 'pip install did not produce the headroom package';
}

export function runPythonPeer(inputs: PeerInput[], opts: { install: boolean; timeoutMs: number }): PeerRun {
  const missing = ensureInstalled(opts.install);
  if (missing !== undefined) return { ok: false, reason: missing };
  const r = spawnSync('python3', [join(ROOT, 'benches/python_peer.py')], {
    input: inputs.map((i) => JSON.stringify(i)).join('\n') + '\n',
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    maxBuffer: 1 << 30,
    env: {
      ...process.env,
      PYTHONPATH: TARGET,
      HF_HUB_OFFLINE: '1',
      TRANSFORMERS_OFFLINE: '1',
      HF_DATASETS_OFFLINE: '1',
      NO_PROXY: '*',
    },
  });
  const outputs = new Map<string, PeerOutput>();
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as PeerOutput | { fatal: string };
    if ('fatal' in o) return { ok: false, reason: o.fatal };
    outputs.set(o.name, o);
  }
  if (r.error && outputs.size === 0) return { ok: false, reason: `run failed: ${r.error.message}` };
  if (outputs.size === 0) return { ok: false, reason: `no output (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').pop()}` };
  for (const i of inputs) if (!outputs.has(i.name)) outputs.set(i.name, { name: i.name, error: 'timed out' });
  return { ok: true, outputs };
}
