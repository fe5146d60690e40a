import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1ClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer as V1McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport as V1ServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { McpServer, Server, createMcpHandler } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { importRuntime, renderVariant, scratchDir, type Kind, type Runtime, type Store } from './generated.js';

/**
 * The rendered module inside real servers: the v2 McpServer and a low-level v2 Server behind
 * createMcpHandler, and a v1 McpServer behind a stateless v1 transport, each over real HTTP on
 * 127.0.0.1 with the real clients. A tiny bearer layer sets verified auth the way auth middleware does.
 */

/** Test tokens and the subjects a verifier would resolve them to. */
const SUBJECTS: Record<string, string> = { 'alice-token': 'alice', 'bob-token': 'bob' };
const NEVER_MINTED = `cart_${'Q'.repeat(24)}`;

const scratch = scratchDir('handle-store-mcp');
let runtime: Runtime;
let store: Store;
let carts: Kind<{ items: string[] }>;
const servers: HttpServer[] = [];

/** Start an HTTP server on an ephemeral loopback port; `req.auth` is set from the bearer token, as auth middleware would. */
async function listen(handle: (req: IncomingMessage & { auth?: unknown }, res: import('node:http').ServerResponse) => Promise<void>): Promise<URL> {
  const server = createServer((req: IncomingMessage & { auth?: unknown }, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token && SUBJECTS[token]) req.auth = { token, clientId: 'one-client-for-everyone', scopes: [], extra: { sub: SUBJECTS[token] } };
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

/** The cart tools, the same on every server: creator, a consumer that throws, one that is wrapped. */
function cartTools(server: McpServer): McpServer {
  server.registerTool(
    'create_cart',
    { description: `Create a cart. ${runtime.describeLifetime(carts)}`, inputSchema: z.object({}) },
    async (_args, ctx) => {
      const cart_id = await store.mint(carts, { items: [] }, runtime.principalOf(ctx));
      return { content: [{ type: 'text', text: cart_id }] };
    },
  );
  server.registerTool('show_cart_throwing', { inputSchema: z.object({ cart_id: z.string() }) }, async ({ cart_id }, ctx) => {
    const cart = await store.resolve(carts, cart_id, runtime.principalOf(ctx));
    return { content: [{ type: 'text', text: JSON.stringify(cart) }] };
  });
  server.registerTool(
    'show_cart',
    { inputSchema: z.object({ cart_id: z.string() }) },
    runtime.withHandleErrors(async ({ cart_id }: { cart_id: string }, ctx: unknown) => {
      const cart = await store.resolve(carts, cart_id, runtime.principalOf(ctx));
      return { content: [{ type: 'text' as const, text: JSON.stringify(cart) }] };
    }) as never,
  );
  return server;
}

/** The same consumer on a low-level Server, where a thrown error would be a JSON-RPC error, not a tool result. */
function lowLevelServer(): Server {
  const server = new Server({ name: 'low-level', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [{ name: 'show_cart', inputSchema: { type: 'object', properties: { cart_id: { type: 'string' } } } }],
  }));
  server.setRequestHandler('tools/call', async (request, ctx) => {
    try {
      const cart = await store.resolve(carts, String(request.params.arguments?.['cart_id']), runtime.principalOf(ctx));
      return { content: [{ type: 'text', text: JSON.stringify(cart) }] };
    } catch (error) {
      return runtime.handleErrorResult(error) as { content: [{ type: 'text'; text: string }]; isError: true };
    }
  });
  return server;
}

let v2Url: URL;
let lowLevelUrl: URL;
let v1Url: URL;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  runtime = await importRuntime(renderVariant(scratch.dir, { language: 'ts', store: 'memory' }));
  store = runtime.createMemoryHandleStore();
  carts = runtime.defineHandleKind<{ items: string[] }>({ name: 'cart', idParam: 'cart_id', creator: 'create_cart', ttlSeconds: 600, serializable: true });

  // The factory runs once per request: the store outlives it, which is the point.
  const v2 = createMcpHandler(() => cartTools(new McpServer({ name: 'carts', version: '1.0.0' })));
  const low = createMcpHandler(() => lowLevelServer());
  closers.push(() => v2.close(), () => low.close());
  v2Url = await listen(toNodeHandler(v2) as never);
  lowLevelUrl = await listen(toNodeHandler(low) as never);
  v1Url = await listen(async (req, res) => {
    const server = new V1McpServer({ name: 'carts-v1', version: '1.0.0' });
    server.registerTool('create_cart', {}, async (extra) => {
      const cart_id = await store.mint(carts, { items: [] }, runtime.principalOf(extra));
      return { content: [{ type: 'text', text: cart_id }] };
    });
    server.registerTool(
      'show_cart',
      { inputSchema: { cart_id: z.string() } },
      runtime.withHandleErrors(async ({ cart_id }: { cart_id: string }, extra: unknown) => ({
        content: [{ type: 'text' as const, text: JSON.stringify(await store.resolve(carts, cart_id, runtime.principalOf(extra))) }],
      })) as never,
    );
    const transport = new V1ServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => server.close()));
    await server.connect(transport);
    await transport.handleRequest(req as never, res);
  });
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await store.close();
  scratch.remove();
});

type Result = { content?: unknown; isError?: boolean };

async function withClient<T>(url: URL, token: string | undefined, run: (call: (name: string, args?: Record<string, unknown>) => Promise<Result>) => Promise<T>): Promise<T> {
  const client = new Client({ name: 'handle-store-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  try {
    // The modern era stamps `_meta` (server info) on every result; the tool's own result is the rest.
    return await run(async (name, args = {}) => {
      const { _meta, ...result } = (await client.callTool({ name, arguments: args })) as Result & { _meta?: unknown };
      return result;
    });
  } finally {
    await client.close();
  }
}

const textOf = (result: Result): string => (result.content as { text: string }[])[0]!.text;

describe('handle-store runtime inside real MCP servers', () => {
  it('v2 McpServer: the tool-error helper gives exactly what the server makes of a thrown HandleError', async () => {
    await withClient(v2Url, 'alice-token', async (call) => {
      const thrown = await call('show_cart_throwing', { cart_id: NEVER_MINTED });
      const wrapped = await call('show_cart', { cart_id: NEVER_MINTED });
      const message = `cart \`${NEVER_MINTED}\` is unknown or has expired; call create_cart() again to get a new cart_id`;
      expect(thrown).toEqual({ content: [{ type: 'text', text: message }], isError: true });
      expect(wrapped).toEqual(thrown);
      expect(runtime.toolError(message)).toEqual(thrown);
    });
  });

  it('v2 low-level Server: handleErrorResult turns the error into the same tool result', async () => {
    await withClient(lowLevelUrl, 'alice-token', async (call) => {
      const result = await call('show_cart', { cart_id: NEVER_MINTED });
      expect(result).toEqual({
        content: [{ type: 'text', text: `cart \`${NEVER_MINTED}\` is unknown or has expired; call create_cart() again to get a new cart_id` }],
        isError: true,
      });
    });
  });

  it('v2: binds handles to the verified subject, across requests and connections', async () => {
    const id = await withClient(v2Url, 'alice-token', async (call) => textOf(await call('create_cart')));
    expect(id).toMatch(/^cart_[A-Za-z0-9_-]{22,}$/);
    // A later connection of the same subject, through a fresh server instance, finds it.
    await withClient(v2Url, 'alice-token', async (call) => {
      expect(await call('show_cart', { cart_id: id })).toEqual({ content: [{ type: 'text', text: '{"items":[]}' }] });
    });
    // Bob (same OAuth client, other subject) gets exactly the unknown-handle answer; so does a caller without auth.
    for (const token of ['bob-token', undefined]) {
      await withClient(v2Url, token, async (call) => {
        const foreign = await call('show_cart', { cart_id: id });
        const unknown = await call('show_cart', { cart_id: NEVER_MINTED });
        expect(foreign.isError).toBe(true);
        expect(textOf(foreign).replace(id, '<id>')).toBe(textOf(unknown).replace(NEVER_MINTED, '<id>'));
      });
    }
  });

  it('v1 McpServer: principalOf reads extra.authInfo; the wrapped handler returns the same tool errors', async () => {
    const connect = async (token: string) => {
      const v1 = new V1Client({ name: 'handle-store-test', version: '1.0.0' });
      await v1.connect(new V1ClientTransport(v1Url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      return v1;
    };
    const alice = await connect('alice-token');
    const bob = await connect('bob-token');
    try {
      const created = (await alice.callTool({ name: 'create_cart', arguments: {} })) as Result;
      const id = textOf(created);
      expect(await alice.callTool({ name: 'show_cart', arguments: { cart_id: id } })).toEqual({ content: [{ type: 'text', text: '{"items":[]}' }] });
      expect(await bob.callTool({ name: 'show_cart', arguments: { cart_id: id } })).toEqual({
        content: [{ type: 'text', text: `cart \`${id}\` is unknown or has expired; call create_cart() again to get a new cart_id` }],
        isError: true,
      });
      // The same subject reaches the same handle whichever SDK line served the creator.
      await withClient(v2Url, 'alice-token', async (call) => {
        expect(textOf(await call('show_cart', { cart_id: id }))).toBe('{"items":[]}');
      });
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });
});
