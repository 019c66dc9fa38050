// Every TypeScript example in the README runs, as written, against the local Anthropic and OpenAI
// API servers.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MockAnthropic } from './support/anthropic-server.js';
import { runNode } from './support/node-process.js';
import { MockOpenAI } from './support/openai-server.js';
import { corpusSample } from './support/corpus.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'test/.readme');
const server = new MockAnthropic();
const openai = new MockOpenAI();
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Values the examples refer to without defining, as an application would have them. */
const PRELUDE: Record<string, string> = {
  longConversation: `[
    { role: 'user' as const, content: 'What failed in CI?' },
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_9', name: 'ci_log', input: {} }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_9', content: ${JSON.stringify(corpusSample('ciLog'))} }] },
  ]`,
  largeContent: JSON.stringify(corpusSample('records')),
  hugeLogOutput: JSON.stringify(corpusSample('otherCiLog')),
  headroomServerUrl: 'process.env.ANTHROPIC_BASE_URL!',
};

beforeAll(async () => {
  await Promise.all([server.start(), openai.start()]);
  process.env['ANTHROPIC_BASE_URL'] = server.baseURL;
  process.env['ANTHROPIC_API_KEY'] = 'test-key';
  process.env['OPENAI_BASE_URL'] = openai.baseURL;
  process.env['OPENAI_API_KEY'] = 'test-key';
  mkdirSync(DIR, { recursive: true });
});
afterAll(async () => {
  await Promise.all([server.stop(), openai.stop()]);
  if (process.env['HEADROOM_KEEP_README'] === undefined) rmSync(DIR, { recursive: true, force: true });
});

it('has TypeScript examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(8);
});

blocks.forEach((code, i) => {
  it(`README example ${i + 1} runs: ${code.split('\n').find((l) => l.trim() !== '' && !l.startsWith('import'))?.slice(0, 50)}`, async () => {
    const prelude = Object.entries(PRELUDE)
      .filter(([name]) => new RegExp(`\\b${name}\\b`).test(code) && !new RegExp(`\\bconst ${name}\\b`).test(code))
      .map(([name, value]) => `const ${name} = ${value};`);
    const source = code
      .replace(/from 'headroom-ai\/(anthropic|openai|ai-sdk)'/g, (_, entry: string) => `from ${JSON.stringify(join(ROOT, `src/${entry}.ts`))}`)
      .replace(/from 'headroom-ai'/g, `from ${JSON.stringify(join(ROOT, 'src/index.ts'))}`);
    const imports = source.split('\n').filter((l) => l.startsWith('import '));
    const body = source.split('\n').filter((l) => !l.startsWith('import '));
    const file = join(DIR, `example-${i + 1}.ts`);
    writeFileSync(file, [...imports, ...prelude, ...body, 'export {};'].join('\n'));
    const sent = (): number => server.requests.length + openai.requests.length;
    const before = sent();
    await import(file);
    if (/messages\.(create|stream)|completions\.create|responses\.create|toolRunner|generateText/.test(code)) expect(sent()).toBeGreaterThan(before);
  });
});

it('the README examples typecheck under the project’s strict settings', async () => {
  writeFileSync(
    join(DIR, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, allowImportingTsExtensions: true }, include: ['*.ts'] }),
  );
  const r = await runNode([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', DIR], ROOT);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
