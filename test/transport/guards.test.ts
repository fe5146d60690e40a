import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSPORT_KEPT } from '../../src/rules/marker-messages.js';
import { statelessTransport } from '../../transforms/stateless-transport.js';

/**
 * Counts of the open sessions (a gauge the session callbacks move, a counter a health route reads) have nothing to
 * count once sessions go. They must neither keep the transport on sessions nor change silently: a count only the
 * session code touched goes with a note; a count something else reads stays, with a marker.
 */
const entry = (count: string, read: string) => `import express from 'express';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

class Gauge {
  static readonly all: Gauge[] = [];
  private value = 0;
  constructor(readonly name: string) {
    Gauge.all.push(this);
  }
  inc() {
    this.value++;
  }
  dec() {
    this.value--;
  }
  set(value: number) {
    this.value = value;
  }
}

${count}

function buildServer() {
  return new McpServer({ name: 'counted', version: '1.0.0' });
}

const transports: Record<string, StreamableHTTPServerTransport> = {};
const app = express();
app.use(express.json());

app.post('/mcp', async (req, res) => {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  let transport = sessionId ? transports[sessionId] : undefined;
  if (!transport && isInitializeRequest(req.body)) {
    const opened = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports[id] = opened;
        openSessions.inc();
      },
      onsessionclosed: (id) => {
        delete transports[id];
        openSessions.dec();
      },
    });
    await buildServer().connect(opened);
    transport = opened;
  }
  if (!transport) {
    res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
    return;
  }
  await transport.handleRequest(req, res, req.body);
});

setInterval(() => openSessions.set(Object.keys(transports).length), 60_000);
${read}
app.listen(3000);
`;

function migrate(text: string) {
  const result = transformFiles({ 'index.ts': text }, { transforms: [statelessTransport] });
  return { text: result.changed['index.ts'] ?? text, notes: result.diagnostics.map((d) => d.message) };
}

describe('counts of the open sessions', () => {
  it('a gauge only the session code moves goes with the sessions, with a note', () => {
    const { text, notes } = migrate(entry("const openSessions = new Gauge('mcp_open_sessions');", ''));
    expect(text).toContain('sessionIdGenerator: undefined');
    expect(text).not.toContain(TRANSPORT_KEPT);
    expect(text).not.toContain('openSessions');
    expect(text).not.toContain('@mcp-sessionless-todo');
    expect(notes).toContainEqual(expect.stringContaining('`openSessions` counted sessions, and there are none any more'));
  });

  it('a gauge a route also reads stays, with a marker saying it no longer counts anything', () => {
    const read = "app.get('/health', (_req, res) => res.json({ open: openSessions }));";
    const { text } = migrate(entry("const openSessions = new Gauge('mcp_open_sessions');", read));
    expect(text).toContain('sessionIdGenerator: undefined');
    expect(text).toContain("// @mcp-sessionless-todo(SL002): `openSessions` counted open MCP sessions, which no longer exist: it now stays at its first value; count something that still means something, or drop it.\nconst openSessions = new Gauge('mcp_open_sessions');");
    expect(text).toContain(read);
  });

  it('a count whose name says nothing about sessions is not taken for one', () => {
    const { text } = migrate(entry("const openSessions = new Gauge('mcp_open_sessions');\nconst handshakes = openSessions;", '').replace(/openSessions\.(inc|dec|set)/g, 'handshakes.$1'));
    expect(text).toContain(TRANSPORT_KEPT);
  });
});

/**
 * A Hono route that serves through the Node response and then hands Hono a value of its own (`return c.body(null)`,
 * after sealing the response so Hono writes nothing more): the per-request code keeps that answer after serving, and
 * the 405 it writes for other methods ends the same way. An answer built from the session routing cannot be kept:
 * the transport stays, with the reason.
 */
describe('a handler that answers its framework after serving', () => {
  it('keeps the answer after serving and after the 405', () => {
    const text = `import { Hono } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const sessions = new Map<string, StreamableHTTPServerTransport>();
const app = new Hono();

app.all('/mcp', async (c) => {
  const req = (c.env as { incoming: IncomingMessage }).incoming;
  const res = (c.env as { outgoing: ServerResponse }).outgoing;
  const sessionId = c.req.header('mcp-session-id');
  let transport = sessionId ? sessions.get(sessionId) : undefined;
  if (!transport) {
    const opened = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, opened);
      },
    });
    await new McpServer({ name: 'hybrid', version: '1.0.0' }).connect(opened);
    transport = opened;
  }
  await transport.handleRequest(req, res);
  return c.body(null);
});

export default app;
`;
    const result = transformFiles({ 'index.ts': text }, { transforms: [statelessTransport] });
    const out = result.changed['index.ts'] ?? text;
    expect(out).not.toContain(TRANSPORT_KEPT);
    expect(out).toContain(".end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));\n    return c.body(null);\n  }");
    expect(out).toContain('  await transport.handleRequest(req, res);\n  return c.body(null);\n});');
    // Served inside a try whose catch reads the session id: the try goes whole, its ending with it.
    const wrapped = text.replace('  await transport.handleRequest(req, res);\n  return c.body(null);', '  try {\n    await transport.handleRequest(req, res);\n    return c.body(null);\n  } catch (error) {\n    console.error(sessionId, error);\n    return c.body(null);\n  }');
    expect(wrapped).not.toBe(text);
    const inTry = transformFiles({ 'index.ts': wrapped }, { transforms: [statelessTransport] }).changed['index.ts'] ?? wrapped;
    expect(inTry).toContain(`${TRANSPORT_KEPT}: the handler answers its framework after the transport served the request`);
    const answered = text.replace('return c.body(null);', 'return c.json({ session: transport.sessionId });');
    const kept = transformFiles({ 'index.ts': answered }, { transforms: [statelessTransport] }).changed['index.ts'] ?? answered;
    expect(kept).toContain(TRANSPORT_KEPT);
    expect(kept).toContain('the handler answers its framework after the transport served the request (`c.json({ session: transport.sessionId })`)');
    expect(kept).toContain('sessionIdGenerator: () => randomUUID()');
  });
});

/**
 * A map of session transports nothing uses goes with the sessions (see transforms/transport/unused-maps.ts); one
 * that any code names, in its module or another (even only importing it), stays for that code to settle.
 */
describe('session transport maps nothing uses', () => {
  const registry = `import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export const transportsById = new Map<string, StreamableHTTPServerTransport>();
export const retries = new Map<string, number>();
`;

  it('goes, with its type import, and a note names it', () => {
    const result = transformFiles({ 'registry.ts': registry }, { transforms: [statelessTransport] });
    expect(result.changed['registry.ts']).toBe('export const retries = new Map<string, number>();\n');
    expect(result.diagnostics.map((d) => d.message)).toContain('transportsById kept transports by session id, and no code used it: it went with the sessions');
  });

  it('stays while another module imports it', () => {
    const user = `import { transportsById } from './registry.js';\nexport const open = () => transportsById.size;\n`;
    const result = transformFiles({ 'registry.ts': registry, 'stats.ts': user }, { transforms: [statelessTransport] });
    expect(result.changed['registry.ts']).toBeUndefined();
  });
});

/**
 * Sessions kept in a registry of their ids (`sessions.add(id)` when one opens) and a GET route that
 * answers requests without a session id itself: the registry goes with the sessions when nothing but the session
 * code used it; the answer without a session id is what every request gets now. Each rule holds only as far as
 * stated: an alias, a reader elsewhere, or an answer about the missing session keep the old behaviour's guard.
 */
describe('session registries and answers without a session id', () => {
  const hono = (registry: string, extra: string, getGuard: string) => `import { randomUUID } from 'node:crypto';
import { StreamableHTTPTransport } from '@hono/mcp';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Hono } from 'hono';

const config = { mcpPath: '/mcp' };
const transports = new Map<string, StreamableHTTPTransport>();
${registry}
const app = new Hono();

app.get(config.mcpPath, async (c) => {
  const sessionId = c.req.header('mcp-session-id');
  if (!sessionId) {
    ${getGuard}
  }
  const transport = transports.get(sessionId);
  if (!transport) return c.json({ error: 'Session not found' }, 404);
  return (await transport.handleRequest(c)) ?? c.body(null, 204);
});

app.post(config.mcpPath, async (c) => {
  const sessionId = c.req.header('mcp-session-id');
  const existing = sessionId ? transports.get(sessionId) : undefined;
  if (existing) {
    const response = await existing.handleRequest(c);
    return response ?? c.body(null, 204);
  }
  const transport = new StreamableHTTPTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      transports.set(id, transport);
      sessions.add(id);
    },
  });
  await new McpServer({ name: 'kept', version: '1.0.0' }).connect(transport);
  const response = await transport.handleRequest(c);
  return response ?? c.body(null, 204);
});
${extra}
export default app;
`;
  const run = (text: string) => {
    const result = transformFiles({ 'index.ts': text }, { transforms: [statelessTransport] });
    return { out: result.changed['index.ts'] ?? text, notes: result.diagnostics.map((d) => d.message) };
  };
  const status = "return c.json({ status: 'ok' });";

  it('serves on a configured path, drops a registry only the sessions used, and keeps the GET answer', () => {
    const { out, notes } = run(hono('const sessions = new Set<string>();', '', status));
    expect(out).not.toContain(TRANSPORT_KEPT);
    expect(out).toContain('new StreamableHTTPTransport({ sessionIdGenerator: undefined })');
    expect(out).toContain("app.get(config.mcpPath, async (c) => {\n  return c.json({ status: 'ok' });\n});");
    expect(out).toContain('const response = await transport.handleRequest(c);\n  return response ?? c.body(null, 204);');
    expect(out).not.toMatch(/sessions|randomUUID/);
    expect(notes).toContainEqual(expect.stringContaining('`sessions` kept track of the sessions and nothing else'));
  });

  it('keeps the transport when the registry is read elsewhere too', () => {
    const { out } = run(hono('const sessions = new Set<string>();', "app.get('/live', (c) => c.json({ live: sessions.has(c.req.query('id') ?? '') }));", status));
    expect(out).toContain(TRANSPORT_KEPT);
    expect(out).toContain('`sessions` (written by the session code that goes');
  });

  it('keeps the transport when the registry is another name for a shared object', () => {
    const { out } = run(hono('const shared = new Set<string>();\nconst sessions = shared;', '', status));
    expect(out).toContain(TRANSPORT_KEPT);
  });

  it('answers GET with 405 where its answer without a session id was an error about the session', () => {
    const { out } = run(hono('const sessions = new Set<string>();', '', "return c.json({ error: 'Mcp-Session-Id header required' }, 400);"));
    expect(out).not.toContain(TRANSPORT_KEPT);
    expect(out).toContain('status: 405');
    expect(out).not.toContain('header required');
  });

  it('reads a route path from a name that says it is a path, never from any other name', () => {
    const { out } = run(hono('const sessions = new Set<string>();', '', status).replaceAll('config.mcpPath', 'config.mcp'));
    expect(out).toContain(TRANSPORT_KEPT);
    expect(out).toContain('sessionIdGenerator: () => randomUUID()');
  });
});

/** `@hono/mcp`'s transport is handed the Hono context: its method is `c.req.method`, and a v2 entry takes `c.req.raw`. */
describe('a Hono context handed to the transport', () => {
  const text = `import { randomUUID } from 'node:crypto';
import { StreamableHTTPTransport } from '@hono/mcp';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Hono } from 'hono';

const transports = new Map<string, StreamableHTTPTransport>();
const app = new Hono();

app.all('/mcp', async (c) => {
  const sessionId = c.req.header('mcp-session-id');
  let transport = sessionId ? transports.get(sessionId) : undefined;
  if (!transport) {
    const created = new StreamableHTTPTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, created);
      },
    });
    await new McpServer({ name: 'all', version: '1.0.0' }).connect(created);
    transport = created;
  }
  return transport.handleRequest(c);
});

export default app;
`;
  it('v1: checks the method on the context request and serves the context', () => {
    const out = transformFiles({ 'index.ts': text }, { transforms: [statelessTransport] }).changed['index.ts'] ?? text;
    expect(out).toContain("if (c.req.method !== 'POST') {");
    expect(out).toContain('const transport = new StreamableHTTPTransport({ sessionIdGenerator: undefined });');
    expect(out).toContain('return transport.handleRequest(c);');
  });

  it('v2: hands the entry the web request the context holds', () => {
    const out = transformFiles({ 'index.ts': text }, { transforms: [statelessTransport], options: { 'stateless-transport': { output: 'v2' } } }).changed['index.ts'] ?? text;
    expect(out).toContain("app.all('/mcp', (c) => mcpHandler.fetch(c.req.raw));");
  });
});

/**
 * Transports a class keeps in a field (`this.transports[id] = transport`): the field goes with the routing where
 * nothing else keeps it; a route or a method with parameters that still reads it keeps the transport, with a marker.
 */
describe('session transports kept in a class field', () => {
  const server = (extraRoute: string, extraMember: string) => `import express from 'express';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

export class HttpServer {
  private app = express();
  private transports: Record<string, StreamableHTTPServerTransport> = {};

  constructor(private readonly createServer: () => McpServer) {
    this.app.use(express.json());
    this.setupRoutes();
  }

  private setupRoutes(): void {
    this.app.post('/mcp', async (req, res) => {
      const sessionId = req.headers['mcp-session-id'] as string | undefined;
      let transport: StreamableHTTPServerTransport;
      if (sessionId && this.transports[sessionId]) {
        transport = this.transports[sessionId];
      } else if (!sessionId && isInitializeRequest(req.body)) {
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            this.transports[id] = transport;
          },
        });
        await this.createServer().connect(transport);
      } else {
        res.status(400).json({ error: 'No valid session ID provided' });
        return;
      }
      await transport.handleRequest(req, res, req.body);
    });
    ${extraRoute}
  }
  ${extraMember}
}
`;
  const run = (text: string) => transformFiles({ 'index.ts': text }, { transforms: [statelessTransport] }).changed['index.ts'] ?? text;

  it('goes with the routing', () => {
    const out = run(server('', ''));
    expect(out).not.toContain(TRANSPORT_KEPT);
    expect(out).not.toContain('this.transports');
    expect(out).toContain('const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });');
  });

  it('stays, with the transport, where another route reads it', () => {
    const out = run(server("this.app.get('/stats', (_req, res) => res.json({ open: Object.keys(this.transports).length }));", ''));
    expect(out).toContain(`${TRANSPORT_KEPT}: the GET /stats route reads the session map`);
    expect(out).toContain('private transports: Record<string, StreamableHTTPServerTransport> = {};');
  });

  it('stays, with the transport, where a method with parameters reads it', () => {
    const out = run(server('', 'close(id: string) {\n    void this.transports[id]?.close();\n  }'));
    expect(out).toContain(TRANSPORT_KEPT);
    expect(out).toContain('void this.transports[id]?.close();');
  });
});
