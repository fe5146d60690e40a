import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSources, type ServerModel, type StateVariable } from '../../src/analysis/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

function example(name: string): Record<string, string> {
  const dir = join(REPO_ROOT, 'examples', name, 'src');
  return Object.fromEntries(readdirSync(dir).map((file) => [`src/${file}`, readFileSync(join(dir, file), 'utf8')]));
}

const state = (model: ServerModel, name: string): StateVariable => {
  const found = model.states.find((s) => s.name === name);
  if (!found) throw new Error(`no state ${name}; have ${model.states.map((s) => s.name).join(', ')}`);
  return found;
};

describe('analysis: bundled examples', () => {
  it('cart-server: session-keyed map declared in one module, used by handlers registered in another', () => {
    const { model } = analyzeSources(example('cart-server'));
    expect(model.servers).toHaveLength(1);
    expect(model.factories.map((f) => [f.name, f.invocation])).toEqual([['buildServer', 'per-session']]);
    expect(model.registrations.map((r) => [r.label, r.contextName ?? null])).toEqual([
      ['list_products', null],
      ['add_to_cart', 'extra'],
      ['view_cart', 'extra'],
      ['checkout', 'extra'],
    ]);
    const carts = state(model, 'carts');
    expect(carts.file).toBe('src/carts.ts');
    expect(carts.dependence).toBe('session-keyed');
    expect(carts.sessionKey?.getText()).toBe('extra.sessionId!');
    expect(carts.writers.sort()).toEqual(['add_to_cart', 'checkout']);
    expect(carts.readers.sort()).toEqual(['add_to_cart', 'checkout', 'view_cart']);
    expect(state(model, 'transports').dependence).toBe('routing');
    expect(state(model, 'CATALOG').dependence).toBe('unwritten');
    expect(new Set(model.plumbing.map((p) => p.kind))).toEqual(
      new Set(['session-id-generator', 'session-callback', 'transport-map', 'transport-session-id', 'session-header-read', 'initialize-routing', 'session-route', 'session-error']),
    );
    expect(model.sessionIdReads.filter((r) => r.source === 'context').every((r) => r.keyOf === carts)).toBe(true);
  });

  it('db-stdio: process-lifetime connection set by one tool and read by others, followed into helpers across files', () => {
    const { model } = analyzeSources(example('db-stdio'));
    const db = state(model, 'db');
    expect(db.kind).toBe('module');
    expect(db.dependence).toBe('implicit');
    expect(db.writers.sort()).toEqual(['connect_database', 'disconnect']);
    expect(db.readers.sort()).toEqual(['disconnect', 'list_tables', 'read_table']);
    // SAMPLE (in database.ts) is only read, through openDatabase called by connect_database.
    expect(state(model, 'SAMPLE')).toMatchObject({ file: 'src/database.ts', dependence: 'unwritten', readers: ['connect_database'] });
    expect(model.transports.map((t) => [t.kind, t.sessionful])).toEqual([['stdio', false]]);
  });
});

describe('analysis: SDK v2 shapes', () => {
  it('reads ctx.sessionId, factory closures, and createMcpHandler per-request factories', () => {
    const { model } = analyzeSources({
      'server.ts': `import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { z } from 'zod';

const notesBySession = new Map<string, string[]>();

export function buildServer() {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  let history: string[] = [];
  server.registerTool('add_note', { inputSchema: z.object({ text: z.string() }) }, async ({ text }, ctx) => {
    const notes = notesBySession.get(ctx.sessionId ?? '') ?? [];
    notes.push(text);
    notesBySession.set(ctx.sessionId ?? '', notes);
    history.push(text);
    return { content: [{ type: 'text', text: 'ok' }] };
  });
  server.registerTool('history', { description: 'what happened' }, async (ctx) => ({
    content: [{ type: 'text', text: history.join(',') + String(ctx.mcpReq.id) }],
  }));
  return server;
}

export const handler = createMcpHandler(buildServer);
`,
    });
    expect(model.usesStatelessHelpers).toBe(true);
    expect(model.factories.map((f) => [f.name, f.invocation])).toEqual([['buildServer', 'per-request']]);
    expect(model.registrations.map((r) => [r.label, r.contextName, r.argsParam?.getText() ?? null])).toEqual([
      ['add_note', 'ctx', '{ text }'],
      ['history', 'ctx', null],
    ]);
    expect(state(model, 'notesBySession')).toMatchObject({ dependence: 'session-keyed', writers: ['add_note'] });
    expect(state(model, 'history')).toMatchObject({ kind: 'factory-closure', dependence: 'implicit', writers: ['add_note'], readers: ['history'] });
  });

  it('keeps explicit ids passed as tool arguments apart from session keys', () => {
    const { model } = analyzeSources({
      'server.ts': `import { McpServer } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
const carts = new Map<string, string[]>();
const server = new McpServer({ name: 'carts', version: '1.0.0' });
server.registerTool('create_cart', { inputSchema: z.object({}) }, async () => {
  const id = \`cart_\${randomUUID()}\`;
  carts.set(id, []);
  return { content: [{ type: 'text', text: id }] };
});
server.registerTool('add_item', { inputSchema: z.object({ cart_id: z.string(), sessionId: z.string(), item: z.string() }) }, async ({ cart_id, item }) => {
  carts.get(cart_id)?.push(item);
  return { content: [] };
});
server.registerTool('peek', { inputSchema: z.object({ sessionId: z.string() }) }, async (args) => ({ content: [{ type: 'text', text: String(carts.get(args.sessionId)) }] }));
`,
    });
    const carts = state(model, 'carts');
    expect(carts.dependence).toBe('handle-store');
    expect(carts.accesses.map((a) => a.keyOrigin)).toEqual(['minted', 'argument', 'argument']);
    expect(model.sessionIdReads).toEqual([]);
  });
});

describe('analysis: low-level Server and classes', () => {
  it('splits a tools/call switch into tools and follows this.method() calls into class fields', () => {
    const { model } = analyzeSources({
      'index.js': `const { Server } = require('@modelcontextprotocol/sdk/server/index.js');
const { CallToolRequestSchema } = require('@modelcontextprotocol/sdk/types.js');

class BrowserServer {
  constructor() {
    this.server = new Server({ name: 'browser', version: '1.0.0' }, { capabilities: { tools: {} } });
    this.page = null;
    this.server.setRequestHandler(CallToolRequestSchema, async (request) => {
      switch (request.params.name) {
        case 'navigate':
          return this.navigate(request.params.arguments.url);
        case 'screenshot':
          return { content: [{ type: 'text', text: String(this.page) }] };
      }
    });
  }
  async navigate(url) {
    this.page = url;
    return { content: [] };
  }
}
module.exports = { BrowserServer };
`,
    });
    expect(model.registrations.map((r) => r.label)).toEqual(['navigate', 'screenshot']);
    const page = state(model, 'page');
    expect(page).toMatchObject({ kind: 'class-field', dependence: 'implicit', writers: ['navigate'], readers: ['screenshot'], perConnectionClass: true });
  });

  it('follows a default import to the one instance a module exports (`export default new Tracker()`) into its fields', () => {
    const { model } = analyzeSources({
      'src/tracker.ts': `class Tracker {
  private current: string | null = null;
  start(label: string) {
    this.current = label;
  }
  describe() {
    return this.current ?? 'idle';
  }
}
export default new Tracker();
`,
      'src/index.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import tracker from './tracker';
const server = new McpServer({ name: 't', version: '1.0.0' });
server.registerTool('start', { inputSchema: { label: z.string() } }, async ({ label }) => {
  tracker.start(label);
  return { content: [] };
});
server.registerTool('status', {}, async () => ({ content: [{ type: 'text', text: tracker.describe() }] }));
`,
    });
    expect(state(model, 'current')).toMatchObject({ kind: 'class-field', dependence: 'implicit', writers: ['start'], readers: ['status'] });
  });

  it('follows an instance a call returns into its fields: a declared return type, an awaited Promise<T>, a static field returned', () => {
    const store = `export class Store {
  private static instance: Store | undefined;
  private open: string | null = null;
  static getInstance() {
    if (!Store.instance) Store.instance = new Store();
    return Store.instance;
  }
  use(name: string) {
    this.open = name;
  }
  current() {
    return this.open ?? 'none';
  }
}
export function getStore(): Store {
  return Store.getInstance();
}
export async function loadStore(): Promise<Store> {
  return Store.getInstance();
}
`;
    const tools = (reach: string) => `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Store, getStore, loadStore } from './store.js';
const server = new McpServer({ name: 's', version: '1.0.0' });
async function pick(name: string) {
  const store = ${reach};
  store.use(name);
}
server.registerTool('pick', { inputSchema: { name: z.string() } }, async ({ name }) => {
  await pick(name);
  return { content: [] };
});
server.registerTool('show', {}, async () => ({ content: [{ type: 'text', text: (${reach}).current() }] }));
`;
    for (const reach of ['getStore()', 'await loadStore()', 'Store.getInstance()']) {
      const { model } = analyzeSources({ 'src/store.ts': store, 'src/index.ts': tools(reach) });
      expect(state(model, 'open'), reach).toMatchObject({ kind: 'class-field', dependence: 'implicit', writers: ['pick'], readers: ['show'] });
    }
  });

  it('an object a factory builds to hand module values to its tools is no state of its own; one whose own properties tools set is', () => {
    const entry = (write: string) => `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
const shells = new Map<string, string>();
let counter = 0;
export function buildServer(label: () => string | undefined) {
  const server = new McpServer({ name: 'f', version: '1.0.0' });
  const context = { shells, label, current: '' };
  server.registerTool('open', { inputSchema: { name: z.string() } }, async ({ name }) => {
    ${write}
    return { content: [] };
  });
  server.registerTool('peek', { inputSchema: { id: z.string() } }, async ({ id }) => ({ content: [{ type: 'text', text: context.shells.get(id) ?? context.current }] }));
  return server;
}
`;
    const handing = analyzeSources({ 'src/index.ts': entry('context.shells.set(String(++counter), name);') }).model;
    expect(handing.states.find((s) => s.name === 'context')).toBeUndefined();
    const own = analyzeSources({ 'src/index.ts': entry('context.current = name;') }).model;
    expect(state(own, 'context')).toMatchObject({ kind: 'factory-closure', writers: ['open'] });
  });
});

describe('analysis: tool objects handed by name', () => {
  it('follows addTool(x) to an object a variable holds, or one a project helper builds from its arguments', () => {
    const { model } = analyzeSources({
      'src/config.ts': `let region = 'eu';
export const setRegion = (next: string) => { region = next; };
export const baseUrl = () => \`https://\${region}.example.com\`;
`,
      'src/tool.ts': `import { z } from 'zod';
export function createTool<P extends z.ZodTypeAny>(name: string, description: string, parameters: P, execute: (args: z.infer<P>) => Promise<string>) {
  return { name, description, parameters, execute };
}
`,
      'src/tools.ts': `import { z } from 'zod';
import { createTool } from './tool.js';
import { baseUrl, setRegion } from './config.js';
export const selectRegion = createTool('select_region', 'Pick the region', z.object({ region: z.string() }), async ({ region }) => {
  setRegion(region);
  return region;
});
export const fetchStatus = {
  name: 'status',
  description: 'Status of the region',
  parameters: z.object({}),
  execute: async () => (await fetch(baseUrl())).statusText,
};
`,
      'src/index.ts': `import { FastMCP } from 'fastmcp';
import { fetchStatus, selectRegion } from './tools.js';
const server = new FastMCP({ name: 'regions', version: '1.0.0' });
server.addTool(selectRegion);
server.addTool(fetchStatus);
await server.start({ transportType: 'stdio' });
`,
    });
    expect(model.registrations.map((r) => r.label).sort()).toEqual(['select_region', 'status']);
    const region = state(model, 'region');
    expect(region.accesses.filter((a) => a.mode === 'write').flatMap((a) => a.by.map((r) => r.label))).toEqual(['select_region']);
    expect(region.accesses.filter((a) => a.mode === 'read').flatMap((a) => a.by.map((r) => r.label))).toContain('status');
  });
});
