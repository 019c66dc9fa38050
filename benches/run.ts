// `npm run bench`: one report over a corpus (HEADROOM_CORPUS, default ../shared/corpus).
// Progress on stderr; the summary on stdout; bench-results/report.md, report.json and one SVG
// chart per section on disk. `--quick` runs a small subset (CI smoke); `--sessions` runs only the
// sessions section (bench-results/sessions.md, sessions.json, sessions.svg).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { corpusRoot, loadCorpus, read } from './corpus.js';
import { barChart } from './svg.js';
import { Progress } from './timing.js';
import { benchTokens, type TokensSection } from './tokens.js';
import { benchCompress, compressMarkdown } from './compress.js';
import { benchJson, formatJson } from './json.js';
import { benchPeer, formatPeer, peerTotals } from './peer.js';
import { benchLogs, formatLogs, logSampleCount, logsQuality, qualityMarkdown } from './logs.js';
import { benchRetrieval, formatRetrieval, retrievalSampleCount, retrievalTotals } from './retrieval.js';
import { benchReliability, formatReliability } from './reliability.js';
import { benchSessions, formatSessions, sessionEntries, sessionsChart, sessionsSummaryMd, sessionTotals, type SessionsSection } from './sessions.js';
import { benchServe, serveMarkdown } from './serve.js';

const quick = process.argv.includes('--quick');
const sessionsOnly = process.argv.includes('--sessions');
const outDir = resolve(import.meta.dirname, '../bench-results');
const corpus = loadCorpus(corpusRoot());
const machine = `${process.platform}-${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;

if (corpus.entries.length === 0) {
  console.log(`No benchmark inputs under ${corpus.root}: expected json/**.json, ci-logs/<set>/<case>/fail.log, trajectories/*.traj, diffs/*, logs/**/*.log, grep/*.txt or metrics/**/*.csv.`);
  process.exit(0);
}

/** Runs the sessions section and writes its chart; the Python package is installed on full runs. */
async function runSessions(): Promise<SessionsSection> {
  const trajectories = sessionEntries(corpus.entries, quick);
  const progress = new Progress(1 + trajectories.length);
  const section = await benchSessions(trajectories, progress, { install: !quick });
  progress.finish();
  mkdirSync(outDir, { recursive: true });
  const chart = sessionsChart(section);
  // No session, no chart: a chart left from an earlier run must not pass for this one's.
  if (chart === undefined) rmSync(join(outDir, 'sessions.svg'), { force: true });
  else writeFileSync(join(outDir, 'sessions.svg'), chart);
  return section;
}

if (sessionsOnly) {
  const section = await runSessions();
  const date = new Date().toISOString();
  writeFileSync(join(outDir, 'sessions.md'), [`# headroom benchmark: sessions`, '', `${date.slice(0, 10)} · ${machine} · corpus ${corpus.root}${quick ? ' (--quick)' : ''}`, '', ...formatSessions(section)].join('\n'));
  writeFileSync(join(outDir, 'sessions.json'), JSON.stringify({ date, machine, corpus: corpus.root, quick, sessions: { ...section, totals: sessionTotals(section) } }, null, 2) + '\n');
  console.log([`# headroom benchmark: sessions (${date.slice(0, 10)}, ${machine})`, '', ...sessionsSummaryMd(section)].join('\n'));
  console.log(`report: ${join(outDir, 'sessions.md')}, ${join(outDir, 'sessions.json')}${section.rows.length > 0 ? `, chart: ${join(outDir, 'sessions.svg')}` : ''}`);
  process.exit(0);
}

const entries = quick ? corpus.entries.filter((_, i) => i % 8 === 0) : corpus.entries;
const texts = entries.map(read);
const jsonFiles = entries.filter((e) => e.kind === 'json').map((e) => e.name);
const progress = new Progress(6 + jsonFiles.length + 1 + logSampleCount(corpus.entries, quick));
const tokens: TokensSection = benchTokens(texts, progress, quick ? 50 : 1000);
const json = benchJson(jsonFiles, progress, quick ? 5 : 40, quick ? 2e6 : 20e6);
const logs = benchLogs(corpus.entries, progress, quick ? 20 : 200, quick);
progress.finish();
const compressProgress = new Progress(8);
const compress = await benchCompress(texts, compressProgress, quick ? 50 : 400);
compressProgress.finish();
const retrievalProgress = new Progress(retrievalSampleCount(entries, quick));
const retrieval = await benchRetrieval(entries, retrievalProgress, quick);
retrievalProgress.finish();
const retrievalSum = retrievalTotals(retrieval);
const peerProgress = new Progress(2);
const peer = benchPeer(entries, peerProgress, { install: !quick });
peerProgress.finish();
const sessions = await runSessions();
const reliabilityProgress = new Progress(20);
const reliability = await benchReliability(texts, reliabilityProgress, quick);
reliabilityProgress.finish();
const sessionStrategy = (id: string): ReturnType<typeof sessionTotals>[number] | undefined => sessionTotals(sessions).find((t) => t.strategy === id);
const serveProgress = new Progress(4);
const serve = await benchServe(texts, serveProgress, quick);
serveProgress.finish();

const round = (n: number): number => Math.round(n * 10) / 10;
const share = (a: number, b: number): number | null => (b === 0 ? null : round((100 * a) / b));
const fastestPeer = tokens.rows.filter((r) => !r.name.startsWith('headroom')).sort((a, b) => b.longMBps - a.longMBps)[0];
const native = tokens.rows.find((r) => r.name === 'headroom native');
const oneMB = (engine: string): number | null => {
  const row = compress.rows.find((r) => r.request === '1 MB' && r.engine === engine);
  return row === undefined ? null : round(row.firstP50);
};
/** The headline figures: printed as the summary table, and stored as they are printed. */
const summary = {
  kinds: peerTotals(peer).map((t) => ({
    kind: t.kind,
    files: t.files,
    tokensBefore: t.before,
    headroomAfter: t.headroom.tokens,
    headroomSavedPct: share(t.before - t.headroom.tokens, t.before),
    headroomRetentionPct: share(t.headroom.present, t.headroom.total),
    headroomErrorRetentionPct: share(t.headroom.errorPresent, t.headroom.errorTotal),
    pythonAfter: t.python?.tokens ?? null,
    pythonSavedPct: t.python === undefined ? null : share(t.before - t.python.tokens, t.before),
    pythonRetentionPct: t.python === undefined ? null : share(t.python.present, t.python.total),
  })),
  /** Per kind of the logs section: the token cut with its quality figure, and the oracle (labelled lines only). */
  quality: logsQuality(logs).map((q) => ({
    kind: q.kind,
    files: q.files,
    tokensBefore: q.tokensBefore,
    tokensAfter: q.tokensAfter,
    savedPct: share(q.tokensBefore - q.tokensAfter, q.tokensBefore),
    templatesShownPct: share(q.templatesShown, q.templatesTotal),
    windowsKeptPct: share(q.windowsKept, q.windowsTotal),
    oracleTokens: q.labelledFiles === 0 ? null : q.oracleTokens,
    oracleSavedPct: q.labelledFiles === 0 ? null : share(q.labelledBefore - q.oracleTokens, q.labelledBefore),
  })),
  tokenizer: {
    nativeMBps: native === undefined ? null : round(native.longMBps),
    fastestJsPeer: fastestPeer?.name ?? null,
    fastestJsPeerMBps: fastestPeer === undefined ? null : round(fastestPeer.longMBps),
  },
  compress1MBp50Ms: { native: oneMB('native'), js: oneMB('js') },
  /** Reversible compression: tokens the retrieval notes add per retrievable block, and the tool's own. */
  retrieval: {
    retrievableBlocks: retrievalSum.retrievable,
    tokensAddedPerBlock: retrievalSum.perBlock === null ? null : round(retrievalSum.perBlock),
    tokensAddedPct: share(retrievalSum.added, retrievalSum.plain),
    roundTrips: retrievalSum.roundTrips,
    toolTokens: retrieval.toolTokens.anthropic,
  },
  /** Input cost saved against no compression on replayed sessions with prompt caching, at the first model's prices. */
  sessions: {
    trajectories: sessions.rows.length,
    turns: sessions.rows.reduce((n, r) => n + r.turns, 0),
    model: sessions.models[0]?.label ?? null,
    strategies: sessionTotals(sessions).map((t) => ({ strategy: t.strategy, tokenCutPct: t.tokenCutPct, savedPct: t.models[0]?.savedPct ?? null })),
    },
  serve: {
    addedP50Ms: Object.fromEntries(serve.added.map((a) => [a.request, round(a.p50)])),
    addedP99Ms: Object.fromEntries(serve.added.map((a) => [a.request, round(a.p99)])),
    rps: Object.fromEntries(serve.rows.filter((r) => r.target === 'serve').map((r) => [r.request, round(r.rps)])),
    rssAfterMB: serve.rssAfterMB,
    servedRequests: serve.servedRequests,
  },
};
const dash = (v: number | string | null): string => (v === null ? '–' : String(v));
const summaryMd = [
  '## Summary',
  '',
  '| kind | files | tokens before | headroom after | saved % | needles kept % | error needles kept % | python headroom-ai after | python saved % | python needles kept % |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...summary.kinds.map(
    (k) =>
      `| ${k.kind} | ${k.files} | ${k.tokensBefore} | ${k.headroomAfter} | ${dash(k.headroomSavedPct)} | ${dash(k.headroomRetentionPct)} | ${dash(k.headroomErrorRetentionPct)} | ${dash(k.pythonAfter)} | ${dash(k.pythonSavedPct)} | ${dash(k.pythonRetentionPct)} |`,
  ),
  '',
  'Quality next to the token cut (logs section): template coverage of generated system logs, window recall of metric series (labelled anomaly windows keeping a row), ' +
    'and the oracle, what keeping only the labelled lines would cost (CI-log error lines, metric rows inside labelled windows).',
  '',
  ...qualityMarkdown(logs),
  '',
  `Token counting: headroom native ${dash(summary.tokenizer.nativeMBps)} MB/s; fastest JS tokenizer (${dash(summary.tokenizer.fastestJsPeer)}) ${dash(summary.tokenizer.fastestJsPeerMBps)} MB/s. ` +
    `compress() of a 1 MB request, first call p50: native ${dash(summary.compress1MBp50Ms.native)} ms, JS ${dash(summary.compress1MBp50Ms.js)} ms.`,
  '',
  summary.retrieval.retrievableBlocks === 0
    ? 'Retrieval markers: no lossy block in these inputs.'
    : `Retrieval markers (with a store): ${dash(summary.retrieval.tokensAddedPerBlock)} tokens added per retrievable block ` +
      `(${dash(summary.retrieval.tokensAddedPct)} % of those blocks' compressed tokens; ${summary.retrieval.retrievableBlocks} blocks, ` +
      `${summary.retrieval.roundTrips} read back byte for byte); the tool definition ${summary.retrieval.toolTokens} tokens per request that names a key.`,
  '',
  summary.sessions.trajectories === 0
    ? 'Sessions with prompt caching: no trajectories in the corpus.'
    : `Sessions with prompt caching (${summary.sessions.trajectories} trajectories, ${summary.sessions.turns} turns, ${dash(summary.sessions.model)} prices), input cost saved against no compression: ` +
      ['headroom', 'python', 'last-n']
        .map((id) => {
          const t = sessionStrategy(id);
          return t === undefined ? undefined : `${t.label} ${dash(t.models[0]?.savedPct ?? null)} % (token cut ${dash(t.tokenCutPct)} %)`;
        })
        .filter((x) => x !== undefined)
        .join('; ') +
      (sessions.pythonUnavailable === undefined ? '.' : `; Python package not run: ${sessions.pythonUnavailable}.`),
  '',
  `headroom serve, ${serve.connections} connections: ` +
    serve.added.map((a) => `${a.request} ${dash(summary.serve.rps[a.request] ?? null)} req/s, adds p50 ${dash(round(a.p50))} ms / p99 ${dash(round(a.p99))} ms`).join('; ') +
    `; RSS ${dash(serve.rssAfterMB)} MB after ${serve.servedRequests} requests.`,
  '',
];

const report = {
  summary,
  date: new Date().toISOString(),
  machine,
  corpus: corpus.root,
  quick,
  inputs: entries.length,
  skippedFiles: corpus.skipped,
  tokens,
  json,
  logs,
  compress,
  retrieval: { ...retrieval, totals: retrievalSum },
  peer: { ...peer, totals: peerTotals(peer) },
  sessions: { ...sessions, totals: sessionTotals(sessions) },
  serve,
  reliability,
};

const fmt = (n: number, d = 1): string => n.toFixed(d);
const md = [
  `# headroom benchmark`,
  '',
  `${report.date.slice(0, 10)} · ${report.machine} · corpus ${report.corpus} (${report.inputs} inputs${quick ? ', --quick' : ''})`,
  '',
  ...summaryMd,
  `## Token counting (o200k_base)`,
  '',
  `${fmt(tokens.textBytes / 1e6, 2)} MB of corpus text as one string; ${tokens.shortStrings} strings of 100 bytes. Ratios against headroom native in the same run.`,
  '',
  '| tokenizer | exact | long text MB/s | × native | µs per 100-byte call | × native |',
  '|---|---|---:|---:|---:|---:|',
  ...tokens.rows.map(
    (r) => `| ${r.name} | ${r.exact ? 'yes' : 'NO'} | ${fmt(r.longMBps)} | ${fmt(r.longRatio, 2)} | ${fmt(r.shortUs, 2)} | ${fmt(r.shortRatio, 2)} |`,
  ),
  ...tokens.skipped.map((s) => `\nskipped: ${s}`),
  ...(corpus.skipped.length > 0 ? ['', `Files not in a known layout (skipped): ${corpus.skipped.join(', ')}`] : []),
  '',
  ...formatJson(json),
  ...compressMarkdown(compress),
  '',
  ...formatRetrieval(retrieval),
  ...formatLogs(logs),
  ...formatPeer(peer),
  ...formatSessions(sessions),
  ...serveMarkdown(serve),
  ...formatReliability(reliability),
];

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'report.md'), md.join('\n'));
writeFileSync(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
const peerRows = peerTotals(peer).flatMap((t) => [
  { label: `${t.kind}: headroom`, score: t.headroom, before: t.before },
  ...(t.python === undefined ? [] : [{ label: `${t.kind}: python headroom-ai`, score: t.python, before: t.before }]),
]);
writeFileSync(
  join(outDir, 'peer.svg'),
  barChart({
    title: 'Tokens saved per kind: headroom vs the PyPI package',
    unit: '% of input tokens saved (bar), % of needles kept (tick)',
    max: 100,
    markLabel: 'retention',
    bars: peerRows.map((r) => ({
      label: r.label,
      value: (100 * (r.before - r.score.tokens)) / Math.max(1, r.before),
      mark: r.score.total === 0 ? undefined : (100 * r.score.present) / r.score.total,
      note: `${fmt((100 * (r.before - r.score.tokens)) / Math.max(1, r.before))} % saved, ${r.score.total === 0 ? 'no needles' : `${fmt((100 * r.score.present) / r.score.total)} % kept`}`,
    })),
  }),
);
writeFileSync(
  join(outDir, 'json.svg'),
  barChart({
    title: 'JSON: tokens per corpus file (default options) as a share of the input as given',
    unit: '% of input tokens left (bar), lossless only (tick)',
    max: 100,
    markLabel: 'lossless only',
    bars: json.rows.map((r) => ({
      label: r.name,
      value: (100 * r.defaults) / Math.max(1, r.given),
      mark: (100 * r.lossless) / Math.max(1, r.given),
      note: `${fmt((100 * r.defaults) / Math.max(1, r.given))} %`,
    })),
  }),
);
writeFileSync(
  join(outDir, 'compress.svg'),
  barChart({
    title: 'compress() latency per request size (first call, p50)',
    unit: 'milliseconds, lower is better',
    bars: compress.rows.map((r) => ({ label: `${r.request} ${r.engine}`, value: r.firstP50, note: `${r.firstP50.toFixed(2)} ms` })),
  }),
);
writeFileSync(
  join(outDir, 'tokens.svg'),
  barChart({
    title: 'Token counting throughput (o200k_base, long text)',
    unit: 'MB/s, higher is better',
    bars: tokens.rows.map((r) => ({ label: r.name, value: r.longMBps, note: `${fmt(r.longMBps)} MB/s` })),
  }),
);
console.log([`# headroom benchmark (${report.date.slice(0, 10)}, ${report.machine})`, '', ...summaryMd].join('\n'));
console.log(`report: ${join(outDir, 'report.md')}, ${join(outDir, 'report.json')}, charts: ${join(outDir, '*.svg')}`);
