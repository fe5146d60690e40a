import { Socket } from 'node:net';

/** The Redis the handle-store, handle and generated-project tests use (REDIS_URL overrides it). */
const REDIS_URL = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * Stop at once, with the command that fixes it, when Redis is down: otherwise every Redis test retries its
 * connection until it times out, and the run prints minutes of client errors before failing anyway.
 */
export default async function requireRedis(): Promise<void> {
  const host = REDIS_URL.hostname || '127.0.0.1';
  const port = Number(REDIS_URL.port || 6379);
  if (await reachable(host, port, 2000)) return;
  throw new Error(
    [
      `Redis is not reachable at ${host}:${port}; the handle-store and generated-project tests use a real one.`,
      'Start it (nothing is persisted), then run the tests again:',
      `  redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no`,
      '(apt-get install redis-server if it is missing; or set REDIS_URL to a Redis you have.)',
    ].join('\n'),
  );
}
