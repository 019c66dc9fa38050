// A real Redis for the tests that need one: Debian's redis-server, started on a free loopback port
// with no persistence, stopped at the end. When it is not installed or does not start, `startRedis`
// says why and the tests that need it skip, naming the reason.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export type RedisStart = { ok: true; server: RedisServer } | { ok: false; reason: string };

/** A port nothing listens on right now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export async function startRedis(): Promise<RedisStart> {
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    return { ok: false, reason: 'redis-server is not installed (apt-get install -y redis-server)' };
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Up to 5 s for it to accept connections.
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) return { ok: false, reason: `redis-server exited at start: ${stderr.trim()}` };
    if (await accepts(port)) {
      return {
        ok: true,
        server: {
          url: `redis://127.0.0.1:${port}`,
          port,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  return { ok: false, reason: `redis-server did not accept connections on port ${port} within 5 s` };
}
