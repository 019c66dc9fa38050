// Scaffold: the search compressor proposes nothing yet (twin of search.rs).

import type { BlockOptions } from '../types.js';
import type { Compressed } from './index.js';

export function compress(content: string, options: BlockOptions): Compressed | undefined {
  void content;
  void options;
  return undefined;
}
