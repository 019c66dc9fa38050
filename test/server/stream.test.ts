// Streams through `headroom serve`: a caller that stops reading slows the upstream down
// (backpressure, nothing buffered without bound), every byte still arrives; SIGTERM stops new
// connections while a stream in flight finishes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback upstream whose /v1/messages answers with `stream(res)`. */
async function upstream(stream: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      stream(res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Starts a streaming Messages request; the response is handed over as soon as its headers arrive. */
function streamingRequest(base: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'k' } }, resolve);
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'claude-sonnet-4-5-20250929', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('streaming through the server', () => {
  it('applies backpressure to the upstream when the caller stops reading, and delivers every byte', async () => {
    const CHUNK = 64 * 1024;
    const TOTAL_CHUNKS = 1024; // 64 MiB: far more than every socket and stream buffer on the way
    let written = 0;
    const sent = createHash('sha256');
    const base = await upstream((res) => {
      let k = 0;
      const pump = (): void => {
        while (k < TOTAL_CHUNKS) {
          const chunk = Buffer.alloc(CHUNK, `event: content_block_delta\ndata: {"n":${k}}\n\n`);
          sent.update(chunk);
          written += chunk.length;
          k++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const server = await startServer({ port: 0, upstream: base });
    try {
      const res = await streamingRequest(server.url);
      res.pause();
      // Wait (bounded) until the upstream can write no more: everything between is full.
      let last = -1;
      for (let i = 0; i < 100 && written !== last; i++) {
        last = written;
        await sleep(100);
      }
      expect(written).toBeLessThan(TOTAL_CHUNKS * CHUNK / 2);
      const received = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        received.update(c);
        bytes += c.length;
      });
      res.resume();
      await once(res, 'end');
      expect(bytes).toBe(TOTAL_CHUNKS * CHUNK);
      expect(received.digest('hex')).toBe(sent.digest('hex'));
    } finally {
      await server.close();
    }
  });

  it('drains on SIGTERM: no new connections, the stream in flight finishes, exit code 0', async () => {
    let finish: (() => void) | undefined;
    const events = ['event: message_start\ndata: {"type":"message_start"}\n\n', 'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n', 'event: message_stop\ndata: {"type":"message_stop"}\n\n'];
    const base = await upstream((res) => {
      res.write(events[0]);
      finish = () => {
        res.write(events[1]);
        res.end(events[2]);
      };
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--upstream', base], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = once(child, 'exit');
    try {
      for (let i = 0; i < 300 && !/listening on (\S+)/.test(stderr); i++) await sleep(50);
      const url = /listening on (\S+)/.exec(stderr)?.[1];
      expect(url, stderr).toBeDefined();
      const res = await streamingRequest(url!);
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      for (let i = 0; i < 100 && body === ''; i++) await sleep(20);
      expect(body).toBe(events[0]);

      child.kill('SIGTERM');
      const { port } = new URL(url!);
      const refused = async (): Promise<boolean> =>
        new Promise((r) => {
          const socket = connect(Number(port), '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), r(false)));
          socket.once('error', () => r(true));
        });
      let closed = false;
      for (let i = 0; i < 100 && !(closed = await refused()); i++) await sleep(20);
      expect(closed).toBe(true);
      expect(child.exitCode).toBeNull(); // still serving the stream in flight

      finish!();
      await once(res, 'end');
      expect(body).toBe(events.join(''));
      const [code] = await exited;
      expect(code).toBe(0);
      expect(stderr).toContain('SIGTERM: no new connections');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
