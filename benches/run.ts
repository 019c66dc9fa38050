// `npm run bench`: one report over the corpus (HEADROOM_CORPUS, default ../shared/corpus).
// Progress on stderr, the report on stdout; `--quick` runs a small subset.
import { readFileSync } from 'node:fs';
import { corpusDir, corpusFiles, corpusPath } from '../test/support/corpus.js';
import { benchLogs } from './logs.js';
import { benchTokens } from './tokens.js';
import { Progress } from './timing.js';

const quick = process.argv.includes('--quick');
const files = corpusFiles();
const texts = (quick ? files.slice(0, 20) : files).map((f) => readFileSync(corpusPath(f), 'utf8'));
const progress = new Progress(6);
const tokens = benchTokens(texts, progress, quick ? 100 : 1000);
progress.finish();

const fmt = (n: number, d = 1): string => n.toFixed(d);
const lines = [
  `# headroom benchmark (${corpusDir()}, ${new Date().toISOString().slice(0, 10)})`,
  '',
  `## Token counting (o200k_base): ${fmt(tokens.textBytes / 1e6, 2)} MB of corpus text; ${tokens.shortStrings} strings of 100 bytes`,
  '',
  '| tokenizer | exact | long text MB/s | × native | µs per 100-byte call | × native |',
  '|---|---|---:|---:|---:|---:|',
  ...tokens.rows.map(
    (r) => `| ${r.name} | ${r.exact ? 'yes' : 'NO'} | ${fmt(r.longMBps)} | ${fmt(r.longRatio, 2)} | ${fmt(r.shortUs, 2)} | ${fmt(r.shortRatio, 2)} |`,
  ),
  ...tokens.skipped.map((s) => `\nskipped: ${s}`),
];
console.log(lines.join('\n'));
console.log(['', ...benchLogs(quick ? 20 : 200, quick)].join('\n'));
