// Locates the corpus the tests read: the development corpus (../shared/corpus or
// HEADROOM_CORPUS, read in place, never copied into the repo) when it is there, else the small
// fixture corpus in test/fixtures/corpus (same layout, written by scripts/fixtures.mjs), so a
// fresh clone's suite runs on its own. A test that needs the development corpus itself checks
// `fullCorpus` and says so when it skips.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/corpus');

function developmentCorpus(): string | undefined {
  const candidates = [process.env['HEADROOM_CORPUS'], join(ROOT, '../shared/corpus')];
  for (const c of candidates) if (c !== undefined && c !== '' && existsSync(c)) return resolve(c);
  return undefined;
}

const development = developmentCorpus();

/** Whether the development corpus is present (it is in CI). */
export const fullCorpus = development !== undefined;

if (!fullCorpus && process.env['VITEST_WORKER_ID'] === '1') {
  console.warn('the development corpus was not found (../shared/corpus or HEADROOM_CORPUS): the corpus tests read test/fixtures/corpus instead');
}

export function corpusDir(): string {
  return development ?? FIXTURES;
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
  if (existsSync(join(base, sub))) walk(join(base, sub));
  return out;
}

export function corpusPath(rel: string): string {
  return join(corpusDir(), rel);
}

/** Files the tests use for a role: a development corpus file, or its fixture stand-in. */
const SAMPLES = {
  records: ['json/github-repos/github-repos.json', 'json/accounts/accounts.json'],
  nested: ['json/kubectl/list1-raw.json', 'json/envelope/events.json'],
  ciLog: ['ci-logs/breakages/guava_2087/fail.log', 'ci-logs/maven/ledger_run5/fail.log'],
  otherCiLog: ['ci-logs/breakages/jodatime_2082/fail.log', 'ci-logs/actions/ui_run17/fail.log'],
} as const;

/** The text of the corpus file that plays `role` in a test (the fixture's without the corpus). */
export function corpusSample(role: keyof typeof SAMPLES): string {
  const [dev, fixture] = SAMPLES[role];
  const p = development !== undefined && existsSync(join(development, dev)) ? join(development, dev) : join(FIXTURES, fixture);
  return readFileSync(p, 'utf8');
}
