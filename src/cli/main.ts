#!/usr/bin/env node
// The `headroom` command: `compress` and `explain` for a file or stdin, `serve` for an HTTP server
// that base-URL clients (Claude Code, OpenAI clients in any language) can point at.

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { engineInfo } from '../index.js';
import { explain } from '../explain/explain.js';
import { htmlReport } from '../explain/html.js';
import { textReport } from '../explain/report.js';
import { kindsSummary, type BaseOptions } from '../server/request.js';
import {
  DEFAULT_ANTHROPIC_UPSTREAM,
  DEFAULT_HOST,
  DEFAULT_MAX_BODY,
  DEFAULT_OPENAI_UPSTREAM,
  DEFAULT_PORT,
  startServer,
} from '../server/server.js';
import { DEFAULT_MAX_RETRIEVAL_ROUNDS, storeReady } from '../server/retrieval.js';
import { RedisStore } from '../retrieval/redis.js';
import { classify, compressInput, readSource } from './input.js';

const USAGE = `Usage:
  headroom compress [file|-] [--json] [--max-block-tokens N] [--min-tokens N] [--query TEXT] [--model ID]
      Compress raw tool output, or a JSON request (Anthropic or OpenAI format). The result goes to
      stdout, a one-line summary to stderr; --json prints the whole result.
  headroom explain <file|-> [--html out.html] [--open] [--max-block-tokens N] [--min-tokens N] [--query TEXT] [--model ID]
      Show what was kept and why, what was left out and its marker, tokens by reason.
  headroom serve [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}] [--upstream ${DEFAULT_ANTHROPIC_UPSTREAM}]
                 [--openai-upstream ${DEFAULT_OPENAI_UPSTREAM}] [--max-body 32mb] [--max-block-tokens N] [--min-tokens N]
                 [--redis redis://host:6379 | --no-retrieval] [--retrieval-rounds ${DEFAULT_MAX_RETRIEVAL_ROUNDS}] [--quiet]
      An HTTP server: POST /v1/messages, /v1/chat/completions, /v1/responses (compressed, then
      forwarded), /v1/compress, GET /v1/retrieve/:key, /healthz, /metrics. Point Claude Code at it
      with ANTHROPIC_BASE_URL=http://127.0.0.1:${DEFAULT_PORT}.
      Retrieval is on: originals of lossy blocks are kept (in memory; --redis shares them between
      instances), markers name their key, and the server answers the model's headroom_retrieve
      calls itself, up to --retrieval-rounds rounds per request. --no-retrieval turns it off.
  headroom --version`;

/** A mistake in the command line: usage on stderr, exit code 2. */
class UsageError extends Error {}

const COMPRESS_FLAGS = {
  'max-block-tokens': { type: 'string' },
  'min-tokens': { type: 'string' },
  query: { type: 'string' },
  model: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** A token count flag: a non-negative integer, or `Infinity`/`inf` where allowed. */
function tokensFlag(name: string, value: string | undefined, infinite: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (infinite && /^(inf|infinity)$/i.test(value)) return Infinity;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number${infinite ? ' or Infinity' : ''}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `32mb`, `512k`, `1048576`: a size in bytes (k, m, g are powers of 1024). */
export function sizeFlag(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(value.trim());
  if (m === null) throw new UsageError(`--${name} must be a size such as 32mb, 512kb or 1048576, got ${JSON.stringify(value)}`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * scale);
}

function compressOptions(values: { [K in keyof typeof COMPRESS_FLAGS]?: string | undefined }): BaseOptions {
  const options: BaseOptions = {};
  const max = tokensFlag('max-block-tokens', values['max-block-tokens'], true);
  const min = tokensFlag('min-tokens', values['min-tokens'], false);
  if (max !== undefined) {
    if (max < 1) throw new UsageError('--max-block-tokens must be at least 1');
    options.maxBlockTokens = max;
  }
  if (min !== undefined) options.minTokens = min;
  if (values.query !== undefined) options.query = values.query;
  if (values.model !== undefined) options.model = values.model;
  return options;
}

/** The one source a verb reads: a path, `-`, or stdin when nothing is given and stdin is not a terminal. */
function sourceArg(positionals: string[], verb: string, required: boolean): string {
  if (positionals.length > 1) throw new UsageError(`${verb} takes one file, got ${positionals.length}`);
  const path = positionals[0];
  if (path !== undefined) return path;
  if (required || process.stdin.isTTY) throw new UsageError(`${verb} needs a file (or - for stdin)`);
  return '-';
}

async function compressVerb(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { ...COMPRESS_FLAGS, json: { type: 'boolean' } });
  const options = compressOptions(values);
  const input = classify(await readSource(sourceArg(positionals, 'compress', false)));
  const { output, result } = await compressInput(input, options);
  if (values.json === true) {
    process.stdout.write(JSON.stringify({ output, ...result }, null, 2) + '\n');
  } else {
    process.stdout.write(output.endsWith('\n') || output === '' ? output : output + '\n');
  }
  const saved = result.tokensBefore === 0 ? '0.0' : ((100 * result.tokensSaved) / result.tokensBefore).toFixed(1);
  const failures = result.failures.length === 0 ? '' : `, ${result.failures.length} block(s) left untouched: ${result.failures.map((f) => f.reason).join(', ')}`;
  process.stderr.write(
    `headroom: ${result.tokensBefore} → ${result.tokensAfter} tokens (${saved} % saved), ${kindsSummary(result)}, ${result.engine}, ${result.durationMs.toFixed(1)} ms${failures}\n`,
  );
}

async function explainVerb(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { ...COMPRESS_FLAGS, html: { type: 'string' }, open: { type: 'boolean' } });
  const options = compressOptions(values);
  const path = sourceArg(positionals, 'explain', true);
  const input = classify(await readSource(path));
  const { result, messages, source } = await compressInput(input, options);
  const explanation = explain(messages, result, source, options.query);
  const name = path === '-' ? 'stdin' : path;
  process.stdout.write(textReport(explanation, name));
  if (values.html === undefined && values.open !== true) return;
  const file = resolve(values.html ?? join(tmpdir(), `headroom-explain-${process.pid}.html`));
  await writeFile(file, htmlReport(explanation, name));
  process.stderr.write(`headroom: wrote ${file}\n`);
  if (values.open === true) openInBrowser(file);
}

/** Opens a file with `$BROWSER`, else the platform's opener; never waits for it. */
function openInBrowser(file: string): void {
  const url = pathToFileURL(file).href;
  const browser = process.env['BROWSER'];
  const [cmd, args] =
    browser !== undefined && browser !== ''
      ? [browser, [url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '', url]]
          : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', (err) => process.stderr.write(`headroom: could not open a browser (${cmd}: ${err.message}); open ${url} yourself\n`));
  child.unref();
}

/** A URL without its password, for the log. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'the given URL';
  }
}

async function serveVerb(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    upstream: { type: 'string' },
    'openai-upstream': { type: 'string' },
    'max-body': { type: 'string' },
    'max-block-tokens': { type: 'string' },
    'min-tokens': { type: 'string' },
    redis: { type: 'string' },
    'no-retrieval': { type: 'boolean' },
    'retrieval-rounds': { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`serve takes no file, got ${positionals.join(' ')}`);
  if (values.redis !== undefined && values['no-retrieval'] === true) throw new UsageError('--redis and --no-retrieval contradict each other');
  if (values.redis !== undefined && !/^rediss?:\/\/./.test(values.redis)) throw new UsageError(`--redis must be a redis:// or rediss:// URL, got ${JSON.stringify(values.redis)}`);
  const rounds = tokensFlag('retrieval-rounds', values['retrieval-rounds'], false);
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(values.port)}`);
  for (const flag of ['upstream', 'openai-upstream'] as const) {
    const url = values[flag];
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--${flag} must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  const log = values.quiet === true ? undefined : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  // A Redis that is down does not stop the server: compression goes on without retrieval keys.
  const redis = values.redis === undefined ? undefined : new RedisStore({ url: values.redis });
  if (redis !== undefined && !(await storeReady(redis, 5000))) {
    process.stderr.write(`headroom serve: Redis at ${redactedUrl(values.redis!)} does not answer yet; serving without retrieval keys until it does\n`);
  }
  const server = await startServer({
    ...(values['no-retrieval'] === true ? { retrieval: false as const } : redis === undefined ? {} : { retrieval: redis }),
    ...(rounds === undefined ? {} : { maxRetrievalRounds: rounds }),
    host: values.host ?? DEFAULT_HOST,
    port,
    ...(values.upstream === undefined ? {} : { upstream: values.upstream }),
    ...(values['openai-upstream'] === undefined ? {} : { openaiUpstream: values['openai-upstream'] }),
    maxBody: values['max-body'] === undefined ? DEFAULT_MAX_BODY : sizeFlag('max-body', values['max-body']),
    compress: compressOptions({ 'max-block-tokens': values['max-block-tokens'], 'min-tokens': values['min-tokens'] }),
    ...(log === undefined ? {} : { log }),
  });
  // The first line says where it listens (tests and scripts read it), whatever --quiet says.
  const store = values['no-retrieval'] === true ? 'retrieval off' : redis === undefined ? 'retrieval: in-memory store' : `retrieval: Redis at ${redactedUrl(values.redis!)}`;
  process.stderr.write(`headroom serve: listening on ${server.url} (${engineInfo().engine} engine)\nheadroom serve: ${store}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`headroom serve: ${signal}: no new connections; finishing requests in flight\n`);
    server.close().then(
      async () => {
        await redis?.close();
        process.stderr.write('headroom serve: stopped\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`headroom serve: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'compress':
        await compressVerb(rest);
        return 0;
      case 'explain':
        await explainVerb(rest);
        return 0;
      case 'serve':
        await serveVerb(rest);
        return 0;
      case '--version':
      case '-v':
        process.stdout.write(`${engineInfo().version}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE + '\n');
        return verb === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(verb)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`headroom: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      process.stderr.write(`headroom: ${(err as Error).message}\n`);
      return 1;
    }
    if (code === 'EADDRINUSE') {
      process.stderr.write(`headroom serve: the address is in use (${(err as Error).message}); pick another with --port\n`);
      return 1;
    }
    throw err;
  }
}

// No top-level await: the package stays loadable through require(esm).
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`headroom: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
