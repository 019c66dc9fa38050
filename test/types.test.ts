// The public types in a strict consumer project under every TypeScript module setup (nodenext,
// node16 as ESM and as CommonJS, node10), for every entry point: declarations built from src/ into
// a package folder laid out as published (package.json, dist/*.d.ts and their .d.cts twins).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runNode } from './support/node-process.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'test/.types');
const run = (args: string[]) => runNode(args, ROOT);

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// Engine-independent: it runs once, in the native pass of `npm test`.
it.skipIf(process.env['HEADROOM_ENGINE'] === 'js')('every entry point type-checks under nodenext, node16 (ESM and CJS) and node10', async () => {
  const pkg = join(DIR, 'pkg');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  const build = await run([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(pkg, 'dist'), '--emitDeclarationOnly']);
  expect(build.stdout + build.stderr).toBe('');
  expect((await run(['scripts/cjs-types.mjs', join(pkg, 'dist')])).status).toBe(0);
  const check = await run(['scripts/consumer-types.mjs', pkg, join(DIR, 'consumers')]);
  expect(check.stdout).toBe(
    ['nodenext-esm', 'nodenext-cjs', 'node16-esm', 'node16-cjs', 'node10'].map((m) => `ok   types under ${m}\n`).join(''),
  );
  expect(check.status).toBe(0);
});
