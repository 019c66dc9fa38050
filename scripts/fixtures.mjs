// Writes test/fixtures/corpus: a small corpus in the layout of the development corpus, so that a
// fresh clone's tests run without ../shared/corpus. Everything here is either generated from a
// fixed seed or taken from this repository's own history (our licence), so it can be committed.
// Run `node scripts/fixtures.mjs` to write it again; the output is the same every time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test/fixtures/corpus');
rmSync(out, { recursive: true, force: true });

/** mulberry32: a small seeded generator, so the fixtures never change between runs. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261204);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const pad = (n, w = 2) => String(n).padStart(w, '0');
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');

function write(rel, text) {
  const p = join(out, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

/** Seconds after 2026-11-03T09:00:00Z as an ISO timestamp with 7 fractional digits (GitHub Actions). */
function actionsStamp(s) {
  const d = new Date(Date.UTC(2026, 10, 3, 9, 0, 0) + s * 1000);
  return d.toISOString().replace(/\.(\d{3})Z$/, (_, ms) => `.${ms}${pad(int(0, 9999), 4)}Z`);
}

// --- JSON: uniform account records (categories, numbers with their own spelling, nulls) --------
const plans = ['free', 'team', 'enterprise'];
const regions = ['eu-west-1', 'us-east-1', 'ap-south-1', 'us-west-2'];
const accounts = Array.from({ length: 240 }, (_, i) => ({
  id: 5100 + i,
  name: `acct-${hex(6)}`,
  plan: pick(plans),
  region: pick(regions),
  created: `2022-${pad(int(1, 12))}-${pad(int(1, 28))}`,
  seats: i === 117 ? 4200 : int(1, 60),
  active: random() > 0.1,
  last_error: i === 61 ? 'payment_failed: card declined' : null,
}));
write('json/accounts/accounts.json', JSON.stringify(accounts, null, 2) + '\n');

// --- JSON: recorded REST exchanges in the octokit fixture shape, two of them errors -----------
const user = (login, id) => ({ login, id, node_id: `MDQ6VXNlcj${hex(6)}`, type: 'User', site_admin: false, url: `https://api.github.com/users/${login}` });
const exchanges = [];
for (let i = 0; i < 14; i++) {
  const number = 40 + i;
  const status = i === 5 ? 404 : i === 11 ? 422 : i % 4 === 0 ? 201 : 200;
  const method = status === 201 ? 'post' : i === 11 ? 'patch' : 'get';
  const path = `/repos/example-org/widgets/issues/${number}${i % 3 === 0 ? '/labels' : ''}`;
  const response =
    status === 404
      ? { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/issues#get-an-issue' }
      : status === 422
        ? { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }], documentation_url: 'https://docs.github.com/rest/issues/issues#update-an-issue' }
        : {
            id: 900000 + number * 7,
            number,
            title: `Widget ${pick(['renders', 'resizes', 'exports', 'loads'])} ${pick(['slowly', 'twice', 'blank', 'late'])} on ${pick(['Safari', 'Firefox', 'mobile'])}`,
            state: pick(['open', 'closed']),
            user: user(pick(['octocat', 'hubot', 'monalisa']), int(1, 9999)),
            labels: Array.from({ length: int(0, 3) }, () => ({ id: int(100, 999), name: pick(['bug', 'ui', 'perf', 'needs-triage']), color: hex(6), default: false })),
            comments: int(0, 12),
            created_at: `2026-10-${pad(int(1, 28))}T${pad(int(0, 23))}:${pad(int(0, 59))}:00Z`,
            body: null,
          };
  exchanges.push({ scope: 'https://api.github.com:443', method, path, status, response });
}
write('json/octokit/issues-and-labels__raw-fixture.json', JSON.stringify(exchanges, null, 2) + '\n');

// --- JSON: an API envelope whose interesting fields are nested (data[].attributes.*) ----------
const events = Array.from({ length: 160 }, (_, i) => ({
  id: `evt_${hex(10)}`,
  type: 'event',
  attributes: {
    service: pick(['checkout', 'search', 'auth']),
    severity: i === 97 ? 'critical' : pick(['info', 'info', 'info', 'notice']),
    duration_ms: i === 131 ? 98211 : int(8, 400),
    retried: i === 42,
  },
  relationships: { host: { data: { type: 'host', id: `h-${int(1, 6)}` } } },
}));
write('json/envelope/events.json', JSON.stringify({ data: events, meta: { page: 1, per_page: 160, total: 160 } }) + '\n');

// --- CI logs with ground truth (first line the flavour, `E a-b` error lines, 1-based) --------
function actionsLog() {
  const lines = [];
  const errors = [];
  let s = 0;
  const context = [];
  const add = (text, error = false) => {
    lines.push(`${actionsStamp(s)} ${text}`);
    if (error === true) errors.push(lines.length);
    if (error === 'context') context.push(lines.length);
    s += int(0, 2);
  };
  add('##[group]Run actions/checkout@v4');
  add('Syncing repository: example-org/widgets');
  add('##[endgroup]');
  add('##[group]Run npm ci');
  for (let i = 0; i < 40; i++) add(`npm http fetch GET 200 https://registry.npmjs.org/${pick(['react', 'vite', 'esbuild', 'rollup', 'postcss', 'tslib'])}/-/pkg-${int(1, 9)}.${int(0, 20)}.${int(0, 9)}.tgz ${int(3, 400)}ms (cache miss)`);
  add(`added ${int(400, 900)} packages in ${int(8, 40)}s`);
  add('##[endgroup]');
  add('##[group]Run npm test');
  const files = ['button', 'dialog', 'table', 'chart', 'menu', 'tooltip', 'form'];
  for (let i = 0; i < 70; i++) add(` ✓ src/${pick(files)}.test.ts > renders case ${i} ${int(1, 90)}ms`);
  add(' ❯ src/chart.test.ts > resizes to its container', true);
  add('   → expected 640 to be 320 // Object.is equality', true);
  add('', false);
  add(' FAIL  src/chart.test.ts > resizes to its container', true);
  add('AssertionError: expected 640 to be 320 // Object.is equality', true);
  add(' ❯ src/chart.test.ts:88:31', true);
  add('     86|     chart.resize({ width: 320 });', true);
  add('     87|     await tick();', true);
  add('     88|     expect(chart.width()).toBe(320);', true);
  add('       |                               ^', true);
  for (let i = 0; i < 20; i++) add(` ✓ src/${pick(files)}.test.ts > keyboard case ${i} ${int(1, 90)}ms`);
  add(' Test Files  1 failed | 6 passed (7)', 'context');
  add('      Tests  1 failed | 90 passed (91)', 'context');
  add('##[error]Process completed with exit code 1.', true);
  return { text: lines.join('\n') + '\n', truth: 'RAW_GITHUB\n' + ranges(errors) + context.map((n) => `C ${n}\n`).join('') };
}

function mavenLog() {
  const lines = [];
  const errors = [];
  const context = [];
  const add = (text, error = false) => {
    lines.push(text);
    if (error === true) errors.push(lines.length);
    if (error === 'context') context.push(lines.length);
  };
  add('[INFO] Scanning for projects...');
  add('[INFO] ------------------------< org.example:ledger >------------------------');
  add('[INFO] Building ledger 2.4.1-SNAPSHOT');
  for (let i = 0; i < 60; i++) {
    const a = pick(['commons-io', 'guava', 'jackson-core', 'slf4j-api', 'junit-jupiter', 'mockito-core']);
    add(`Downloading from central: https://repo.maven.apache.org/maven2/org/example/${a}/${int(1, 9)}.${int(0, 30)}/${a}-${int(1, 9)}.${int(0, 30)}.jar`);
    add(`Downloaded from central: https://repo.maven.apache.org/maven2/org/example/${a}/${int(1, 9)}.${int(0, 30)}/${a}-${int(1, 9)}.${int(0, 30)}.jar (${int(10, 900)} kB at ${int(1, 20)}.${int(0, 9)} MB/s)`);
  }
  // One warning per module that copies resources, word for word.
  for (let i = 0; i < 6; i++) add('[WARNING] Using platform encoding (UTF-8 actually) to copy filtered resources, i.e. build is platform dependent!');
  add('[INFO] --- maven-compiler-plugin:3.11.0:compile (default-compile) @ ledger ---');
  add('[INFO] Compiling 84 source files to /home/runner/work/ledger/target/classes');
  add('[INFO] -------------------------------------------------------------');
  add('[ERROR] COMPILATION ERROR : ', true);
  add('[INFO] -------------------------------------------------------------');
  add('[ERROR] /home/runner/work/ledger/src/main/java/org/example/ledger/Posting.java:[57,24] incompatible types: long cannot be converted to java.math.BigDecimal', true);
  add('[ERROR] /home/runner/work/ledger/src/main/java/org/example/ledger/Journal.java:[112,9] cannot find symbol', true);
  add('  symbol:   method settle(org.example.ledger.Posting)', true);
  add('  location: class org.example.ledger.Journal', true);
  add('[INFO] 2 errors ', 'context');
  add('[INFO] ------------------------------------------------------------------------');
  add('[INFO] BUILD FAILURE', 'context');
  add('[INFO] ------------------------------------------------------------------------');
  add('[INFO] Total time:  41.207 s');
  add('[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.11.0:compile (default-compile) on project ledger: Compilation failure: Compilation failure: ', true);
  add('[ERROR] -> [Help 1]', true);
  return { text: lines.join('\n') + '\n', truth: 'DEFAULT\n' + ranges(errors) + context.map((n) => `C ${n}\n`).join('') };
}

/** 1-based line numbers as `E a-b` ranges. */
function ranges(ns) {
  const outRanges = [];
  for (const n of ns) {
    const last = outRanges.at(-1);
    if (last !== undefined && last[1] === n - 1) last[1] = n;
    else outRanges.push([n, n]);
  }
  return outRanges.map(([a, b]) => (a === b ? `E ${a}\n` : `E ${a}-${b}\n`)).join('');
}

for (const [name, log] of [['actions/ui_run17', actionsLog()], ['maven/ledger_run5', mavenLog()]]) {
  write(`ci-logs/${name}/fail.log`, log.text);
  write(`ci-logs/${name}/groundtruth`, log.truth);
}

// --- Diffs: two commits of this repository, as git format-patch writes them --------------------
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
const commits = ['7e497cd', 'd2adf95'];
for (const c of commits) write(`diffs/headroom-${c}.patch`, git('format-patch', '-1', '--stdout', '--no-signature', c));

// --- An agent trajectory (SWE-agent's .traj layout) over this repository's own files -----------
const at = 'a5fc08a';
const grep = git('grep', '-n', 'maxBlockTokens', at, '--', 'src').replaceAll(`${at}:`, '');
const view = git('show', `${at}:src/engine/js/budget.ts`).split('\n').slice(0, 100).map((l, i) => `${i + 1}:${l}`).join('\n');
const diff = git('show', '--format=', at, '--', 'src/messages');
const traceback = [
  'Traceback (most recent call last):',
  '  File "/repo/tools/replay.py", line 41, in <module>',
  '    main(sys.argv[1:])',
  '  File "/repo/tools/replay.py", line 33, in main',
  '    totals = summarise(load(path))',
  '  File "/repo/tools/replay.py", line 19, in summarise',
  '    return sum(turn["usage"]["input_tokens"] for turn in turns)',
  "KeyError: 'usage'",
].join('\n');
const steps = [
  ['grep -rn maxBlockTokens src', grep],
  ['open src/engine/js/budget.ts', view],
  ['python tools/replay.py session.json', traceback],
  ['git diff src/messages', diff],
];
const history = [
  { role: 'system', content: 'You are an autonomous programmer working in a repository through a shell.' },
  { role: 'user', content: 'Find where the block budget is applied and fix the replay script.' },
];
const trajectory = [];
steps.forEach(([action, observation], i) => {
  history.push({ role: 'assistant', content: `Step ${i + 1}.`, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command: action }) } }] });
  history.push({ role: 'tool', tool_call_id: `call_${i}`, content: observation });
  trajectory.push({ action, observation, response: `Step ${i + 1}.`, thought: `Step ${i + 1}.` });
});
write('trajectories/headroom-budget.traj', JSON.stringify({ environment: 'fixture', trajectory, history, info: { exit_status: 'submitted', submission: diff } }, null, 2) + '\n');

// --- A metric series with a labelled anomaly window (NAB's layout) -----------------------------
const rows = ['timestamp,value'];
const windows = [];
const t0 = Date.UTC(2026, 9, 1, 0, 0, 0);
for (let i = 0; i < 1200; i++) {
  const stamp = new Date(t0 + i * 300_000).toISOString().replace('T', ' ').replace('.000Z', '');
  const base = 40 + 8 * Math.sin(i / 40);
  const spike = i >= 811 && i <= 818 ? 55 : 0;
  rows.push(`${stamp},${(base + spike + random() * 3).toFixed(2)}`);
  if (i === 805) windows.push(stamp);
  if (i === 825) windows.push(stamp);
}
write('metrics/nab/synthetic/cpu_spike.csv', rows.join('\n') + '\n');

// A second series, hourly, with a one-row dip and a level shift, each in its labelled window.
const memRows = ['timestamp,value'];
const memWindows = [];
const m0 = Date.UTC(2026, 6, 1, 0, 0, 0);
for (let i = 0; i < 1500; i++) {
  const stamp = new Date(m0 + i * 3_600_000).toISOString().replace('T', ' ').replace('.000Z', '');
  const daily = 6 * Math.sin((2 * Math.PI * i) / 24);
  const level = i >= 1040 ? 78 : 55;
  const value = i === 430 ? 12 : level + daily + random() * 2;
  memRows.push(`${stamp},${value.toFixed(3)}`);
  if (i === 420 || i === 1030) memWindows.push([stamp]);
  if (i === 440 || i === 1050) memWindows[memWindows.length - 1].push(stamp);
}
write('metrics/nab/synthetic/memory_shift.csv', memRows.join('\n') + '\n');
write('metrics/nab/combined_windows.json', JSON.stringify({ 'synthetic/cpu_spike.csv': [windows], 'synthetic/memory_shift.csv': memWindows }, null, 2) + '\n');

write(
  'README.md',
  [
    '# Fixture corpus',
    '',
    'A small corpus in the layout of the development corpus (`../shared/corpus`), written by',
    '`node scripts/fixtures.mjs`: generated from a fixed seed, or taken from this repository\'s own',
    'history (diffs and the trajectory\'s tool output), under this repository\'s licence. The tests',
    'read it when the development corpus is not beside the checkout. Do not edit by hand.',
    '',
  ].join('\n'),
);
console.log(`fixtures written to ${out}`);
