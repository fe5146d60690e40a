import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStateToHandlesTransform } from '../../transforms/session-state-to-handles.js';
import { buildCase, connectHttp, deleteRedisKeys, redisPrefix, startHttp, textOf, type Built, type E2ECase, type HttpServer } from '../handles/e2e/support.js';

/**
 * 200 concurrent updates of one handle through the code migrate generates (cart-v2: `add_item` pushes a
 * line), served over real HTTP by one process, with the memory store and with the real Redis: none lost.
 */

const CART: E2ECase = {
  transform: sessionStateToHandlesTransform,
  fixture: 'cart-v2',
  sdk: 'v2',
  http: { module: 'src/server.ts', factory: 'buildServer' },
  creator: { tool: 'create_cart', expect: 'cart_id' },
  idParam: 'cart_id',
  kindName: 'cart',
  steps: [],
  probe: { tool: 'cart_total', expect: '' },
  shared: true,
};
const UPDATES = 200;

let built: Built;
beforeAll(() => {
  built = buildCase(CART);
});
afterAll(() => built.remove());

for (const backend of ['memory', 'redis'] as const) {
  describe(`generated add_item on the ${backend} store`, () => {
    const prefix = redisPrefix();
    let server: HttpServer;
    beforeAll(async () => {
      server = await startHttp(built, CART, { MCP_HANDLE_STORE: backend, MCP_HANDLE_KEY_PREFIX: prefix });
    });
    afterAll(async () => {
      await server.stop();
      if (backend === 'redis') await deleteRedisKeys(prefix);
    });

    it(`loses none of ${UPDATES} concurrent updates of one cart`, async () => {
      const connections = await Promise.all(Array.from({ length: 8 }, () => connectHttp('v2', server.url, 'token-alice')));
      const created = await connections[0]!.call('create_cart', {});
      const cart_id = created.structuredContent?.['cart_id'] as string;
      const results = await Promise.all(
        Array.from({ length: UPDATES }, (_, n) => connections[n % connections.length]!.call('add_item', { cart_id, sku: `sku-${n}`, quantity: 1 })),
      );
      expect(results.filter((result) => result.isError).map(textOf)).toEqual([]);
      const total = await connections[0]!.call('cart_total', { cart_id });
      expect(textOf(total)).toContain(`${UPDATES} item(s)`);
      await Promise.all(connections.map((connection) => connection.close()));
    }, 120_000);
  });
}
