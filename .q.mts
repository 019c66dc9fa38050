import { readFileSync } from 'node:fs';
import { engines } from './test/support/engines.js';
const f = process.argv[2]!;
const content = readFileSync('/work/shared/corpus/json/' + f, 'utf8');
const [r] = engines()[0]!.compressBlocks([{ content, options: { encoding: 'o200k_base', query: process.argv[3] ?? '', minTokens: 200, maxBlockTokens: 4000 } }]);
console.log(r!.strategy, r!.tokensBefore, r!.tokensAfter, JSON.stringify(r!.omitted));
console.log(r!.content.slice(0, Number(process.argv[4] ?? 3000)));
