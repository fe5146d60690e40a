import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHandleStore } from '../../src/templates/handle-store.js';
import { renderVariant, scratchDir, writeFile } from './generated.js';
import { REDIS_URL, inspector, uniquePrefix } from './redis.js';

/**
 * Separate Node processes, as replicas behind a load balancer are, configured only through the
 * environment and sharing handles through Redis. Replicas run the rendered JavaScript module as it
 * is (plain ESM) or the TypeScript one compiled, so both sources are exercised, and mixed.
 */

const run = promisify(execFile);
const scratch = scratchDir('handle-store-processes');
const redisInspector = inspector();
const prefix = uniquePrefix('processes');

/**
 * One replica: imports the module, runs the steps given as JSON (an id of "$N" is the result of step N),
 * prints one JSON result per step and exits by itself. With a "leave-open" step the store is not
 * closed, so only unref'd timers stand between the script's end and the process's exit.
 */
const REPLICA = `import { defineHandleKind, handles } from './handle-store.js';
const carts = defineHandleKind({ name: 'cart', idParam: 'cart_id', creator: 'create_cart', ttlSeconds: 600, serializable: true });
const pages = defineHandleKind({ name: 'page', idParam: 'page_id', creator: 'open_page', ttlSeconds: 600, serializable: false });
const kinds = { cart: carts, page: pages };
const steps = JSON.parse(process.argv[2]);
const results = [];
for (const step of steps) {
  try {
    const kind = kinds[step.kind];
    if (step.id?.startsWith('$')) step.id = results[Number(step.id.slice(1))];
    if (step.op === 'mint') results.push(await handles.mint(kind, step.value, step.principal));
    if (step.op === 'resolve') results.push(await handles.resolve(kind, step.id, step.principal));
    if (step.op === 'add') results.push(await handles.update(kind, step.id, step.principal, (cart) => ({ items: [...cart.items, step.item] })));
    if (step.op === 'destroy') results.push(await handles.destroy(kind, step.id, step.principal) ?? 'destroyed');
    if (step.op === 'backend') results.push(handles.backend);
  } catch (error) {
    results.push({ error: error.message });
  }
}
if (!steps.some((step) => step.op === 'leave-open')) await handles.close();
console.log(JSON.stringify(results));
`;

const replicas = { js: '', ts: '', 'js-redis-default': '' };

beforeAll(() => {
  const module = renderVariant(scratch.dir, { language: 'js', store: 'memory' });
  replicas.js = writeFile(join(module, '..', 'replica.mjs'), REPLICA);
  const redisDefault = renderVariant(scratch.dir, { language: 'js', store: 'redis' });
  replicas['js-redis-default'] = writeFile(join(redisDefault, '..', 'replica.mjs'), REPLICA);
  const compiled = ts.transpileModule(renderHandleStore({ language: 'ts', store: 'memory' }), {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  writeFile(join(scratch.dir, 'ts-compiled', 'handle-store.js'), compiled.outputText);
  replicas.ts = writeFile(join(scratch.dir, 'ts-compiled', 'replica.mjs'), REPLICA);
});

afterAll(async () => {
  await redisInspector.flush(prefix);
  await redisInspector.close();
  scratch.remove();
});

type Step = Record<string, unknown> & { op: string };

/** Run one replica process with the given environment and steps; it must exit on its own within 10 s. */
async function replicaRun(language: keyof typeof replicas, env: Record<string, string>, steps: Step[]): Promise<unknown[]> {
  const { stdout } = await run(process.execPath, [replicas[language], JSON.stringify(steps)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 10_000,
  });
  return JSON.parse(stdout) as unknown[];
}

const REDIS_ENV = { MCP_HANDLE_STORE: 'redis', REDIS_URL, MCP_HANDLE_KEY_PREFIX: prefix };

describe('handle store across processes', () => {
  it('shares serializable handles between replicas through Redis, selected by the environment', async () => {
    const [backend, id] = (await replicaRun('js', REDIS_ENV, [
      { op: 'backend' },
      { op: 'mint', kind: 'cart', value: { items: [] }, principal: 'sub:alice' },
    ])) as [string, string];
    expect(backend).toBe('redis');
    expect(id).toMatch(/^cart_[A-Za-z0-9_-]{22,}$/);
    // The principal shows in no key: keys carry its truncated SHA-256 as a hash tag.
    const base = `${prefix}{${createHash('sha256').update('sub:alice').digest('hex').slice(0, 32)}}:`;
    expect(await redisInspector.keys(prefix)).toEqual([`${base}${id}`, `${base}index`, `${base}sizes`]);

    // The next replica runs the compiled TypeScript module: both sources agree on keys and values.
    const second = await replicaRun('ts', REDIS_ENV, [
      { op: 'add', kind: 'cart', id, principal: 'sub:alice', item: 'apple' },
      { op: 'resolve', kind: 'cart', id, principal: 'sub:bob' },
    ]);
    expect(second).toEqual([
      { items: ['apple'] },
      { error: `cart \`${id}\` is unknown or has expired; call create_cart() again to get a new cart_id` },
    ]);

    const third = await replicaRun('js', REDIS_ENV, [
      { op: 'resolve', kind: 'cart', id, principal: 'sub:alice' },
      { op: 'destroy', kind: 'cart', id, principal: 'sub:alice' },
    ]);
    expect(third).toEqual([{ items: ['apple'] }, 'destroyed']);
    expect(await replicaRun('ts', REDIS_ENV, [{ op: 'resolve', kind: 'cart', id, principal: 'sub:alice' }])).toEqual([
      { error: `cart \`${id}\` is unknown or has expired; call create_cart() again to get a new cart_id` },
    ]);
  });

  it('keeps non-serializable handles in the replica that minted them', async () => {
    const [id, same] = (await replicaRun('js', REDIS_ENV, [
      { op: 'mint', kind: 'page', value: { url: 'https://example.com' }, principal: 'sub:alice' },
      { op: 'resolve', kind: 'page', id: '$0', principal: 'sub:alice' },
    ])) as [string, unknown];
    // The replica that minted the page resolves it…
    expect(same).toEqual({ url: 'https://example.com' });
    // …another replica does not know it, and Redis never held it.
    expect(await replicaRun('ts', REDIS_ENV, [{ op: 'resolve', kind: 'page', id, principal: 'sub:alice' }])).toEqual([
      { error: `page \`${id}\` is unknown or has expired; call open_page() again to get a new page_id` },
    ]);
    expect(await redisInspector.keys(`${prefix}sub:alice:page_`)).toEqual([]);
  });

  for (const language of ['js', 'ts'] as const) {
    it(`${language}: exits on its own, pending expiry timers never keep a process alive`, async () => {
      // Memory store (the rendered default), store left open: 10-minute handles are pending when the script ends.
      const started = Date.now();
      const results = await replicaRun(language, {}, [
        { op: 'backend' },
        { op: 'mint', kind: 'cart', value: { items: [] }, principal: 'anonymous' },
        { op: 'mint', kind: 'page', value: {}, principal: 'anonymous' },
        { op: 'resolve', kind: 'page', id: '$2', principal: 'anonymous' },
        { op: 'leave-open' },
      ]);
      expect(results.slice(0, 4)).toEqual(['memory', expect.stringMatching(/^cart_/), expect.stringMatching(/^page_/), {}]);
      expect(Date.now() - started).toBeLessThan(8_000);
    });
  }

  it('connects to Redis only when first used: importing the Redis-default module costs nothing', async () => {
    const started = Date.now();
    const results = await replicaRun('js-redis-default', { REDIS_URL: 'redis://127.0.0.1:1' }, [{ op: 'backend' }, { op: 'leave-open' }]);
    expect(results[0]).toBe('redis');
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
