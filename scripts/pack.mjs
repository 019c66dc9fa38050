// The root package as it is published: the files package.json lists, and a package.json without
// `scripts` (they run this repository's build: `prepare` would name a file the tarball does not
// ship). Used by the release workflow (`npm publish "$(node scripts/pack.mjs out)"`) and by
// scripts/smoke.mjs, so the smoke test checks what is published.
//
//   node scripts/pack.mjs <destination-dir>   → prints the tarball's path
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packs the publishable root package into `dest`; returns npm's report of the tarball. */
export function packRoot(dest) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const stage = mkdtempSync(join(tmpdir(), 'headroom-pack-'));
  try {
    for (const f of [...pkg.files, 'README.md', 'LICENSE']) if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f), { recursive: true });
    const { scripts, ...published } = pkg;
    void scripts;
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
    mkdirSync(dest, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', resolve(dest), '--loglevel=error'], { cwd: stage, encoding: 'utf8' });
    return JSON.parse(out)[0];
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dest = process.argv[2] ?? '.';
  console.log(join(resolve(dest), packRoot(dest).filename));
}
