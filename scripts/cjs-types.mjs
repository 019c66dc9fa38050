// Part of `npm run build:ts`: a CommonJS twin (`.d.cts`) of every declaration file in dist/, for
// TypeScript projects that compile to CommonJS (`module: node16`/`nodenext` with .cts or
// "type": "commonjs"): to them a `.d.ts` of this "type": "module" package is an ES module they may
// not import. Each twin imports its siblings' twins, and packages by their ESM types
// (`resolution-mode: "import"`, type-only imports). At run time both load dist/*.js (require(esm)).
// Argument: the declaration folder (default dist/).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.d.ts')) writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), twin(readFileSync(path, 'utf8')));
  }
}

function twin(text) {
  return text
    .replace(/(from |import\()(['"])(\.\.?\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2')
    .replace(/^(import type [^;]+ from (['"])[^.'"][^'"]*\2);$/gm, `$1 with { 'resolution-mode': 'import' };`);
}

walk(dist);
