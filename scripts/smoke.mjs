// Package smoke test: what a user gets from the registry. Packs the root package and the
// linux-x64-gnu platform package, installs them into an empty project with cargo and rustc off
// PATH, and checks ESM and CJS loading of every entry point, the JS fallback, the native engine,
// compress() on real tool output, NAPI_RS_NATIVE_LIBRARY_PATH, tarball hygiene, publint, and the
// public types under `strict` in every TypeScript module setup. Run by .ci/run after `npm test`; `--keep` leaves the temporary directory.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packRoot } from './pack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = 'linux-x64-gnu';
const addon = join(root, `headroom.${target}.node`);
const work = mkdtempSync(join(tmpdir(), 'headroom-smoke-'));
const consumer = join(work, 'consumer');

// The consumer's environment has no Rust toolchain, as on a user's machine or a plain CI runner.
const PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !existsSync(join(dir, 'cargo')) && !existsSync(join(dir, 'rustc')))
  .join(delimiter);
const env = { ...process.env, PATH };
delete env.HEADROOM_ENGINE;

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const npm = (args, cwd) => sh('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd });
/** Runs a script in the consumer project and returns its JSON output. */
function run(file, source, extraEnv = {}) {
  writeFileSync(join(consumer, file), source);
  return JSON.parse(sh(process.execPath, [file], { cwd: consumer, env: { ...env, ...extraEnv } }));
}

if (!existsSync(addon)) throw new Error(`${addon} is missing: run npm install (with cargo) first`);
if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run npm run build first');

// 1. Pack the root package as it is published and check what goes in it.
const packed = packRoot(work);
const files = packed.files.map((f) => f.path).sort();
console.log(`root tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);
for (const f of files) console.log(`  ${f}`);
const allowed = /^(dist\/.*\.(js|d\.ts|d\.cts)|index\.cjs|index\.d\.ts|package\.json|README\.md|LICENSE)$/;
check(files.every((f) => allowed.test(f)), 'root tarball holds only runtime files (dist, loader, typings, README)');
check(!files.some((f) => f.endsWith('.node')), 'no .node file in the root package');
const manifest = JSON.parse(execFileSync('tar', ['-xOzf', join(work, packed.filename), 'package/package.json'], { encoding: 'utf8' }));
check(manifest.scripts === undefined, 'the published package.json runs no script of this repository (no prepare naming an unshipped file)');
const entries = Object.keys(manifest.exports).filter((k) => k !== './package.json');
check(entries.every((k) => Object.values(manifest.exports[k].types).concat(manifest.exports[k].default).every((f) => files.includes(f.slice(2)))), 'every export (and its .d.ts/.d.cts) is in the tarball');

// 2. Pack the platform package with the built addon in it.
const platformDir = join(work, `platform-${target}`);
cpSync(join(root, 'npm', target), platformDir, { recursive: true });
cpSync(addon, join(platformDir, `headroom.${target}.node`));
const [platformPacked] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], platformDir));
console.log(`platform tarball ${platformPacked.filename}: ${platformPacked.size} bytes`);

// 3. A consumer project without the platform package: the JS engine serves, with a reason.
mkdirSync(consumer);
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
npm(['install', join(work, packed.filename)], consumer);
const esm = run(
  'esm.mjs',
  `import * as h from 'headroom-ai';
   console.log(JSON.stringify({ info: h.engineInfo(), n: h.countTokens('hello world'), compress: typeof h.compress }));`,
);
check(esm.n === 2, 'ESM import works and counts tokens');
check(esm.info.engine === 'js', `without the platform package the engine is js (${esm.info.engine})`);
check(esm.info.reason.includes(`headroom-ai-${target} is not installed`), `the reason says why: ${esm.info.reason}`);
const cjs = run(
  'cjs.cjs',
  `const h = require('headroom-ai');
   console.log(JSON.stringify({ engine: h.engineInfo().engine, n: h.countTokens('hello world') }));`,
);
check(cjs.n === 2, 'require() works (require(esm), no top-level await)');
// The SDK integrations need the SDKs themselves (optional peer dependencies), as a user has them.
const sdks = ['@anthropic-ai/sdk', 'openai', 'ai'];
npm(['install', ...sdks.map((name) => `${name}@${pkg.devDependencies[name]}`)], consumer);
for (const [entry, name] of [['anthropic', 'withHeadroom'], ['openai', 'withHeadroom'], ['ai-sdk', 'headroomMiddleware']]) {
  const esmKeys = run('sub.mjs', `import * as m from 'headroom-ai/${entry}'; console.log(JSON.stringify(Object.keys(m)));`);
  const cjsKeys = run('sub.cjs', `console.log(JSON.stringify(Object.keys(require('headroom-ai/${entry}'))));`);
  check(esmKeys.includes(name) && cjsKeys.includes(name), `headroom-ai/${entry} resolves (import and require) and exports ${name}`);
}

// 4. With the platform package: native, and compress() agrees with the JS engine.
npm(['install', join(work, platformPacked.filename)], consumer);
const toolResult = sampleToolResult();
writeFileSync(join(consumer, 'tool-result.txt'), toolResult);
const compressScript = `import { readFileSync } from 'node:fs';
  import { compress, engineInfo } from 'headroom-ai';
  const content = readFileSync('tool-result.txt', 'utf8');
  const messages = [
    { role: 'user', content: 'What failed?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'fetch', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content }] },
  ];
  const r = await compress(messages);
  console.log(JSON.stringify({ engine: engineInfo().engine, saved: r.tokensSaved, messages: r.messages }));`;
if (esm.compress === 'function') {
  const native = run('compress.mjs', compressScript);
  const js = run('compress.mjs', compressScript, { HEADROOM_ENGINE: 'js' });
  check(native.engine === 'native', `with the platform package the engine is native (${native.engine})`);
  check(native.saved > 0, `compress() saves tokens on a real tool result (${native.saved})`);
  check(JSON.stringify(native.messages) === JSON.stringify(js.messages), 'native and JS compress() output are byte-identical');
} else {
  const info = run('info.mjs', `import { engineInfo } from 'headroom-ai'; console.log(JSON.stringify(engineInfo()));`);
  check(info.engine === 'native', `with the platform package the engine is native (${info.engine})`);
}

// 4b. The `headroom` command the package installs.
if (pkg.bin?.headroom !== undefined) {
  const out = sh(join(consumer, 'node_modules/.bin/headroom'), ['compress', 'tool-result.txt'], { cwd: consumer });
  check(out.length > 0 && out.length < toolResult.length, `npx headroom compress shrinks a tool result (${toolResult.length} → ${out.length} characters)`);
}

// 5. NAPI_RS_NATIVE_LIBRARY_PATH points the loader at a .node file.
npm(['uninstall', `headroom-ai-${target}`], consumer);
const loose = join(work, 'loose.node');
cpSync(addon, loose);
const viaPath = run('info.mjs', `import { engineInfo } from 'headroom-ai'; console.log(JSON.stringify(engineInfo()));`, {
  NAPI_RS_NATIVE_LIBRARY_PATH: loose,
});
check(viaPath.engine === 'native', 'NAPI_RS_NATIVE_LIBRARY_PATH is honoured');

// 6. publint on the packed package, strict. One message is by design: the `require` types are the
// .d.cts twins (CommonJS TypeScript setups need them), while `require` loads the ES module
// (require(esm)); publint warns that a default import would then be ambiguous, and the package
// has no default export.
const unpacked = join(consumer, 'node_modules', 'headroom-ai');
const { publint } = await import(pathToFileURL(join(root, 'node_modules/publint/src/index-node.js')).href);
const { formatMessage } = await import(pathToFileURL(join(root, 'node_modules/publint/src/utils.js')).href);
const lint = await publint({ pkgDir: unpacked, strict: true });
const twins = (m) => m.code === 'EXPORTS_TYPES_INVALID_FORMAT' && m.path.at(-1) === 'require' && m.args.actualFormat === 'CJS';
const lintPkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
for (const m of lint.messages) console.log(`${twins(m) ? 'by design: ' : ''}${formatMessage(m, lintPkg, { color: false })}`);
check(lint.messages.every(twins), 'publint passes (strict)');

// 7. The public types compile in strict consumer projects, every entry point, every module setup.
try {
  console.log(sh(process.execPath, [join(root, 'scripts/consumer-types.mjs'), unpacked, join(consumer, 'types')]).trim());
  check(true, 'public .d.ts compile in strict consumer projects (nodenext, node16 ESM/CJS, node10)');
} catch (err) {
  console.log(err.stdout ?? '', err.stderr ?? '');
  check(false, 'public .d.ts compile in strict consumer projects (nodenext, node16 ESM/CJS, node10)');
}

/** A real tool result: a corpus file when the corpus is present, else a generated API response. */
function sampleToolResult() {
  const corpus = process.env.HEADROOM_CORPUS ?? join(root, '../shared/corpus');
  const file = join(corpus, 'json/github-repos/github-repos.json');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, status: i % 17 === 0 ? 'error' : 'ok', latency_ms: 10 + (i % 40) }));
  return JSON.stringify(rows, null, 2);
}

if (process.argv.includes('--keep')) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures > 0) {
  console.error(`${failures} smoke check(s) failed`);
  process.exit(1);
}
console.log('package smoke test passed');

