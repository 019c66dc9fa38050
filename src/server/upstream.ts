// Calls to the upstream API and the way their answers go back: the caller's headers as given
// (auth included, never logged) less the hop-by-hop ones, and the upstream's status, headers and
// body bytes as they arrive, through a pipeline so a slow client slows the upstream read
// (backpressure) and a client that hangs up aborts the upstream request.

import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher } from 'undici';

/** Headers that describe one connection, not the message: never forwarded either way. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export class Upstream {
  readonly origin: string;
  private readonly prefix: string;

  constructor(
    base: string,
    private readonly dispatcher: Dispatcher,
  ) {
    const url = new URL(base);
    this.origin = url.origin;
    // A base with a path (a gateway's `/anthropic`) prefixes every request path. A base ending in
    // `/v1` (how OpenAI's SDKs spell their base URL) names the API version the paths already carry.
    this.prefix = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  }

  /**
   * Sends a request upstream: `body` replaces the caller's (its length is set anew). No timeouts of
   * our own: a long generation is the caller's to wait for, and a caller that hangs up aborts it.
   */
  send(method: string, pathAndQuery: string, headers: IncomingHttpHeaders, body: Buffer | string | undefined, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name === 'host' || name === 'content-length' || name === 'expect') continue;
      out[name] = value;
    }
    if (body !== undefined) out['content-length'] = String(Buffer.byteLength(body));
    return this.dispatcher.request({
      origin: this.origin,
      path: this.prefix + pathAndQuery,
      method: method as Dispatcher.HttpMethod,
      headers: out,
      body: body ?? null,
      signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }
}

/** One connection pool for all upstream calls of a server. */
export function upstreamAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, connections: null });
}

/** Writes the upstream's answer to the caller: status, headers less hop-by-hop ones, then the body as it arrives. */
export async function relay(answer: Dispatcher.ResponseData, res: ServerResponse, closing: boolean): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  if (closing) headers['connection'] = 'close';
  res.writeHead(answer.statusCode, headers);
  // An event stream's first bytes may be a while coming: the caller gets the headers now.
  res.flushHeaders();
  try {
    await pipeline(answer.body, res);
  } catch {
    // The caller hung up (the pipeline destroyed the upstream body, which aborts that request) or
    // the upstream broke off mid-body (the caller's connection is closed, as the upstream's was).
  }
}

/** An AbortSignal that fires when the caller goes away before its response is complete. */
export function callerGone(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  req.once('error', () => controller.abort());
  return controller.signal;
}
