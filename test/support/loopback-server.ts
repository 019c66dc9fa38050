// What the local API servers of the end-to-end tests share: a loopback HTTP server on a free port
// that records every request (method, path, headers, the raw body and its JSON) before the
// subclass answers it, and the scripted errors the next API call answers with.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  /** The raw body text, byte for byte as sent. */
  raw: string;
  body: unknown;
}

export interface ScriptedError {
  status: number;
  type: string;
  message: string;
}

export abstract class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  protected readonly errors: ScriptedError[] = [];
  private server: Server | undefined;
  /** `http://127.0.0.1:<port>` and the path prefix the SDK expects in its baseURL. */
  baseURL = '';

  constructor(private readonly prefix = '') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.receive(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next API call answers with this error. */
  failNext(error: ScriptedError): void {
    this.errors.push(error);
  }

  /** Forgets the requests and the scripted answers (before each test). */
  reset(): void {
    this.requests.length = 0;
    this.errors.length = 0;
  }

  /** Recorded requests to a path (query string excluded). */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  protected abstract answer(request: RecordedRequest, res: ServerResponse): void;

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const request = { method: req.method ?? 'GET', path: url.pathname, query: url.search, headers: req.headers, raw, body: raw === '' ? undefined : (JSON.parse(raw) as unknown) };
    this.requests.push(request);
    this.answer(request, res);
  }
}

/** Runs `server` for the test file that calls this, reset before each test. */
export function serveDuringTests<T extends LoopbackServer>(server: T): T {
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => server.reset());
  return server;
}
