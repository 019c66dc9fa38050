// One block of log text of the given size through one engine, in a process of its own: prints the
// RSS at start and the peak (KB from resourceUsage) as JSON for benches/reliability.ts.
import { jsEngine } from '../src/engine/js/index.js';
import { loadNative } from '../src/engine/native.js';

const [name, mb] = process.argv.slice(2);
const native = name === 'native' ? loadNative() : undefined;
const engine = native === undefined ? jsEngine : native.ok ? native.engine : undefined;
if (engine === undefined) throw new Error(`native engine unavailable: ${native !== undefined && !native.ok ? native.reason : ''}`);
engine.countTokens('warm up', 'o200k_base');
const startMB = process.memoryUsage().rss / 2 ** 20;
const bytes = Number(mb) * 2 ** 20;
const lines: string[] = [];
let size = 0;
for (let i = 0; size < bytes; i++) {
  const line = `2024-05-01T12:00:${String(i % 60).padStart(2, '0')}Z ${i % 97 === 0 ? 'ERROR request failed' : 'INFO request served'} id=${(i * 2654435761) % 4294967296} in ${i % 900}ms`;
  lines.push(line);
  size += line.length + 1;
}
const text = lines.join('\n');
engine.compressBlocks([{ content: text, options: { encoding: 'o200k_base', query: '', minTokens: 200, maxBlockTokens: 4000 } }]);
console.log(JSON.stringify({ startMB, peakMB: process.resourceUsage().maxRSS / 1024 }));
