// Picks the engine once per process: native when the binding loads, the JS engine otherwise.
// HEADROOM_ENGINE=js forces JS; HEADROOM_ENGINE=native turns a failed load into an error.

import { ALGORITHM_VERSION } from './algorithm.js';
import { jsWorkerEngine } from './js-worker.js';
import { loadNative, platformTarget, type NativeLoad } from './native.js';
import type { Engine } from './types.js';
import { VERSION } from '../version.js';

/** What `engineInfo()` reports. */
export interface EngineInfo {
  /** The engine doing the work. */
  engine: 'native' | 'js';
  /** Why this engine was chosen (for `js`: why native is not in use). */
  reason: string;
  /** The headroom-ai package version. */
  version: string;
  /** Version of the compression algorithm; both engines give the same bytes for the same number. */
  algorithmVersion: number;
  /** The platform target of this process, in napi-rs naming (e.g. `linux-x64-gnu`). */
  target: string;
}

type Selection = { engine: Engine; reason: string } | { error: Error };

/** Decides the engine from the value of HEADROOM_ENGINE and a native loader (injectable for tests). */
export function selectEngine(setting: string | undefined, load: () => NativeLoad): Selection {
  const wanted = setting === undefined || setting === '' ? 'auto' : setting;
  if (wanted === 'js') return { engine: jsWorkerEngine, reason: 'HEADROOM_ENGINE=js' };
  if (wanted !== 'auto' && wanted !== 'native') {
    return {
      error: new RangeError(`HEADROOM_ENGINE must be "native" or "js" (or unset), got ${JSON.stringify(setting)}`),
    };
  }
  const native = load();
  if (native.ok) return { engine: native.engine, reason: 'native binding loaded' };
  if (wanted === 'native') {
    return { error: new Error(`HEADROOM_ENGINE=native but the native engine is unavailable: ${native.reason}`) };
  }
  return { engine: jsWorkerEngine, reason: native.reason };
}

let selected: Selection | undefined;

function selection(): { engine: Engine; reason: string } {
  selected ??= selectEngine(globalThis.process?.env?.['HEADROOM_ENGINE'], loadNative);
  if ('error' in selected) throw selected.error;
  return selected;
}

/** The engine for this process. Throws only for a HEADROOM_ENGINE configuration error. */
export function currentEngine(): Engine {
  return selection().engine;
}

/**
 * Which engine is doing the work and why.
 *
 * @example
 * ```ts
 * import { engineInfo } from 'headroom-ai';
 * const { engine, reason } = engineInfo(); // 'native', 'native binding loaded'
 * ```
 */
export function engineInfo(): EngineInfo {
  const { engine, reason } = selection();
  return { engine: engine.name, reason, version: VERSION, algorithmVersion: ALGORITHM_VERSION, target: platformTarget() };
}
