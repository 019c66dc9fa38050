// One input through one engine, in a process of its own, so its peak is its own: `size` MB of a
// class of test/support/memory.ts (default: a generated log block), through `compressBlocks`
// (`block`) or compress() of a request holding it as a tool result (`request`). Prints a
// MemoryUse as JSON. Run with --expose-gc, so the start is measured after the input's garbage.
import { getHeapStatistics } from 'node:v8';
import { compress } from '../src/compress.js';
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';
import { MEMORY_CLASSES, type MemoryUse } from '../test/support/memory.js';

const [name, mb, via = 'block', kind] = process.argv.slice(2);
const native = name === 'native' ? loadNative() : undefined;
const engine = native === undefined ? jsEngine : native.ok ? native.engine : undefined;
if (engine === undefined) throw new Error(`native engine unavailable: ${native !== undefined && !native.ok ? native.reason : ''}`);
const options = { encoding: 'o200k_base' as const, query: 'error', minTokens: 200, maxBlockTokens: 4000 };
// Tables and code paths loaded before the start, so the peak is the input's.
engine.countTokens('warm up', 'o200k_base');
engine.compressBlocks([{ content: Array.from({ length: 400 }, (_, i) => `12:00:00 INFO warm ${i}`).join('\n'), options }]);

function logBlock(bytes: number): string {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const line = `2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z ${i % 97 === 0 ? 'ERROR request failed' : 'INFO request served'} id=${(i * 2654435761) % 4294967296} in ${i % 900}ms`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

const bytes = Number(mb) * 2 ** 20;
const make = kind === undefined ? logBlock : MEMORY_CLASSES.find((c) => c.name === kind)?.make;
if (make === undefined) throw new Error(`no input class ${kind}`);
// Flattened (a joined or sliced string is a rope or a view until something reads it), then the
// garbage of building it collected.
const text = make(bytes);
text.charCodeAt(text.length >> 1);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const startMB = process.memoryUsage().rss / 2 ** 20;
const heapStart = getHeapStatistics().total_heap_size;
if (via === 'request') {
  const messages = [
    { role: 'user' as const, content: 'what went wrong?' },
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 't', name: 'fetch', input: {} }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 't', content: text }] },
  ];
  await compress(messages);
} else {
  engine.compressBlocks([{ content: text, options }]);
}
const peakMB = process.resourceUsage().maxRSS / 1024;
const inputMB = Buffer.byteLength(text) / 2 ** 20;
const use: MemoryUse = { inputMB, startMB, peakMB, heapMB: (getHeapStatistics().total_heap_size - heapStart) / 2 ** 20, perInputMB: (peakMB - startMB) / inputMB };
console.log(JSON.stringify(use));
