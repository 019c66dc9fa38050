// Engine selection: HEADROOM_ENGINE, fallback with a reason, and importing never throwing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selectEngine } from '../../src/engine/loader.js';
import { jsEngine } from '../../src/engine/js/index.js';
import type { NativeLoad } from '../../src/engine/native.js';
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
    expect(selectEngine(undefined, () => fails)).toEqual({ engine: jsEngine, reason: fails.reason });
  });

  it('HEADROOM_ENGINE=js never tries native', () => {
    let tried = false;
    const r = selectEngine('js', () => {
      tried = true;
      return loads;
    });
    expect(r).toEqual({ engine: jsEngine, reason: 'HEADROOM_ENGINE=js' });
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
