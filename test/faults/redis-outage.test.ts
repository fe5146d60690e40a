import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRuntime, renderVariant, scratchDir, type Runtime, type Store } from '../handle-store/generated.js';
import { ownRedis, type OwnRedis } from './redis-server.js';

/**
 * The generated Redis store against a redis-server this test starts, stops and starts again: an outage
 * becomes a tool error within the bound (default 3 s, never above 5 s) with one log line, not a hang or a
 * flood of "Unhandled error event"; calls work again once Redis is back.
 *
 * Most of this is waiting out timeouts, so the two languages run side by side (`describe.concurrent`), each
 * against a redis-server of its own, with their steps in order (`it.sequential`).
 */

const scratch = scratchDir('faults-redis');
afterAll(() => scratch.remove());

for (const language of ['ts', 'js'] as const) {
  describe.concurrent(`${language} store, Redis stopped and restarted mid-run`, () => {
    let redis: OwnRedis;
    let runtime: Runtime;
    let store: Store;
    const logged: string[] = [];

    beforeAll(async () => {
      redis = await ownRedis();
      await redis.start();
      runtime = await importRuntime(renderVariant(scratch.dir, { language, store: 'redis' }));
      store = runtime.createHandleStore({ backend: 'redis', url: redis.url, env: {}, onRedisError: (line) => logged.push(line) });
    });
    afterAll(async () => {
      await store?.close();
      await redis?.stop();
    });

    it.sequential('fails within the bound with one log line, and recovers when Redis returns', async () => {
      const carts = runtime.defineHandleKind<{ items: string[] }>({ name: 'cart', idParam: 'cart_id', creator: 'create_cart', ttlSeconds: 60, serializable: true });
      const id = await store.mint(carts, { items: [] }, 'alice');
      await store.update(carts, id, 'alice', (cart) => ({ items: [...cart.items, 'before the outage'] }));

      await redis.stop();
      const failures: number[] = [];
      for (let call = 0; call < 5; call++) {
        const started = performance.now();
        const error = await store.resolve(carts, id, 'alice').then(
          () => undefined,
          (caught: Error) => caught,
        );
        failures.push(performance.now() - started);
        expect(error?.name).toBe('HandleStoreUnavailableError');
        expect(runtime.handleErrorResult(error)).toMatchObject({ isError: true });
      }
      await expect(store.mint(carts, { items: [] }, 'alice')).rejects.toThrow(/handle store is unavailable/);
      expect(Math.max(...failures)).toBeLessThan(5_000);
      // ioredis reports the outage on its next reconnect attempt (within 2 s); it is logged once, however many calls fail.
      for (let waited = 0; logged.length === 0 && waited < 4_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(Array.from({ length: 3 }, () => store.resolve(carts, id, 'alice').catch(() => undefined)));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^handle store: Redis unreachable/);

      // Persistence is off, so the restarted Redis is empty: old handles are unknown, new ones work.
      await redis.start();
      const deadline = performance.now() + 10_000;
      let recovered: string | undefined;
      while (!recovered && performance.now() < deadline) {
        recovered = await store.mint(carts, { items: ['after'] }, 'alice').catch(() => undefined);
      }
      expect(recovered).toBeDefined();
      expect(await store.resolve(carts, recovered!, 'alice')).toEqual({ items: ['after'] });
      await expect(store.resolve(carts, id, 'alice')).rejects.toThrow(runtime.HandleError);
    }, 60_000);

    it.sequential('fails within the bound when Redis is down from the start', async () => {
      await redis.stop();
      const fresh = runtime.createHandleStore({ backend: 'redis', url: redis.url, env: {}, timeoutMs: 1_000, onRedisError: () => {} });
      const carts = runtime.defineHandleKind<number>({ name: 'down', idParam: 'down_id', creator: 'create_down', ttlSeconds: 60, serializable: true });
      const started = performance.now();
      await expect(fresh.mint(carts, 1, 'alice')).rejects.toThrow(/handle store is unavailable/);
      expect(performance.now() - started).toBeLessThan(2_500);
      await fresh.close();
    }, 30_000);
  });
}
