// The published package.json (scripts/pack.mjs stages what the release publishes): it runs no
// script of this repository, and every entry point it exports is a file it ships.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

it('the published package.json has no prepare (or any script) naming a file the tarball lacks', async () => {
  const dest = mkdtempSync(join(tmpdir(), 'headroom-package-'));
  try {
    const { packRoot } = (await import(join(ROOT, 'scripts/pack.mjs'))) as { packRoot(dest: string): { filename: string } };
    const { filename } = packRoot(dest);
    const manifest = JSON.parse(execFileSync('tar', ['-xOzf', join(dest, filename), 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(manifest['scripts']).toBeUndefined();
    const source = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const { scripts, ...rest } = source;
    expect(scripts).toBeDefined();
    expect(manifest).toEqual(rest);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});
