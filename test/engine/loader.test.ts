// Engine selection: HEADROOM_ENGINE, fallback with a reason, and importing never throwing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectEngine } from '../../src/engine/loader.js';
import { jsWorkerEngine } from '../../src/engine/js-worker.js';
import { loadNative, type NativeLoad } from '../../src/engine/native.js';
import type { Engine } from '../../src/engine/types.js';
import { VERSION } from '../../src/version.js';

const fakeNative: Engine = {
  name: 'native',
  countTokens: () => 1,
  countTokensMany: (t) => t.map(() => 1),
  compressBlocks: () => [],
  detectKinds: (t) => t.map(() => 'text'),
  compressBlocksUntil: () => [],
  compressBlocksAsync: async () => [],
};
const loads: NativeLoad = { ok: true, engine: fakeNative };
const fails: NativeLoad = { ok: false, reason: 'native binding failed to load: no such file' };

describe('selectEngine', () => {
  it('prefers native when it loads', () => {
    expect(selectEngine(undefined, () => loads)).toEqual({ engine: fakeNative, reason: 'native binding loaded' });
    expect(selectEngine('native', () => loads)).toEqual({ engine: fakeNative, reason: 'native binding loaded' });
  });

  it('falls back to JS with the loader reason', () => {
    expect(selectEngine(undefined, () => fails)).toEqual({ engine: jsWorkerEngine, reason: fails.reason });
  });

  it('HEADROOM_ENGINE=js never tries native', () => {
    let tried = false;
    const r = selectEngine('js', () => {
      tried = true;
      return loads;
    });
    expect(r).toEqual({ engine: jsWorkerEngine, reason: 'HEADROOM_ENGINE=js' });
    expect(tried).toBe(false);
  });

  it('HEADROOM_ENGINE=native turns an unavailable binding into an error carrying the reason', () => {
    const r = selectEngine('native', () => fails);
    expect('error' in r && r.error.message).toMatch(/HEADROOM_ENGINE=native.*no such file/);
  });

  it('an unknown HEADROOM_ENGINE value is a configuration error', () => {
    const r = selectEngine('wasm', () => loads);
    expect('error' in r && r.error).toBeInstanceOf(RangeError);
  });
});

it('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});

describe('a native library named by NAPI_RS_NATIVE_LIBRARY_PATH', () => {
  const withOverride = (path: string): NativeLoad => {
    const before = process.env['NAPI_RS_NATIVE_LIBRARY_PATH'];
    process.env['NAPI_RS_NATIVE_LIBRARY_PATH'] = path;
    try {
      return loadNative();
    } finally {
      if (before === undefined) delete process.env['NAPI_RS_NATIVE_LIBRARY_PATH'];
      else process.env['NAPI_RS_NATIVE_LIBRARY_PATH'] = before;
    }
  };

  it('that is missing: the reason names the path and the load error', () => {
    const path = join(tmpdir(), `headroom-missing-${process.pid}.node`);
    const load = withOverride(path);
    expect(load.ok).toBe(false);
    expect(!load.ok && load.reason).toContain(`NAPI_RS_NATIVE_LIBRARY_PATH=${path} failed to load: Cannot find module`);
  });

  it('that is corrupt: the reason names the path and the load error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-loader-'));
    const path = join(dir, 'corrupt.node');
    writeFileSync(path, 'not a shared library\n'.repeat(100));
    try {
      const load = withOverride(path);
      expect(!load.ok && load.reason).toContain(`NAPI_RS_NATIVE_LIBRARY_PATH=${path} failed to load: `);
      expect(!load.ok && load.reason).toMatch(/failed to load: .*\S/);
      expect(!load.ok && load.reason).not.toMatch(/not installed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('HEADROOM_ENGINE=native without a binary: compress() rejects, never throws synchronously', () => {
  const script = [
    "import { compress } from './src/index.ts';",
    'let p;',
    "try { p = compress([{ role: 'user', content: 'hi' }]); } catch (e) { console.log('threw'); process.exit(0); }",
    "p.then(() => console.log('resolved'), (e) => console.log('rejected: ' + e.message));",
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, HEADROOM_ENGINE: 'native', NAPI_RS_NATIVE_LIBRARY_PATH: join(tmpdir(), 'headroom-none.node') },
    encoding: 'utf8',
  });
  expect(out).toMatch(/^rejected: HEADROOM_ENGINE=native but the native engine is unavailable: NAPI_RS_NATIVE_LIBRARY_PATH=.*headroom-none\.node failed to load/);
});
