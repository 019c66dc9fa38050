// What kind of content a block is (twin of detect.rs).

import type { BlockKind } from '../types.js';
import { isJson } from './json/index.js';

/** Detects the kind of a block. */
export function detect(content: string): BlockKind {
  // JSON: the whole block parses as one JSON value.
  if (isJson(content)) return 'json';
  return 'text';
}
