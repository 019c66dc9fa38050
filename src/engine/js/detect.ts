// What kind of content a block is (twin of detect.rs).

import type { BlockKind } from '../types.js';

/** Detects the kind of a block. */
export function detect(content: string): BlockKind {
  void content;
  return 'text';
}
