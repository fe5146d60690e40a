/**
 * The end-to-end scenario every migrated fixture goes through, with the real clients:
 * the creator returns a handle (text + structuredContent + output schema, or text only on an SDK release without
 * structured output; lifetime in the description), the
 * dependent tools work with it, it works from a second fresh connection and (HTTP, JSON data) from a second
 * server process sharing the real Redis, a second principal is refused, unknown and expired handles give the
 * helpful error, and tools/list is identical before and after the creator call and across connections.
 *
 * Most of a case is waiting (on child processes, and on a short handle lifetime to pass), so the cases of a file
 * run side by side (`describe.concurrent`) while each case's steps keep their order (`it.sequential`). Cases are
 * built (migrated and transpiled, synchronous work) before any of them starts: built while other cases are in
 * flight, a build would hold up their calls for as long as it takes, and their handles live only seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCase,
  connectHttp,
  connectStdio,
  deleteRedisKeys,
  E2E_TTL_SECONDS,
  handleOf,
  redisPrefix,
  startHttp,
  textOf,
  type Built,
  type Connection,
  type E2ECase,
  type HttpServer,
  type Step,
} from './support.js';

const HANDLE = (kind: string) => new RegExp(`^${kind}_[A-Za-z0-9_-]{24}$`);

async function expectStep(connection: Connection, step: Step, idParam: string, id: string): Promise<void> {
  const result = await connection.call(step.tool, { ...step.args, [idParam]: id });
  expect(result.isError ?? false, `${step.tool}: ${textOf(result)}`).toBe(false);
  if (typeof step.expect === 'string') expect(textOf(result)).toContain(step.expect);
  else expect(textOf(result)).toMatch(step.expect);
}

/** The refusal every unknown, expired, destroyed or foreign handle gets: it names the handle and the creator. */
async function expectRefused(connection: Connection, step: Step, idParam: string, id: string, creator: string): Promise<void> {
  const result = await connection.call(step.tool, { ...step.args, [idParam]: id });
  expect(result.isError, textOf(result)).toBe(true);
  expect(textOf(result)).toContain(id);
  expect(textOf(result)).toContain(`call ${creator}() again`);
}

async function create(connection: Connection, testCase: E2ECase): Promise<string> {
  const result = await connection.call(testCase.creator.tool, testCase.creator.args);
  expect(result.isError ?? false, textOf(result)).toBe(false);
  // An SDK release without structured output carries the id as text only.
  expect(result.structuredContent === undefined).toBe(testCase.textOnlyHandle === true);
  const id = handleOf(result, testCase.idParam);
  expect(typeof id).toBe('string');
  expect(id as string).toMatch(HANDLE(testCase.kindName));
  expect(textOf(result)).toContain(JSON.stringify({ [testCase.idParam]: id }));
  if (typeof testCase.creator.expect === 'string') expect(textOf(result)).toContain(testCase.creator.expect);
  return id as string;
}

export function describeHttpScenario(testCase: E2ECase): void {
  let built: Built;
  beforeAll(() => {
    built = buildCase(testCase);
  });
  describe.concurrent(`${testCase.transform.id}/${testCase.fixture} over HTTP`, () => {
    const prefix = redisPrefix();
    const env = { MCP_HANDLE_STORE: 'redis', MCP_HANDLE_KEY_PREFIX: prefix };
    let serverA: HttpServer;
    let serverB: HttpServer;
    const open: Connection[] = [];
    const connect = async (server: HttpServer, token: string) => {
      const connection = await connectHttp(testCase.sdk, server.url, token);
      open.push(connection);
      return connection;
    };
    let alice: Connection;
    let handle: string;
    let expiring: string;
    let expiringCreatedAt = 0;
    let listBefore: string;

    beforeAll(async () => {
      [serverA, serverB] = await Promise.all([startHttp(built, testCase, env), startHttp(built, testCase, env)]);
      alice = await connect(serverA, 'token-alice');
    });
    afterAll(async () => {
      await Promise.all(open.map((c) => c.close().catch(() => undefined)));
      await Promise.all([serverA?.stop(), serverB?.stop()]);
      await deleteRedisKeys(prefix);
      built?.remove();
    });

    it.sequential('builds from the committed output (only lifetimes differ)', () => {
      expect(built.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true);
    });

    it.sequential('the creator returns a handle; tools/list does not change', async () => {
      listBefore = JSON.stringify(await alice.listTools());
      const creator = (JSON.parse(listBefore) as { tools: Array<{ name: string; description?: string; outputSchema?: unknown }> }).tools.find(
        (t) => t.name === testCase.creator.tool,
      );
      expect(creator?.outputSchema === undefined).toBe(testCase.textOnlyHandle === true);
      expect(creator?.description).toMatch(/expires after/);
      handle = await create(alice, testCase);
      expiring = await create(alice, testCase);
      expiringCreatedAt = Date.now();
      expect(JSON.stringify(await alice.listTools())).toBe(listBefore);
    });

    it.sequential('dependent tools work with the handle', async () => {
      for (const step of testCase.steps) await expectStep(alice, step, testCase.idParam, handle);
    });

    it.sequential('the handle works from a second, fresh connection', async () => {
      const again = await connect(serverA, 'token-alice');
      await expectStep(again, testCase.probe, testCase.idParam, handle);
      expect(JSON.stringify(await again.listTools())).toBe(listBefore);
    });

    it.sequential(
      testCase.shared
        ? 'a second server process sharing Redis resolves the handle'
        : 'a second server process refuses a live, in-process handle with the helpful error',
      async () => {
        const elsewhere = await connect(serverB, 'token-alice');
        if (testCase.shared) await expectStep(elsewhere, testCase.probe, testCase.idParam, handle);
        else await expectRefused(elsewhere, testCase.probe, testCase.idParam, handle, testCase.creator.tool);
        expect(JSON.stringify(await elsewhere.listTools())).toBe(listBefore);
      },
    );

    it.sequential('a second principal is refused', async () => {
      const bob = await connect(serverA, 'token-bob');
      await expectRefused(bob, testCase.probe, testCase.idParam, handle, testCase.creator.tool);
      expect(JSON.stringify(await bob.listTools())).toBe(listBefore);
    });

    it.sequential('an unknown handle gets the helpful error', async () => {
      await expectRefused(alice, testCase.probe, testCase.idParam, `${testCase.kindName}_${'A'.repeat(24)}`, testCase.creator.tool);
    });

    if (testCase.destroy) {
      it.sequential('the destroy tool ends the handle', async () => {
        await expectStep(alice, testCase.destroy!, testCase.idParam, handle);
        await expectRefused(alice, testCase.probe, testCase.idParam, handle, testCase.creator.tool);
      });
    }

    it.sequential('an expired handle gets the helpful error', async () => {
      await sleep(Math.max(0, expiringCreatedAt + E2E_TTL_SECONDS * 1000 + 500 - Date.now()));
      await expectRefused(alice, testCase.probe, testCase.idParam, expiring, testCase.creator.tool);
    });
  });
}

export function describeStdioScenario(testCase: E2ECase): void {
  let built: Built;
  beforeAll(() => {
    built = buildCase(testCase);
  });
  describe.concurrent(`${testCase.transform.id}/${testCase.fixture} over stdio`, () => {
    const env = { MCP_HANDLE_STORE: 'memory' };
    const open: Connection[] = [];
    let first: Connection;
    let handle: string;
    let expiring: string;
    let expiringCreatedAt = 0;
    let listBefore: string;

    beforeAll(async () => {
      first = await connectStdio(testCase.sdk, built, testCase.stdio!.entry, env);
      open.push(first);
    });
    afterAll(async () => {
      await Promise.all(open.map((c) => c.close().catch(() => undefined)));
      built?.remove();
    });

    it.sequential('builds from the committed output (only lifetimes differ)', () => {
      expect(built.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true);
    });

    it.sequential('the creator returns a handle; tools/list does not change', async () => {
      listBefore = JSON.stringify(await first.listTools());
      handle = await create(first, testCase);
      expiring = await create(first, testCase);
      expiringCreatedAt = Date.now();
      expect(JSON.stringify(await first.listTools())).toBe(listBefore);
    });

    it.sequential('dependent tools work with the handle', async () => {
      for (const step of testCase.steps) await expectStep(first, step, testCase.idParam, handle);
    });

    // Destroy right after the steps: starting a second process can take longer than a short e2e lifetime.
    if (testCase.destroy) {
      it.sequential('the destroy tool ends the handle', async () => {
        await expectStep(first, testCase.destroy!, testCase.idParam, handle);
        await expectRefused(first, testCase.probe, testCase.idParam, handle, testCase.creator.tool);
      });
    }

    it.sequential('a fresh process (a new stdio connection) lists the same tools and refuses this process\'s handle helpfully', async () => {
      const second = await connectStdio(testCase.sdk, built, testCase.stdio!.entry, env);
      open.push(second);
      expect(JSON.stringify(await second.listTools())).toBe(listBefore);
      await expectRefused(second, testCase.probe, testCase.idParam, handle, testCase.creator.tool);
      const own = await create(second, testCase);
      await expectStep(second, testCase.steps[0]!, testCase.idParam, own);
    });

    it.sequential('an unknown handle gets the helpful error', async () => {
      await expectRefused(first, testCase.probe, testCase.idParam, `${testCase.kindName}_${'A'.repeat(24)}`, testCase.creator.tool);
    });


    it.sequential('an expired handle gets the helpful error', async () => {
      await sleep(Math.max(0, expiringCreatedAt + E2E_TTL_SECONDS * 1000 + 500 - Date.now()));
      await expectRefused(first, testCase.probe, testCase.idParam, expiring, testCase.creator.tool);
    });
  });
}
