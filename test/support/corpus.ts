// Locates the development corpus (../shared/corpus, read in place, never copied into the repo).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export function corpusDir(): string {
  const candidates = [process.env['HEADROOM_CORPUS'], join(ROOT, '../shared/corpus')];
  for (const c of candidates) if (c !== undefined && c !== '' && existsSync(c)) return resolve(c);
  throw new Error('the development corpus was not found: set HEADROOM_CORPUS or place it at ../shared/corpus');
}

/** Every file under the corpus (or one of its folders), sorted, as paths relative to the corpus. */
export function corpusFiles(sub = '', filter: (rel: string) => boolean = () => true): string[] {
  const base = corpusDir();
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (filter(relative(base, p))) out.push(relative(base, p));
    }
  };
  walk(join(base, sub));
  return out;
}

export function corpusPath(rel: string): string {
  return join(corpusDir(), rel);
}
