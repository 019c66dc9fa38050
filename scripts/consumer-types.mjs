// The public types as a strict consumer project sees them, in each TypeScript module setup a user
// may have: nodenext and node16, each as ES module and as CommonJS (.cts), and node10 (the default
// for `module: commonjs`, which reads typesVersions, not exports). Every entry point is imported
// and used; a failure prints tsc's errors.
//
//   node scripts/consumer-types.mjs <package-dir> <work-dir>
//
// <package-dir> is the package as installed (package.json and dist/); <work-dir> must be where the
// SDK packages resolve from (their node_modules in it or above it). Used by test/types.test.ts and
// by scripts/smoke.mjs on the packed tarball.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [pkgDir, workDir] = process.argv.slice(2).map((p) => resolve(p));
if (pkgDir === undefined || workDir === undefined) throw new Error('usage: consumer-types.mjs <package-dir> <work-dir>');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Uses every entry point the way the README does; `esmOnly` also imports the ESM-only `ai`. */
const source = (esmOnly) => `
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { compress, countTokens, engineInfo, type CompressResult, type OpenAIMessage } from 'headroom-ai';
import { withHeadroom, HeadroomClient, type CompressEvent } from 'headroom-ai/anthropic';
import { withHeadroom as withHeadroomOpenAI } from 'headroom-ai/openai';
import { headroomMiddleware } from 'headroom-ai/ai-sdk';
${esmOnly ? "import { wrapLanguageModel, type LanguageModel } from 'ai';" : ''}

export async function main(): Promise<void> {
  const n: number = countTokens('hello');
  const engine: 'native' | 'js' = engineInfo().engine;
  const history: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
  const r: CompressResult<OpenAI.Chat.ChatCompletionMessageParam> = await compress(history);
  const claude = withHeadroom(new Anthropic(), { maxBlockTokens: 2000, onCompress: (e: CompressEvent) => void e.tokensSaved });
  const message = await claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], headroom: false });
  const text: string = message.content.length > 0 ? 'x' : 'y';
  const stats = new HeadroomClient(new Anthropic()).stats().tokensSaved;
  const gpt = withHeadroomOpenAI(new OpenAI());
  const completion = await gpt.chat.completions.create({ model: 'gpt-4o', messages: r.messages });
  const answer: string | null | undefined = completion.choices[0]?.message.content;
  const response = await gpt.responses.create({ model: 'gpt-4.1', input: 'hi', headroom: false });
  const out: string = response.output_text;
  const middleware = headroomMiddleware({ minTokens: 100 });
  ${esmOnly ? "const wrap = (model: LanguageModel) => wrapLanguageModel({ model: model as never, middleware }); void wrap;" : 'void middleware.transformParams;'}
  const raw: OpenAIMessage[] = [];
  // @ts-expect-error only the wrapped client takes headroom: an unwrapped one would send it
  await new Anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [], headroom: false });
  void [n, engine, text, stats, answer, out, raw];
}
`;

const modes = [
  { name: 'nodenext-esm', module: 'nodenext', moduleResolution: 'nodenext', type: 'module', file: 'index.ts', esmOnly: true },
  { name: 'nodenext-cjs', module: 'nodenext', moduleResolution: 'nodenext', type: 'commonjs', file: 'index.cts', esmOnly: true },
  { name: 'node16-esm', module: 'node16', moduleResolution: 'node16', type: 'module', file: 'index.ts', esmOnly: true },
  { name: 'node16-cjs', module: 'node16', moduleResolution: 'node16', type: 'commonjs', file: 'index.cts', esmOnly: false },
  { name: 'node10', module: 'commonjs', moduleResolution: 'node10', type: 'commonjs', file: 'index.ts', esmOnly: false },
];

let failed = 0;
for (const mode of modes) {
  const dir = join(workDir, mode.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(pkgDir, join(dir, 'node_modules', 'headroom-ai'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${mode.name}`, private: true, type: mode.type }));
  writeFileSync(join(dir, mode.file), source(mode.esmOnly));
  const compilerOptions = {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    module: mode.module,
    moduleResolution: mode.moduleResolution,
    target: 'ES2022',
    lib: ['ES2023', 'DOM'],
    esModuleInterop: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [mode.file] }));
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`ok   types under ${mode.name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL types under ${mode.name}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
