// The JS engine: a TypeScript port of headroom-core, module for module, with byte-identical output.

import type { Engine } from '../types.js';
import { countTokens, countTokensMany } from './tokens.js';

export const jsEngine: Engine = {
  name: 'js',
  countTokens,
  countTokensMany,
};
