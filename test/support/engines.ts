// Both engines, side by side, for parity tests. The native engine is required unless the suite
// runs with HEADROOM_ENGINE=js (then parity checks still run when a binary is present).
import { expect } from 'vitest';
import { jsEngine } from '../../src/engine/js/index.js';
import { loadNative } from '../../src/engine/native.js';
import type { BlockOptions, BlockResult, Engine } from '../../src/engine/types.js';

const load = loadNative();
export const forcedJs = process.env['HEADROOM_ENGINE'] === 'js';
export const nativeEngine: Engine | undefined = load.ok ? load.engine : undefined;
export const nativeReason = load.ok ? 'loaded' : load.reason;
export const js: Engine = jsEngine;

/** The engines to compare: JS always, native when it loads. */
export function engines(): Engine[] {
  return nativeEngine === undefined ? [js] : [nativeEngine, js];
}

/**
 * Compresses one block with every engine, checks they agree byte for byte, returns the result.
 * Lone surrogates are the one allowed difference (PRODUCT §9): the native engine receives the
 * text with them already made U+FFFD by napi, while the JS engine emits a kept line as given.
 */
export function compressBoth(content: string, options: BlockOptions): BlockResult {
  const results = engines().map((e) => e.compressBlocks([{ content, options }])[0]!);
  const wellFormed = (r: BlockResult): BlockResult => ({ ...r, content: r.content.toWellFormed() });
  for (const r of results) expect(wellFormed(r)).toEqual(wellFormed(results[0]!));
  return results[0]!;
}
