import { readFileSync } from 'node:fs';
import { loadNative } from './src/engine/native.js';
const n = loadNative(); if (!n.ok) throw 0;
const content = readFileSync(process.argv[2]!, 'utf8');
const [r] = n.engine.compressBlocks([{ content, options: { encoding: 'o200k_base', query: process.argv[3] ?? '', minTokens: 200, maxBlockTokens: Number(process.argv[4] ?? 4000) } }]);
console.log(r!.content.slice(0, Number(process.argv[5] ?? 3000)));
console.log(JSON.stringify(r!.omitted), r!.strategy, r!.kind);
