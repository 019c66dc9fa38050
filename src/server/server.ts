// `headroom serve`: an HTTP server that any base-URL client can use. Anthropic Messages and OpenAI
// chat completions are compressed and forwarded with the caller's own headers; answers (JSON or
// event streams) come back as the upstream sent them. `/v1/compress` speaks the original Headroom
// proxy's protocol; the Responses API's input is compressed as chat is. With retrieval on (the
// default), the originals of lossy blocks go into a store, the model gets `headroom_retrieve`, and
// the server answers its calls (rounds.ts). The server keeps no state between requests but that
// store, so with a shared one (Redis) any number of instances can stand behind one load balancer.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { compress, engineInfo, type CompressResult, type OpenAIMessage } from '../index.js';
import { compressWith, processEnv } from '../compress.js';
import { responsesView } from '../messages/responses.js';
import { decodeRecord, KEY_PATTERN } from '../retrieval/key.js';
import { MemoryStore, type Store } from '../retrieval/store.js';
import { declaresRetrieval } from '../retrieval/tool.js';
import { errorBody, type ApiFlavor } from './errors.js';
import { ServerMetrics } from './metrics.js';
import { asApiRequest, betaHeader, compressRequest, isObj, kindsSummary, requestOptions, type BaseOptions } from './request.js';
import { RETRIEVAL_OFF, ServerRetrieval } from './retrieval.js';
import { answerRounds } from './rounds.js';
import { callerGone, relay, Upstream, upstreamAgent } from './upstream.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
export const DEFAULT_ANTHROPIC_UPSTREAM = 'https://api.anthropic.com';
export const DEFAULT_OPENAI_UPSTREAM = 'https://api.openai.com';
/** Request bodies above this many bytes are refused with 413. */
export const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
/** How long `close()` waits for in-flight requests before cutting their connections. */
export const DEFAULT_DRAIN_MS = 30_000;

export interface ServeOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where Anthropic requests go (default https://api.anthropic.com). */
  upstream?: string;
  /** Where OpenAI requests go (default https://api.openai.com). */
  openaiUpstream?: string;
  /** Largest accepted request body in bytes (default 32 MiB). */
  maxBody?: number;
  /** Compression settings applied to every request. */
  compress?: BaseOptions;
  /** One line per request (method, path, status, time, tokens): never headers or bodies. */
  log?: (line: string) => void;
  /**
   * Where the originals of lossy blocks are kept (default: a MemoryStore of 64 MiB; a RedisStore for
   * several instances). `false` turns retrieval off: markers name no key, no tool is offered.
   */
  retrieval?: Store | false;
  /** Rounds of `headroom_retrieve` calls the server answers per request (default 3). */
  maxRetrievalRounds?: number;
  /** How long an original is kept after the last request that sent its block (default 1 hour). */
  retrievalTtlMs?: number;
  /** How long `close()` lets in-flight requests finish (default 30 s). */
  drainTimeoutMs?: number;
}

export interface HeadroomServer {
  /** `http://host:port`, for clients' base URLs. */
  readonly url: string;
  readonly port: number;
  readonly metrics: ServerMetrics;
  /** Stops accepting, lets in-flight requests (streams included) finish, then closes. */
  close(): Promise<void>;
}

class TooLarge extends Error {}

/** Starts a server; resolves once it listens. */
export async function startServer(options: ServeOptions = {}): Promise<HeadroomServer> {
  const agent = upstreamAgent();
  const anthropic = new Upstream(options.upstream ?? DEFAULT_ANTHROPIC_UPSTREAM, agent);
  const openai = new Upstream(options.openaiUpstream ?? DEFAULT_OPENAI_UPSTREAM, agent);
  const maxBody = options.maxBody ?? DEFAULT_MAX_BODY;
  const base = options.compress ?? {};
  const log = options.log ?? (() => {});
  const metrics = new ServerMetrics();
  const retrieval =
    options.retrieval === false
      ? undefined
      : new ServerRetrieval({
          store: options.retrieval ?? new MemoryStore(),
          ...(options.maxRetrievalRounds === undefined ? {} : { maxRounds: options.maxRetrievalRounds }),
          ...(options.retrievalTtlMs === undefined ? {} : { ttlMs: options.retrievalTtlMs }),
        });
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const server: Server = createServer((req, res) => {
    inFlight++;
    metrics.inFlight.inc({}, 1);
    const started = performance.now();
    const note: RequestNote = { route: 'other' };
    res.once('close', () => {
      inFlight--;
      metrics.inFlight.inc({}, -1);
      metrics.requests.inc({ route: note.route, status: String(res.statusCode) });
      const ms = (performance.now() - started).toFixed(1);
      const tokens = note.result === undefined ? '' : ` tokens ${note.result.tokensBefore}→${note.result.tokensAfter} (${kindsSummary(note.result)})`;
      log(`${req.method} ${pathOf(req)} ${res.statusCode} ${ms}ms${tokens}${res.writableFinished ? '' : ' (caller went away)'}`);
      if (closing && inFlight === 0) drained?.();
    });
    route(req, res, note).catch((err: unknown) => {
      // A bug of ours, not the caller's: answer 500 if nothing was sent yet.
      log(`internal error on ${req.method} ${pathOf(req)}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendError(res, flavorOf(req), 500, 'internal error in headroom');
      else res.destroy();
    });
  });
  // Generations can take minutes before their first byte: no request timeout of our own.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  interface RequestNote {
    route: string;
    result?: CompressResult;
  }

  async function route(req: IncomingMessage, res: ServerResponse, note: RequestNote): Promise<void> {
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    const is = (m: string, p: string): boolean => method === m && path === p;
    if (is('GET', '/healthz')) {
      note.route = 'healthz';
      return sendJson(res, 200, { status: closing ? 'draining' : 'ok', engine: engineInfo().engine, version: engineInfo().version });
    }
    if (is('GET', '/metrics')) {
      note.route = 'metrics';
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
      return;
    }
    if (is('POST', '/v1/messages')) return proxyCompressed(req, res, note, 'anthropic', anthropic, 'messages');
    if (is('POST', '/v1/chat/completions')) return proxyCompressed(req, res, note, 'openai', openai, 'chat_completions');
    if (is('POST', '/v1/compress')) return compressEndpoint(req, res, note);
    if (is('POST', '/v1/responses')) return proxyResponses(req, res, note);
    if (path.startsWith('/v1/messages/')) return passThrough(req, res, note, anthropic, 'messages_other');
    if (path === '/v1/responses' || path.startsWith('/v1/responses/')) return passThrough(req, res, note, openai, 'responses_other');
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      return passThrough(req, res, note, flavorOf(req) === 'anthropic' ? anthropic : openai, 'models');
    }
    if (method === 'GET' && path.startsWith('/v1/retrieve/')) return retrieveOriginal(res, note, safeDecode(path.slice('/v1/retrieve/'.length)));
    const known = ['/healthz', '/metrics', '/v1/messages', '/v1/chat/completions', '/v1/compress'].includes(path);
    note.route = known ? 'wrong_method' : 'not_found';
    await discard(req);
    sendError(res, flavorOf(req), known ? 405 : 404, known ? `${method} is not allowed on ${path}` : `no route for ${method} ${path}`);
  }

  /** Reads the body, compresses the conversation in it, forwards, relays the answer. */
  async function proxyCompressed(req: IncomingMessage, res: ServerResponse, note: RequestNote, flavor: ApiFlavor, upstream: Upstream, name: string): Promise<void> {
    note.route = name;
    const raw = await readOrRefuse(req, res, flavor);
    if (raw === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return sendError(res, flavor, 400, `the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    let payload: Buffer | string = raw;
    const request = asApiRequest(parsed, flavor);
    /** The body sent, when the server offered the retrieval tool and answers its calls. */
    let answering: Record<string, unknown> | undefined;
    // A body without a conversation goes on as sent: the upstream says what is wrong with it.
    if (request !== undefined && !Array.isArray(parsed)) {
      const t0 = performance.now();
      try {
        // A client that declares the tool itself answers its calls itself: the server keeps out.
        const serving = retrieval !== undefined && !(Array.isArray(request.body['tools']) && request.body['tools'].some(declaresRetrieval));
        // Retrieval calls the client was handed (a mixed turn) get their answers before anything else.
        const messages = serving ? await retrieval.pending.supply(request.messages, flavor) : request.messages;
        const out = await compressRequest(
          { ...request, messages },
          base,
          flavor === 'anthropic' ? betaHeader(req.headers['anthropic-beta']) : [],
          serving ? retrieval.compressOptions() : undefined,
        );
        note.result = out.result;
        account(out.result, name);
        let body: Record<string, unknown> | undefined = out.changed || messages !== request.messages ? { ...request.body, messages: out.result.messages } : undefined;
        const offered = out.result.retrieval;
        if (offered?.error !== undefined) {
          // Fail open: those blocks went without their keys.
          metrics.failures.inc({ reason: 'store' });
          log(`retrieval store refused ${offered.unstored} original(s): ${offered.error}`);
        }
        if (offered !== undefined && offered.keys.length > 0) {
          body = { ...(body ?? request.body), tools: offered.withTool(Array.isArray(request.body['tools']) ? (request.body['tools'] as unknown[]) : undefined) };
          answering = body;
        }
        if (body !== undefined) payload = JSON.stringify(body);
      } catch (err) {
        // Fail open: the request goes on uncompressed.
        metrics.failures.inc({ reason: 'compress_error' });
        log(`compression skipped on ${req.method} ${pathOf(req)}: ${err instanceof Error ? err.message : String(err)}`);
      }
      metrics.compression.observe((performance.now() - t0) / 1000, { route: name });
    }
    if (answering === undefined || retrieval === undefined) return forward(req, res, flavor, upstream, payload, name);
    // The answers are read whole to see whether they are retrieval rounds: plain bytes, never gzip.
    const headers = { ...req.headers, 'accept-encoding': 'identity' };
    const signal = callerGone(req, res);
    const send = async (body: string): Promise<Dispatcher.ResponseData> => {
      const t0 = performance.now();
      const answer = await upstream.send('POST', req.url ?? '/', headers, body, signal);
      metrics.upstream.observe((performance.now() - t0) / 1000, { route: name });
      return answer;
    };
    let first: Dispatcher.ResponseData;
    try {
      first = await send(payload.toString());
    } catch (err) {
      if (res.destroyed) return;
      metrics.failures.inc({ reason: 'upstream' });
      return sendError(res, flavor, 502, `headroom could not reach the upstream API at ${upstream.origin}: ${err instanceof Error ? err.message : String(err)}`);
    }
    await answerRounds({
      flavor,
      body: answering,
      first,
      send,
      res,
      retrieval,
      closing,
      onRound: (calls) => metrics.retrievalRounds.inc({}, calls),
    });
  }

  /** `POST /v1/responses`: the input's tool output and large text compressed as chat; the rest as sent. */
  async function proxyResponses(req: IncomingMessage, res: ServerResponse, note: RequestNote): Promise<void> {
    note.route = 'responses';
    const raw = await readOrRefuse(req, res, 'openai');
    if (raw === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return sendError(res, 'openai', 400, `the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    let payload: Buffer | string = raw;
    const view = isObj(parsed) ? responsesView(parsed['input']) : undefined;
    if (isObj(parsed) && view !== undefined && view.messages.length > 0) {
      const t0 = performance.now();
      try {
        // Model, instructions, tools and the response budget count as chat's do. A
        // previous_response_id chain stays as it is: the earlier turns live upstream, only the new
        // input is here, and it never drops turns (its items have no place for that marker).
        const options = requestOptions({ format: 'openai', body: parsed, messages: view.messages }, base);
        const instructions = parsed['instructions'];
        if (typeof instructions === 'string') options.system = instructions;
        if (typeof parsed['max_output_tokens'] === 'number') options.maxTokens = parsed['max_output_tokens'];
        const result = await compressWith(processEnv(), view.messages, options, { keepTurns: true });
        note.result = result;
        account(result, 'responses');
        if (result.messages.some((m, i) => m !== view.messages[i])) {
          const items = view.rebuild(result.messages);
          payload = JSON.stringify({ ...parsed, input: typeof parsed['input'] === 'string' ? items[0] : items });
        }
      } catch (err) {
        metrics.failures.inc({ reason: 'compress_error' });
        log(`compression skipped on ${req.method} ${pathOf(req)}: ${err instanceof Error ? err.message : String(err)}`);
      }
      metrics.compression.observe((performance.now() - t0) / 1000, { route: 'responses' });
    }
    await forward(req, res, 'openai', openai, payload, 'responses');
  }

  async function passThrough(req: IncomingMessage, res: ServerResponse, note: RequestNote, upstream: Upstream, name: string): Promise<void> {
    note.route = name;
    const flavor = flavorOf(req);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const raw = hasBody ? await readOrRefuse(req, res, flavor) : undefined;
    if (hasBody && raw === undefined) return;
    await forward(req, res, flavor, upstream, raw, name);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, flavor: ApiFlavor, upstream: Upstream, body: Buffer | string | undefined, name: string): Promise<void> {
    const t0 = performance.now();
    let answer;
    try {
      answer = await upstream.send(req.method ?? 'GET', req.url ?? '/', req.headers, body, callerGone(req, res));
    } catch (err) {
      if (res.destroyed) return;
      metrics.failures.inc({ reason: 'upstream' });
      // The message names the upstream and the error, never a header.
      return sendError(res, flavor, 502, `headroom could not reach the upstream API at ${upstream.origin}: ${err instanceof Error ? err.message : String(err)}`);
    }
    metrics.upstream.observe((performance.now() - t0) / 1000, { route: name });
    await relay(answer, res, closing);
  }

  /** `POST /v1/compress`: `{ model, messages }` (OpenAI format) → the compressed messages and counts. */
  async function compressEndpoint(req: IncomingMessage, res: ServerResponse, note: RequestNote): Promise<void> {
    note.route = 'compress';
    const raw = await readOrRefuse(req, res, 'openai');
    if (raw === undefined) return;
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return sendError(res, 'openai', 400, `the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!isObj(body) || !Array.isArray(body['messages'])) return sendError(res, 'openai', 400, 'messages must be an array of OpenAI chat messages');
    const t0 = performance.now();
    let result: CompressResult<OpenAIMessage>;
    try {
      result = await compress(body['messages'] as OpenAIMessage[], {
        ...base,
        format: 'openai',
        ...(base.model === undefined && typeof body['model'] === 'string' ? { model: body['model'] } : {}),
        ...retrieval?.compressOptions(),
      });
    } catch (err) {
      // compress() names the argument that is wrong: the caller's mistake.
      return sendError(res, 'openai', 400, err instanceof Error ? err.message : String(err));
    }
    metrics.compression.observe((performance.now() - t0) / 1000, { route: 'compress' });
    note.result = result;
    account(result, 'compress');
    sendJson(res, 200, {
      messages: result.messages,
      tokens_before: result.tokensBefore,
      tokens_after: result.tokensAfter,
      tokens_saved: result.tokensSaved,
      compression_ratio: result.compressionRatio,
      transforms_applied: result.transformsApplied,
      transforms_summary: transformsSummary(result),
      // The retrieval keys of the lossy blocks (GET /v1/retrieve/:key reads them back).
      ccr_hashes: result.retrieval?.keys ?? [],
    });
  }

  /** `GET /v1/retrieve/:key`: `{ key, kind, content }`, the whole original, for clients that answer calls themselves. */
  async function retrieveOriginal(res: ServerResponse, note: RequestNote, key: string): Promise<void> {
    note.route = 'retrieve';
    if (retrieval === undefined) return sendJson(res, 404, { error: { type: 'not_found_error', message: RETRIEVAL_OFF } });
    let record: string | undefined;
    try {
      record = KEY_PATTERN.test(key) ? await retrieval.store.get(key) : undefined;
    } catch (err) {
      metrics.failures.inc({ reason: 'store' });
      return sendJson(res, 503, { error: { type: 'unavailable', message: `the retrieval store cannot be read: ${err instanceof Error ? err.message : String(err)}` } });
    }
    const block = record === undefined ? undefined : decodeRecord(record);
    if (block === undefined) return sendJson(res, 404, { error: { type: 'not_found_error', message: `no original is kept under ${key} (expired, or never stored)` } });
    sendJson(res, 200, { key, kind: block.kind, content: block.content });
  }

  function account(result: CompressResult, name: string): void {
    metrics.requestTokensBefore.inc({ route: name }, result.tokensBefore);
    metrics.requestTokensAfter.inc({ route: name }, result.tokensAfter);
    for (const b of result.blocks) {
      metrics.tokensBefore.inc({ kind: b.kind }, b.tokensBefore);
      metrics.tokensAfter.inc({ kind: b.kind }, b.tokensAfter);
    }
    for (const f of result.failures) metrics.failures.inc({ reason: f.reason });
  }

  /** The body, or undefined after answering 413 for one over `maxBody`. */
  async function readOrRefuse(req: IncomingMessage, res: ServerResponse, flavor: ApiFlavor): Promise<Buffer | undefined> {
    try {
      return await readBody(req, maxBody);
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      res.setHeader('connection', 'close');
      sendError(res, flavor, 413, `the request body is larger than this server accepts (${maxBody} bytes; see --max-body)`);
      return undefined;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    metrics,
    async close(): Promise<void> {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const done = new Promise<void>((resolve) => (drained = resolve));
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.drainTimeoutMs ?? DEFAULT_DRAIN_MS)));
        await Promise.race([done, late]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await stopped;
      await agent.close();
    },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Anthropic's SDKs always send `anthropic-version`; OpenAI's never do. */
function flavorOf(req: IncomingMessage): ApiFlavor {
  if (req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined) return 'anthropic';
  const path = pathOf(req);
  if (path.startsWith('/v1/chat/') || path.startsWith('/v1/responses')) return 'openai';
  return req.headers['authorization'] !== undefined ? 'openai' : 'anthropic';
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, flavor: ApiFlavor, status: number, message: string): void {
  const text = errorBody(flavor, status, message);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The whole body; throws TooLarge past `max` bytes (declared or received), leaving the rest unread. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    void discard(req);
    throw new TooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      void discard(req);
      throw new TooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Reads and drops what is left of a body (bounded), so the answer reaches a caller still sending. */
async function discard(req: IncomingMessage): Promise<void> {
  const limit = 256 * 1024 * 1024;
  let seen = 0;
  try {
    for await (const chunk of req) {
      seen += (chunk as Buffer).length;
      if (seen > limit) {
        req.destroy();
        return;
      }
    }
  } catch {
    // The caller went away.
  }
}

/** `transforms_summary` of `/v1/compress`: what was done to how many blocks. */
function transformsSummary(result: CompressResult): string {
  if (result.blocks.length === 0) return `nothing compressed (${result.tokensBefore} tokens)`;
  const strategies = new Map<string, number>();
  for (const b of result.blocks) strategies.set(b.strategy, (strategies.get(b.strategy) ?? 0) + 1);
  const list = [...strategies].map(([s, n]) => (n === 1 ? s : `${s}×${n}`)).join(', ');
  const blocks = result.blocks.length === 1 ? '1 block' : `${result.blocks.length} blocks`;
  return `${blocks} compressed (${list}): ${result.tokensBefore} → ${result.tokensAfter} tokens`;
}
