import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHandleStore } from '../../src/templates/handle-store.js';
import { STRICT_OPTIONS, VARIANTS, renderVariant, scratchDir, typecheck, writeFile } from './generated.js';

/**
 * The rendered module must type-check in a strict user project, and the code that migrate and new
 * generate around it (tool handlers on both SDK lines) must type-check against the real SDK types.
 */

const scratch = scratchDir('handle-store-typecheck');
afterAll(() => scratch.remove());

/** Tool handlers as generated code writes them against the v2 SDK; `@ts-expect-error` lines must stay errors. */
const V2_USAGE = `import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { Redis } from 'ioredis';
import * as z from 'zod';
import {
  createHandleStore,
  createRedisHandleStore,
  defineHandleKind,
  describeHandleParam,
  describeLifetime,
  handleErrorResult,
  handles,
  HandleError,
  principalOf,
  toolError,
  withHandleErrors,
  type HandleStore,
  type ToolErrorResult,
} from './handle-store.js';

interface Db {
  query(sql: string): Promise<string[]>;
  close(): Promise<void>;
}
declare function openDb(url: string): Promise<Db>;

const connections = defineHandleKind<Db>({
  name: 'conn',
  noun: 'connection',
  idParam: 'connection_id',
  creator: 'connect_database',
  ttlSeconds: 30 * 60,
  serializable: false,
  dispose: (db) => db.close(),
});

interface Cart {
  items: string[];
}
const carts = defineHandleKind<Cart>({ name: 'cart', idParam: 'cart_id', creator: 'create_cart', ttlSeconds: 3600, serializable: true });

export function buildServer(store: HandleStore = handles): McpServer {
  const server = new McpServer({ name: 'usage', version: '1.0.0' });
  server.registerTool(
    'connect_database',
    {
      description: \`Open a connection. \${describeLifetime(connections)}\`,
      inputSchema: z.object({ url: z.string() }),
      outputSchema: z.object({ connection_id: z.string() }),
    },
    async ({ url }, ctx) => {
      const connection_id = await store.mint(connections, await openDb(url), principalOf(ctx));
      return { content: [{ type: 'text', text: connection_id }], structuredContent: { connection_id } };
    },
  );
  server.registerTool(
    'query',
    { inputSchema: z.object({ connection_id: z.string().describe(describeHandleParam(connections)), sql: z.string() }) },
    withHandleErrors(async ({ connection_id, sql }, ctx) => {
      const db = await store.resolve(connections, connection_id, principalOf(ctx));
      const rows: string[] = await db.query(sql);
      return { content: [{ type: 'text', text: rows.join('\\n') }] };
    }),
  );
  server.registerTool(
    'add_item',
    {
      inputSchema: z.object({ cart_id: z.string(), item: z.string() }),
      outputSchema: z.object({ count: z.number() }),
    },
    async ({ cart_id, item }, ctx) => {
      try {
        const cart = await store.update(carts, cart_id, principalOf(ctx), (current) => ({ items: [...current.items, item] }));
        return { content: [{ type: 'text', text: String(cart.items.length) }], structuredContent: { count: cart.items.length } };
      } catch (error) {
        return handleErrorResult(error);
      }
    },
  );
  server.registerTool('close_database', { inputSchema: z.object({ connection_id: z.string() }) }, async ({ connection_id }, ctx) => {
    await store.destroy(connections, connection_id, principalOf(ctx));
    return { content: [{ type: 'text', text: 'closed' }] };
  });
  return server;
}

// The factory context carries authInfo directly.
export const endpoint = createMcpHandler((ctx) => {
  void principalOf(ctx);
  return buildServer();
});

export async function misuse(store: HandleStore, principal: string): Promise<void> {
  // @ts-expect-error a cart kind holds carts, not numbers
  await store.mint(carts, 42, principal);
  // @ts-expect-error resolve is typed by the kind
  const wrong: number = await store.resolve(carts, 'cart_x', principal);
  void wrong;
}

export const shared: HandleStore = createRedisHandleStore({ redis: new Redis({ lazyConnect: true }), keyPrefix: 'app:' });
export const chosen: HandleStore = createHandleStore({ backend: 'memory', maxHandlesPerPrincipal: 100, maxBytesPerPrincipal: 1_000_000 });
export const error: ToolErrorResult = toolError('nope');
export const isHandleError = (value: unknown): value is HandleError => value instanceof HandleError;
`;

/** The same on the v1 SDK line: handlers get \`extra\`, input schemas are raw shapes. */
const V1_USAGE = `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { defineHandleKind, describeLifetime, handles, principalOf, withHandleErrors } from './handle-store.js';

const sessions = defineHandleKind<{ user: string }>({
  name: 'login',
  idParam: 'login_id',
  creator: 'login',
  ttlSeconds: 600,
  serializable: true,
});

export function buildServer(): McpServer {
  const server = new McpServer({ name: 'usage', version: '1.0.0' });
  server.registerTool('login', { description: \`Log in. \${describeLifetime(sessions)}\`, inputSchema: { user: z.string() } }, async ({ user }, extra) => {
    const login_id = await handles.mint(sessions, { user }, principalOf(extra));
    return { content: [{ type: 'text', text: login_id }] };
  });
  server.registerTool(
    'whoami',
    { inputSchema: { login_id: z.string() } },
    withHandleErrors(async ({ login_id }, extra) => {
      const { user } = await handles.resolve(sessions, login_id, principalOf(extra));
      return { content: [{ type: 'text', text: user }] };
    }),
  );
  return server;
}
`;

/**
 * One program over every variant (each in its own folder, with its usage files): the compiler loads
 * the SDK and Node types once instead of eight times.
 */
const CHECKED = { ...STRICT_OPTIONS, allowJs: true };
let diagnostics: string[] = [];

/** The TypeScript variants carry the types; the JavaScript modules are the same code with them erased. */
const TYPED = VARIANTS.filter((variant) => variant.language === 'ts');

beforeAll(() => {
  const roots: string[] = [];
  for (const variant of TYPED) {
    const dir = join(scratch.dir, `${variant.language}-${variant.store}`);
    roots.push(renderVariant(scratch.dir, variant), writeFile(join(dir, 'v2.ts'), V2_USAGE), writeFile(join(dir, 'v1.ts'), V1_USAGE));
  }
  // A stdio server's module has no Redis adapter: it must compile alone, with no Redis names left behind.
  roots.push(writeFile(join(scratch.dir, 'ts-stdio', 'handle-store.ts'), renderHandleStore({ language: 'ts', store: 'memory', redis: false })));
  for (const variant of VARIANTS.filter((v) => v.language === 'js')) roots.push(renderVariant(scratch.dir, variant));
  diagnostics = typecheck(roots, { ...STRICT_OPTIONS, allowJs: true });
});

describe('rendered handle-store module type-checks in a strict project', () => {
  for (const variant of TYPED) {
    it(`${variant.language}/${variant.store}: the module, and tool handlers calling it on SDK v2 and v1`, () => {
      const dir = join(scratch.dir, `${variant.language}-${variant.store}`);
      expect(diagnostics.filter((line) => !line.startsWith(scratch.dir) || line.startsWith(dir))).toEqual([]);
    });
  }

  it('the memory-only module of a stdio server compiles and has no Redis code', () => {
    expect(diagnostics.filter((line) => line.startsWith(join(scratch.dir, 'ts-stdio')))).toEqual([]);
    const source = renderHandleStore({ language: 'ts', store: 'memory', redis: false });
    expect(source).not.toMatch(/ioredis|RedisShelf|REDIS_URL|createRedisHandleStore/);
    expect(renderHandleStore({ language: 'js', store: 'memory', redis: false })).not.toMatch(/ioredis|RedisShelf|REDIS_URL/);
  });

  it('the JavaScript modules are the TypeScript source with its types erased, and parse', () => {
    for (const variant of VARIANTS.filter((v) => v.language === 'js')) {
      const dir = join(scratch.dir, `${variant.language}-${variant.store}`);
      expect(diagnostics.filter((line) => line.startsWith(dir))).toEqual([]);
      const js = renderHandleStore(variant);
      expect(js).not.toMatch(/\binterface\b|: Promise<|<T>/);
      expect(js).toContain('export function createHandleStore(options = {})');
    }
  });

  it("takes the v1 handler's extra of releases without authInfo (1.0 to 1.7: only its signal, and a session id)", () => {
    const dir = join(scratch.dir, 'old-extra');
    writeFile(join(dir, 'handle-store.ts'), renderHandleStore({ language: 'ts', store: 'memory', redis: false }));
    const usage = writeFile(
      join(dir, 'usage.ts'),
      `import type { RequestHandlerExtra } from 'mcp-sdk-1.0.1/shared/protocol.js';
import { principalOf } from './handle-store.js';
export const principal = (extra: RequestHandlerExtra): string => principalOf(extra);
export const withSession = (extra: { signal: AbortSignal; sessionId?: string }): string => principalOf(extra);
`,
    );
    expect(typecheck([usage], CHECKED)).toEqual([]);
  });

  it('compiles the checks it claims: a broken call is reported', () => {
    const dir = join(scratch.dir, 'broken');
    writeFile(join(dir, 'handle-store.ts'), renderHandleStore({ language: 'ts', store: 'memory' }));
    const broken = writeFile(join(dir, 'broken.ts'), `import { handles } from './handle-store.js';\nexport const id: number = await handles.mint('cart', {}, 'p');\n`);
    expect(typecheck([broken], CHECKED).join('\n')).toMatch(/broken\.ts:2:.*not assignable/);
  });
});
