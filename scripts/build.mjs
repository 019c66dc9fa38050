// `npm install` (prepare) and `npm run build`: the release native addon, then the TypeScript.
// Without cargo the addon is skipped with a note and the JS engine serves. A failed native build
// fails loudly and leaves no stale .node behind.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });

function removeAddons() {
  for (const f of readdirSync(root)) if (/^headroom\..*\.node$/.test(f)) rmSync(join(root, f));
}

const hasCargo = spawnSync('cargo', ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
if (!hasCargo) {
  removeAddons();
  console.warn('headroom: cargo not found; skipping the native addon (the JS engine will be used).');
} else {
  removeAddons();
  const r = run('npm', ['run', '--silent', 'build:native']);
  if (r.status !== 0) {
    removeAddons();
    console.error('headroom: the native addon failed to build (see above).');
    process.exit(r.status ?? 1);
  }
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = run('npm', ['run', '--silent', 'build:ts']);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
