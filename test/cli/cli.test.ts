// The `headroom` command as a user runs it: a child process, files and stdin in, stdout and
// stderr and the exit code out.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compress, countTokens } from '../../src/index.js';
import { orderRecords, serviceLog } from '../support/tool-output.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** tsx's loader by path: the command runs from a scratch directory with no node_modules. */
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const work = mkdtempSync(join(tmpdir(), 'headroom-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function headroom(args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: work,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

const LOG = serviceLog(1500);
const logFile = join(work, 'service.log');
writeFileSync(logFile, LOG);

/** What the library gives for the same text as one tool result. */
async function libraryOutput(text: string, options: { maxBlockTokens?: number } = {}): Promise<string> {
  const result = await compress([{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: text }] }], options);
  return (result.messages[0]!.content as Array<{ content: string }>)[0]!.content;
}

describe('headroom compress', () => {
  it('compresses raw tool output from stdin: the result on stdout, a one-line summary on stderr', async () => {
    const run = await headroom(['compress', '--max-block-tokens', '800'], LOG);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await libraryOutput(LOG, { maxBlockTokens: 800 }));
    expect(run.stdout).toContain('ERROR payment-worker: charge failed');
    expect(run.stdout).toMatch(/^\[… \d+ lines omitted/m);
    const summary = run.stderr.trim();
    expect(summary.split('\n')).toHaveLength(1);
    const m = /^headroom: (\d+) → (\d+) tokens \((\d+\.\d) % saved\), log, (native|js), \d+\.\d ms$/.exec(summary);
    expect(m, summary).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]));
    expect(m![4]).toBe(process.env['HEADROOM_ENGINE'] === 'js' ? 'js' : 'native');
  });

  it('reads a file, and --json prints the whole result', async () => {
    const run = await headroom(['compress', logFile, '--json', '--query', 'payment']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { output: string; tokensBefore: number; tokensAfter: number; blocks: Array<{ kind: string; strategy: string }>; engine: string };
    expect(result.output).toContain('ERROR payment-worker');
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore);
    expect(result.blocks[0]).toMatchObject({ kind: 'log' });
    expect(result.engine).toMatch(/^(native|js)$/);
  });

  it('compresses an Anthropic request body and keeps its other fields as they were', async () => {
    const request = {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 512,
      system: 'You are an SRE assistant.',
      messages: [
        { role: 'user', content: 'Which orders failed?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_orders', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: orderRecords(300) }] },
      ],
    };
    const file = join(work, 'request.json');
    writeFileSync(file, JSON.stringify(request, null, 2));
    const run = await headroom(['compress', file]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as typeof request;
    expect(Object.keys(out)).toEqual(Object.keys(request));
    expect(out.system).toBe(request.system);
    expect(out.messages.slice(0, 2)).toEqual(request.messages.slice(0, 2));
    const tool = (out.messages[2]!.content as Array<{ content: string }>)[0]!.content;
    expect(countTokens(tool)).toBeLessThan(countTokens(orderRecords(300)));
    expect(run.stderr).toMatch(/^headroom: \d+ → \d+ tokens .*, json, /);
  });

  it('compresses an OpenAI request body read from stdin', async () => {
    const request = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'logs', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: LOG },
      ],
    };
    const run = await headroom(['compress', '-'], JSON.stringify(request));
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as typeof request;
    expect(out.messages.slice(0, 2)).toEqual(request.messages.slice(0, 2));
    expect(countTokens(out.messages[2]!.content as string)).toBeLessThan(countTokens(LOG));
  });

  it('says what is wrong: exit 2 for a bad command line, 1 for a missing file', async () => {
    const bad = await headroom(['compress', '--max-block-tokens', 'lots'], LOG);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-block-tokens must be a whole number or Infinity, got "lots"');
    expect(bad.stderr).toContain('Usage:');
    const unknown = await headroom(['compress', '--frobnicate'], LOG);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
    const missing = await headroom(['compress', join(work, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^headroom: ENOENT: no such file or directory/);
    const verb = await headroom(['squash']);
    expect(verb.code).toBe(2);
    expect(verb.stderr).toContain('unknown command "squash"');
    const help = await headroom(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--redis', '--no-retrieval', '--retrieval-rounds', '/v1/responses', 'GET /v1/retrieve/:key']) expect(help.stdout).toContain(flag);
    const both = await headroom(['serve', '--redis', 'redis://127.0.0.1:6379', '--no-retrieval']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--redis and --no-retrieval contradict each other');
    const notUrl = await headroom(['serve', '--redis', 'localhost:6379']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('--redis must be a redis:// or rediss:// URL, got "localhost:6379"');
  });
});

describe('headroom explain', () => {
  it('lists kept lines with reasons and each omitted span with its marker, and writes the HTML page', async () => {
    const html = join(work, 'explain.html');
    const run = await headroom(['explain', logFile, '--max-block-tokens', '800', '--html', html]);
    expect(run.code).toBe(0);
    const compressed = await libraryOutput(LOG, { maxBlockTokens: 800 });
    // `[… the line above occurs 3 times in all …]` stands for no line of its own (the repeats it
    // counts are told by the markers where they stood): it is not listed.
    const markers = compressed.split('\n').filter((l) => l.startsWith('[…') && !l.startsWith('[… the line above occurs '));
    expect(markers.length).toBeGreaterThan(0);
    // Every marker of the output is shown next to the original lines it stands for.
    for (const marker of markers) expect(run.stdout).toMatch(new RegExp(`^ +lines? [\\d–]+ +(?:omitted|folded) +${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const errorLine = LOG.split('\n').findIndex((l) => l.includes('ERROR payment-worker')) + 1;
    expect(run.stdout).toMatch(new RegExp(`^ +line ${errorLine} +error +.*ERROR payment-worker`, 'm'));
    expect(run.stdout).toMatch(/^ +line \d+ +stack trace +at com\.shop\.payments\.Gateway\.charge/m);
    expect(run.stdout).toContain('reasons (inferred from the kept text):');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<!doctype html>');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(run.stderr).toContain(`headroom: wrote ${html}`);
  });

  it('--open hands the page to $BROWSER', async () => {
    const opened = join(work, 'opened.txt');
    const browser = join(work, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$1" > "${opened}"\n`, { mode: 0o755 });
    const run = await headroom(['explain', logFile, '--html', join(work, 'open.html'), '--open'], undefined, { BROWSER: browser });
    expect(run.code).toBe(0);
    for (let i = 0; i < 100; i++) {
      try {
        expect(readFileSync(opened, 'utf8').trim()).toBe(`file://${join(work, 'open.html')}`);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(readFileSync(opened, 'utf8').trim()).toBe(`file://${join(work, 'open.html')}`);
  });
});
