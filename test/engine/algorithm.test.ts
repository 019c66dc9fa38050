// The JS engine and headroom-core must agree on the algorithm version (the stale-binary check).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ALGORITHM_VERSION } from '../../src/engine/algorithm.js';

it('ALGORITHM_VERSION equals headroom-core', () => {
  const lib = readFileSync(new URL('../../crates/headroom-core/src/lib.rs', import.meta.url), 'utf8');
  expect(lib).toContain(`pub const ALGORITHM_VERSION: u32 = ${ALGORITHM_VERSION};`);
});
