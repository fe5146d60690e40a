import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The real Redis every handle-store test runs against. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other run shares, so tests only ever see and flush their own keys. */
export function uniquePrefix(label: string): string {
  return `mcp-sessionless-test:${label}:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** An inspection client: reads keys behind the store's back and deletes a prefix when done. */
export function inspector(): { redis: Redis; keys(prefix: string): Promise<string[]>; flush(prefix: string): Promise<void>; close(): Promise<void> } {
  const redis = new Redis(REDIS_URL);
  const keys = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return found.sort();
  };
  return {
    redis,
    keys,
    async flush(prefix) {
      const found = await keys(prefix);
      if (found.length > 0) await redis.del(...found);
    },
    async close() {
      await redis.quit();
    },
  };
}
