// BPE rank tables for the JS engine, from the rank data js-tiktoken publishes (the same ranks
// OpenAI ships for tiktoken). Tables are decoded on first use: ~200 000 entries per encoding.

import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import type { EncodingName } from '../types.js';

const SOURCES: Record<EncodingName, { bpe_ranks: string }> = {
  o200k_base: o200k,
  cl100k_base: cl100k,
};

/**
 * Byte string → rank, where a byte string is a JS string of code units 0–255. The published form
 * is one line per run of consecutive ranks: `<prefix> <first rank> <base64 token> <base64 token> …`.
 */
export function rankTable(encoding: EncodingName): Map<string, number> {
  const table = new Map<string, number>();
  for (const line of SOURCES[encoding].bpe_ranks.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.split(' ');
    const first = Number.parseInt(fields[1] ?? '', 10);
    for (let i = 2; i < fields.length; i++) table.set(atob(fields[i]!), first + i - 2);
  }
  return table;
}
