import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRuntime, renderVariant, scratchDir, type Kind, type Runtime, type Store } from './generated.js';
import { REDIS_URL, inspector, uniquePrefix } from './redis.js';

/**
 * Behaviour of the rendered handle store, run for both languages (the TypeScript module and the
 * JavaScript one are separate sources) on both backends, against the real Redis.
 */

const scratch = scratchDir('handle-store-behaviour');
const redisInspector = inspector();
const prefix = uniquePrefix('store');

afterAll(async () => {
  await redisInspector.flush(prefix);
  await redisInspector.close();
  scratch.remove();
});

/** What the caught rejection of `promise` is (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; kind?: string; handle?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** A principal as it appears in Redis keys: a truncated SHA-256, never the principal itself. */
const owner = (principal: string): string => createHash('sha256').update(principal).digest('hex').slice(0, 32);

/** A live, non-JSON value: what a database connection looks like to the store. */
class FakeConnection {
  closed = 0;
  query(sql: string): string {
    return `result of ${sql}`;
  }
}

for (const language of ['ts', 'js'] as const) {
  for (const backend of ['memory', 'redis'] as const) {
    describe(`${language} module, ${backend} store`, () => {
      let runtime: Runtime;
      let store: Store;
      const stores: Store[] = [];
      /** A store of this backend; every store made here is closed after the block. */
      const open = (options: Parameters<Runtime['createHandleStore']>[0] = {}): Store => {
        // Quotas get their own tests: the other tests share one principal across thousands of handles.
        const made = runtime.createHandleStore({ backend, url: REDIS_URL, keyPrefix: prefix, env: {}, maxHandlesPerPrincipal: 100_000, ...options });
        stores.push(made);
        return made;
      };
      const kind = <T>(name: string, extra: Partial<Kind<T>> = {}): Kind<T> =>
        runtime.defineHandleKind<T>({ name, idParam: `${name}_id`, creator: `create_${name}`, ttlSeconds: 60, serializable: true, ...extra });

      beforeAll(async () => {
        runtime = await importRuntime(renderVariant(scratch.dir, { language, store: backend }));
        store = open();
      });
      afterAll(async () => {
        await Promise.all(stores.map((made) => made.close()));
      });

      it('mints, resolves, updates and destroys', async () => {
        const carts = kind<{ items: string[] }>('cart');
        const id = await store.mint(carts, { items: [] }, 'alice');
        expect(id).toMatch(/^cart_[A-Za-z0-9_-]{22,}$/);
        expect(await store.resolve(carts, id, 'alice')).toEqual({ items: [] });
        expect(await store.update(carts, id, 'alice', (cart) => ({ items: [...cart.items, 'apple'] }))).toEqual({ items: ['apple'] });
        expect(await store.resolve(carts, id, 'alice')).toEqual({ items: ['apple'] });
        await store.destroy(carts, id, 'alice');
        const error = await rejection(store.resolve(carts, id, 'alice'));
        expect(error).toBeInstanceOf(runtime.HandleError);
        expect(error.message).toBe(`cart \`${id}\` is unknown or has expired; call create_cart() again to get a new cart_id`);
        expect(error).toMatchObject({ code: 'unknown_handle', kind: 'cart', handle: id });
        await expect(store.destroy(carts, id, 'alice')).rejects.toThrow(runtime.HandleError);
        expect(store.backend).toBe(backend);
      });

      it('stores JSON copies of serializable values, so only update() changes them', async () => {
        const carts = kind<{ items: string[]; at?: unknown }>('copycart');
        const value = { items: ['a'] };
        const id = await store.mint(carts, value, 'alice');
        value.items.push('changed after mint');
        const first = await store.resolve(carts, id, 'alice');
        first.items.push('changed after resolve');
        expect(await store.resolve(carts, id, 'alice')).toEqual({ items: ['a'] });
        // A Date turns into its JSON string, on both backends alike.
        const dated = await store.mint(carts, { items: [], at: new Date(0) }, 'alice');
        expect((await store.resolve(carts, dated, 'alice')).at).toBe('1970-01-01T00:00:00.000Z');
        await expect(store.mint(kind<undefined>('nothing'), undefined, 'alice')).rejects.toThrow(/must be JSON data/);
      });

      it('mints opaque ids: kind prefix, at least 22 base64url characters, thousands unique', async () => {
        const tokens = kind<number>('tok');
        const ids = await Promise.all(Array.from({ length: 2000 }, (_, index) => store.mint(tokens, index, 'alice')));
        for (const id of ids) expect(id).toMatch(/^tok_[A-Za-z0-9_-]{22,}$/);
        expect(new Set(ids).size).toBe(ids.length);
        // Random, not counted: the random parts use the whole base64url alphabet and share no long prefixes.
        const randomParts = ids.map((id) => id.slice('tok_'.length));
        expect(new Set(randomParts.join('')).size).toBe(64);
        expect(new Set(randomParts.map((part) => part.slice(0, 8))).size).toBe(ids.length);
        // Ids carry nothing of the value or the principal.
        expect(ids.some((id) => id.includes('alice'))).toBe(false);
        expect(await store.resolve(tokens, ids[1234]!, 'alice')).toBe(1234);
      });

      it('slides the lifetime on every resolve and reports expiry', async () => {
        const connections = kind<{ n: number }>('conn', { noun: 'connection', idParam: 'connection_id', creator: 'connect_database', ttlSeconds: 0.8 });
        const id = await store.mint(connections, { n: 1 }, 'alice');
        // Each resolve lands well before the lifetime (800 ms) runs out and restarts it, with room for a loaded
        // machine's pauses; together they outlive it twice over.
        for (let step = 0; step < 4; step++) {
          await sleep(400);
          expect(await store.resolve(connections, id, 'alice')).toEqual({ n: 1 });
        }
        await sleep(1_300);
        const error = await rejection(store.resolve(connections, id, 'alice'));
        expect(error.message).toBe(`connection \`${id}\` is unknown or has expired; call connect_database() again to get a new connection_id`);
      });

      it('binds handles to their principal: another principal sees exactly an unknown handle', async () => {
        const carts = kind<string>('pcart', { noun: 'cart' });
        const id = await store.mint(carts, 'secret', 'sub:alice');
        const unknown = `pcart_${'A'.repeat(24)}`;
        const foreign = await rejection(store.resolve(carts, id, 'sub:bob'));
        const missing = await rejection(store.resolve(carts, unknown, 'sub:bob'));
        expect(foreign).toBeInstanceOf(runtime.HandleError);
        expect(foreign.message.replace(id, '<id>')).toBe(missing.message.replace(unknown, '<id>'));
        expect({ ...foreign, handle: '<id>' }).toEqual({ ...missing, handle: '<id>' });
        await expect(store.update(carts, id, 'sub:bob', () => 'stolen')).rejects.toThrow(runtime.HandleError);
        await expect(store.destroy(carts, id, 'sub:bob')).rejects.toThrow(runtime.HandleError);
        expect(await store.resolve(carts, id, 'sub:alice')).toBe('secret');
        // A principal that merely ends like another's key prefix gets nothing either.
        await expect(store.resolve(carts, id, 'alice')).rejects.toThrow(runtime.HandleError);
      });

      it('treats malformed ids and ids of other kinds as unknown', async () => {
        const db = kind<string>('db');
        const dbConn = kind<string>('db_conn');
        const connId = await store.mint(dbConn, 'connection', 'alice');
        // `db_conn_…` starts with `db_`, but its length gives it away as another kind.
        await expect(store.resolve(db, connId, 'alice')).rejects.toThrow(/^db `db_conn_.*` is unknown or has expired; call create_db\(\) again to get a new db_id$/);
        for (const bad of ['', 'db_', 'db_short', `db_${'x'.repeat(25)}`, `db_${'x'.repeat(23)}!`, `DB_${'x'.repeat(24)}`, 'x'.repeat(500)]) {
          const error = await rejection(store.resolve(db, bad, 'alice'));
          expect(error).toBeInstanceOf(runtime.HandleError);
          expect(error.message.length).toBeLessThan(200);
        }
        expect(await store.resolve(dbConn, connId, 'alice')).toBe('connection');
        await expect(store.mint(db, 'x', '')).rejects.toThrow(/principal/);
      });

      it('disposes values on destroy and on expiry', async () => {
        const disposed: string[] = [];
        const pages = kind<{ name: string }>('page', { ttlSeconds: 0.2, serializable: false, dispose: ({ name }) => void disposed.push(name) });
        const small = open();
        const destroyed = await small.mint(pages, { name: 'destroyed' }, 'alice');
        await small.destroy(pages, destroyed, 'alice');
        expect(disposed).toEqual(['destroyed']);

        await small.mint(pages, { name: 'expires' }, 'alice');
        await sleep(450);
        expect(disposed).toEqual(['destroyed', 'expires']);

        const longLived = kind<{ name: string }>('tab', { serializable: false, dispose: ({ name }) => void disposed.push(name) });
        const first = await small.mint(longLived, { name: 'first' }, 'alice');
        await small.mint(longLived, { name: 'second' }, 'alice');
        await small.close();
        expect(disposed.slice(2).sort()).toEqual(['first', 'second']);
        await expect(small.resolve(longLived, first, 'alice')).rejects.toThrow(/closed/);
      });

      it('holds each principal to its quota of handles and bytes, never evicting another principal', async () => {
        const quotaKinds = [kind<{ text: string }>('qnote'), kind<{ text: string }>('qtab', { serializable: false })];
        for (const notes of quotaKinds) {
          // Stores of both languages share the Redis prefix: principals of their own keep their quotas apart.
          const [alice, bob_, carol] = ['alice', 'bob', 'carol'].map((name) => `${name}-${language}-${notes.name}`) as [string, string, string];
          const limited = open({ maxHandlesPerPrincipal: 3, maxBytesPerPrincipal: 100 });
          const bob = await limited.mint(notes, { text: bob_ }, bob_);
          const mine = await Promise.all([1, 2, 3].map((n) => limited.mint(notes, { text: `a${n}` }, alice)));
          const refused = await rejection(limited.mint(notes, { text: 'a4' }, alice));
          expect(refused.name).toBe('HandleQuotaError');
          expect(refused.message).toMatch(/^handle quota reached: this caller already holds 3 handles/);
          expect(runtime.handleErrorResult(refused)).toEqual({ isError: true, content: [{ type: 'text', text: refused.message }] });
          // Nobody was evicted: bob's handle and alice's three still resolve.
          expect(await limited.resolve(notes, bob, bob_)).toEqual({ text: bob_ });
          for (const id of mine) await limited.resolve(notes, id, alice);
          await limited.destroy(notes, mine[0]!, alice);
          const again = await limited.mint(notes, { text: 'a5' }, alice);
          if (notes.serializable) {
            const big = await rejection(limited.update(notes, again, alice, () => ({ text: 'x'.repeat(200) })));
            expect(big.message).toMatch(/past its 100 bytes of stored values/);
            expect(await limited.resolve(notes, again, alice)).toEqual({ text: 'a5' });
            await expect(limited.mint(notes, { text: 'y'.repeat(120) }, carol)).rejects.toThrow(/past its 100 bytes/);
          }
        }
      });

      it('reports dispose failures on expiry instead of crashing, and rethrows them on destroy', async () => {
        const reported: string[] = [];
        const broken = kind<string>('broken', {
          ttlSeconds: 0.1,
          serializable: false,
          dispose: async (value) => {
            throw new Error(`cannot close ${value}`);
          },
        });
        const local = open({ onDisposeError: (error, failed) => reported.push(`${failed.name}: ${(error as Error).message}`) });
        await local.mint(broken, 'a', 'alice');
        await sleep(300);
        expect(reported).toEqual(['broken: cannot close a']);
        const id = await local.mint(broken, 'b', 'alice');
        await expect(local.destroy(broken, id, 'alice')).rejects.toThrow('cannot close b');
        await expect(local.resolve(broken, id, 'alice')).rejects.toThrow(runtime.HandleError);
      });

      it('keeps live values as they are, in this process', async () => {
        const connections = kind<FakeConnection>('live', { serializable: false, dispose: (connection) => void connection.closed++ });
        const connection = new FakeConnection();
        const id = await store.mint(connections, connection, 'alice');
        const resolved = await store.resolve(connections, id, 'alice');
        expect(resolved).toBe(connection);
        expect(resolved.query('select 1')).toBe('result of select 1');
        expect((await redisInspector.keys(prefix)).filter((key) => key.includes(id))).toEqual([]);
        await store.destroy(connections, id, 'alice');
        expect(connection.closed).toBe(1);
      });

      it('loses no update under concurrency', async () => {
        const counters = kind<{ count: number }>('counter');
        const id = await store.mint(counters, { count: 0 }, 'alice');
        await Promise.all(Array.from({ length: 25 }, () => store.update(counters, id, 'alice', ({ count }) => ({ count: count + 1 }))));
        expect(await store.resolve(counters, id, 'alice')).toEqual({ count: 25 });
      });

      if (backend === 'redis') {
        it('applies each of a burst of concurrent updates in this process exactly once: writers take turns per handle, so none retries', async () => {
          const counters = kind<{ count: number }>('burst');
          const id = await store.mint(counters, { count: 0 }, 'alice');
          let applied = 0;
          await Promise.all(
            Array.from({ length: 200 }, () =>
              store.update(counters, id, 'alice', ({ count }) => {
                applied += 1;
                return { count: count + 1 };
              }),
            ),
          );
          expect(await store.resolve(counters, id, 'alice')).toEqual({ count: 200 });
          expect(applied).toBe(200);
        });

        it('keeps values under <prefix>{<principal digest>}:<handle> with a millisecond TTL that resolve renews', async () => {
          const carts = kind<{ items: string[] }>('rcart', { ttlSeconds: 30 });
          const id = await store.mint(carts, { items: ['x'] }, 'sub:alice');
          const key = `${prefix}{${owner('sub:alice')}}:${id}`;
          expect((await redisInspector.keys(prefix)).some((k) => k.includes('alice'))).toBe(false);
          expect(await redisInspector.redis.get(key)).toBe('{"items":["x"]}');
          await redisInspector.redis.pexpire(key, 5_000);
          await store.resolve(carts, id, 'sub:alice');
          expect(await redisInspector.redis.pttl(key)).toBeGreaterThan(25_000);
          await store.destroy(carts, id, 'sub:alice');
          expect(await redisInspector.redis.exists(key)).toBe(0);
        });

        it('shares serializable handles between store instances, keeps live ones local', async () => {
          const carts = kind<{ items: string[] }>('scart');
          const pages = kind<FakeConnection>('spage', { serializable: false });
          const other = open({ redis: redisInspector.redis });
          const cart = await store.mint(carts, { items: [] }, 'alice');
          await other.update(carts, cart, 'alice', ({ items }) => ({ items: [...items, 'from the other instance'] }));
          expect(await store.resolve(carts, cart, 'alice')).toEqual({ items: ['from the other instance'] });
          const page = await store.mint(pages, new FakeConnection(), 'alice');
          await expect(other.resolve(pages, page, 'alice')).rejects.toThrow(runtime.HandleError);
          expect(await store.resolve(pages, page, 'alice')).toBeInstanceOf(FakeConnection);
          await other.destroy(carts, cart, 'alice');
          await expect(store.resolve(carts, cart, 'alice')).rejects.toThrow(runtime.HandleError);
          // A store given a client leaves it open for its owner.
          await other.close();
          expect(await redisInspector.redis.ping()).toBe('PONG');
        });
      }

      it('chooses the backend from options, then MCP_HANDLE_STORE, then the rendered default', async () => {
        const envPrefix = `${prefix}env-${language}-${backend}:`;
        const fromEnv = runtime.createHandleStore({ env: { MCP_HANDLE_STORE: 'redis', REDIS_URL, MCP_HANDLE_KEY_PREFIX: envPrefix } });
        stores.push(fromEnv);
        expect(fromEnv.backend).toBe('redis');
        const id = await fromEnv.mint(kind<number>('envkind'), 7, 'alice');
        const base = `${envPrefix}{${owner('alice')}}:`;
        expect(await redisInspector.keys(envPrefix)).toEqual([`${base}${id}`, `${base}index`, `${base}sizes`].sort());
        expect(runtime.createHandleStore({ backend: 'memory', env: { MCP_HANDLE_STORE: 'redis' } }).backend).toBe('memory');
        expect(runtime.createHandleStore({ env: {} }).backend).toBe(backend);
        expect(runtime.handles.backend).toBe(process.env.MCP_HANDLE_STORE ?? backend);
        expect(() => runtime.createHandleStore({ env: { MCP_HANDLE_STORE: 'memcached' } })).toThrow('MCP_HANDLE_STORE must be "memory" or "redis", not "memcached"');
      });

      it('declares kinds once and describes their lifetime', () => {
        const connections = kind<unknown>('conn', { noun: 'connection', idParam: 'connection_id', creator: 'connect_database', ttlSeconds: 30 * 60 });
        expect(runtime.describeLifetime(connections)).toBe('The connection_id expires after 30 minutes of inactivity.');
        expect(runtime.describeHandleParam(connections)).toBe('The connection_id returned by connect_database().');
        const lifetimes = [1, 90, 3600, 7200, 86_400, 0.3].map((ttlSeconds) => runtime.describeLifetime(kind('k', { ttlSeconds })));
        expect(lifetimes).toEqual([
          'The k_id expires after 1 second of inactivity.',
          'The k_id expires after 90 seconds of inactivity.',
          'The k_id expires after 1 hour of inactivity.',
          'The k_id expires after 2 hours of inactivity.',
          'The k_id expires after 1 day of inactivity.',
          'The k_id expires after 300 milliseconds of inactivity.',
        ]);
        expect(kind('cart').noun).toBe('cart');
        expect(Object.isFrozen(connections)).toBe(true);
        expect(() => kind('Cart')).toThrow(/lowercase/);
        expect(() => kind('cart', { idParam: 'cart id' })).toThrow(/idParam/);
        expect(() => kind('cart', { creator: ' ' })).toThrow(/creator/);
        expect(() => kind('cart', { ttlSeconds: 0 })).toThrow(/ttlSeconds/);
        expect(() => kind('cart', { ttlSeconds: 30 * 86_400 })).toThrow(/ttlSeconds/);
      });

      it('derives the principal from verified auth on both SDK lines', () => {
        const auth = (extra?: Record<string, unknown>, token = 'token-1') => ({ token, clientId: 'shared-client', scopes: [], ...(extra ? { extra } : {}) });
        // v2 tool context, v1 handler extra, v2 factory context.
        expect(runtime.principalOf({ http: { authInfo: auth({ sub: 'alice' }) } })).toBe('sub:alice');
        expect(runtime.principalOf({ authInfo: auth({ sub: 'alice' }) })).toBe('sub:alice');
        // Without a subject the client id is not enough (many users share one client): the token decides.
        const byToken = runtime.principalOf({ http: { authInfo: auth() } });
        expect(byToken).toMatch(/^token:[A-Za-z0-9_-]{43}$/);
        expect(byToken).not.toContain('token-1');
        expect(runtime.principalOf({ authInfo: auth({ sub: '' }, 'token-2') })).not.toBe(byToken);
        expect(runtime.principalOf({ authInfo: auth(undefined, 'token-1') })).toBe(byToken);
        expect(runtime.principalOf({ http: {} })).toBe(runtime.ANONYMOUS_PRINCIPAL);
        expect(runtime.principalOf({})).toBe('anonymous');
        expect(runtime.principalOf(undefined)).toBe('anonymous');
      });

      it('derives the principal from what FastMCP authenticate returned', () => {
        // FastMCP's tool context carries the authenticate result as `session`.
        expect(runtime.principalOf({ session: { userId: 'alice', role: 'admin' } })).toBe('user:alice');
        expect(runtime.principalOf({ session: { sub: 'bob' } })).toBe('user:bob');
        const hashed = runtime.principalOf({ session: { team: 'red', level: 2 } });
        expect(hashed).toMatch(/^auth:[A-Za-z0-9_-]{43}$/);
        // The same result built in another order is the same caller; a different one is not.
        expect(runtime.principalOf({ session: { level: 2, team: 'red' } })).toBe(hashed);
        expect(runtime.principalOf({ session: { team: 'blue', level: 2 } })).not.toBe(hashed);
        // No authenticate (or stdio without one): the shared principal.
        expect(runtime.principalOf({ session: undefined })).toBe('anonymous');
      });

      it('turns handle errors into tool error results and leaves other errors alone', async () => {
        const carts = kind<string>('tcart', { noun: 'cart' });
        const handler = runtime.withHandleErrors(async (args: { cart_id: string }, principal: string) => ({
          content: [{ type: 'text', text: await store.resolve(carts, args.cart_id, principal) }],
        }));
        const id = await store.mint(carts, 'ok', 'alice');
        expect(await handler({ cart_id: id }, 'alice')).toEqual({ content: [{ type: 'text', text: 'ok' }] });
        expect(await handler({ cart_id: id }, 'bob')).toEqual({
          content: [{ type: 'text', text: `cart \`${id}\` is unknown or has expired; call create_tcart() again to get a new tcart_id` }],
          isError: true,
        });
        const failing = runtime.withHandleErrors(async () => {
          throw new RangeError('a bug, not a handle');
        });
        await expect(failing()).rejects.toThrow(RangeError);
        expect(() => runtime.handleErrorResult(new Error('other'))).toThrow('other');
        expect(runtime.toolError('x')).toEqual({ content: [{ type: 'text', text: 'x' }], isError: true });
      });
    });
  }
}
