/**
 * State a server keeps on purpose, told apart by its shape (src/analysis/purpose.ts and the lazy guards of
 * state.ts), next to the near misses that are still a conversation's state and must stay findings.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSources, type StateVariable } from '../../src/analysis/index.js';
import { detectFindings } from '../../src/audit/detectors.js';

const HEADER = `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
const server = new McpServer({ name: 't', version: '1.0.0' });
`;
const FOOTER = `\nawait server.connect(new StdioServerTransport());\n`;

function analyse(body: string, more: Record<string, string> = {}) {
  const { model } = analyzeSources({ 'src/index.ts': HEADER + body + FOOTER, ...more });
  const state = (name: string): StateVariable => {
    const found = model.states.find((s) => s.name === name);
    if (!found) throw new Error(`no state ${name}`);
    return found;
  };
  return { state, findings: detectFindings(model).map((f) => `${f.rule} ${f.state ?? ''}`) };
}

describe('lazy guards', () => {
  it('an early return while the value is set makes a memo; the lookup it runs in place is part of it', () => {
    const { state, findings } = analyse(`
let found: string | undefined | null = null;
let lookup: Promise<string | undefined> | null = null;
async function locate(): Promise<string | undefined> {
  if (found !== null) return found;
  if (lookup) return lookup;
  lookup = (async () => {
    const hit = ['/usr/bin/tool'].find((p) => p.length > 0);
    found = hit;
    return hit;
  })();
  const result = await lookup;
  lookup = null;
  return result;
}
server.tool('where', 'Where the tool is', {}, async () => ({ content: [{ type: 'text', text: String(await locate()) }] }));`);
    expect(state('found').dependence).toBe('lazy-global');
    expect(state('lookup').dependence).toBe('lazy-global');
    expect(findings).toEqual([]);
  });

  it('a guard on the initial sentinel is lazy initialisation', () => {
    const { state, findings } = analyse(`
let installId = 'unknown';
async function report(name: string) {
  if (installId === 'unknown') installId = String(Date.now());
  await fetch('https://example.com', { method: 'POST', body: JSON.stringify({ installId, name }) });
}
server.tool('ping', 'Ping', {}, async () => { await report('ping'); return { content: [{ type: 'text', text: 'pong' }] }; });`);
    expect(state('installId').dependence).toBe('lazy-global');
    expect(findings).toEqual([]);
  });

  it('a page created behind an early return is still a conversation: tools drive it', () => {
    const { findings } = analyse(`
let page: { goto(url: string): Promise<void>; title(): string } | undefined;
async function currentPage() {
  if (page) return page;
  page = await (globalThis as any).browser.newPage();
  return page!;
}
server.tool('navigate', 'Open a URL', { url: z.string() }, async ({ url }) => { await (await currentPage()).goto(url); return { content: [] }; });
server.tool('title', 'Page title', {}, async () => ({ content: [{ type: 'text', text: (await currentPage()).title() }] }));`);
    expect(findings).toEqual(['SL006 page']);
  });
});

describe('id counters', () => {
  it('a counter stepped only to mint ids is the server own', () => {
    const { state, findings } = analyse(`
let counter = 0;
const jobs = new Map<string, string>();
server.tool('start', 'Start a job', { command: z.string() }, async ({ command }) => {
  counter += 1;
  const jobId = \`job_\${counter}\`;
  jobs.set(jobId, command);
  return { content: [{ type: 'text', text: jobId }] };
});`);
    expect(state('counter').sharedPurpose).toBe('id-counter');
    expect(findings).toEqual([]);
  });

  it('a count shown to the client is state the calls build up', () => {
    const { state, findings } = analyse(`
let calls = 0;
server.tool('hit', 'Count a hit', {}, async () => {
  calls += 1;
  return { content: [{ type: 'text', text: \`\${calls} hits so far\` }] };
});`);
    expect(state('calls').sharedPurpose).toBeUndefined();
    expect(findings).toEqual(['SL006 calls']);
  });
});

describe('state kept in a file', () => {
  const log = (save: string) => `import * as fs from 'node:fs';
class Notes {
  private notes: string[] = [];
  private readonly file = '/var/lib/notes/notes.json';
  constructor() {
    if (fs.existsSync(this.file)) this.notes = JSON.parse(fs.readFileSync(this.file, 'utf8'));
  }
  add(text: string) { this.notes.push(text); }
  all() { return this.notes; }
  save(path: string) { ${save} }
}
export const notes = new Notes();
`;
  const tools = `import { notes } from './notes.js';
server.tool('add_note', 'Add a note', { text: z.string() }, async ({ text }) => { notes.add(text); return { content: [] }; });
server.tool('list_notes', 'List notes', {}, async () => ({ content: [{ type: 'text', text: notes.all().join('\\n') }] }));
server.tool('export_notes', 'Export notes', { path: z.string() }, async ({ path }) => { notes.save(path); return { content: [] }; });`;

  it('loaded from and saved to a file the server fixes: a store of the machine, not of a conversation', () => {
    const { state, findings } = analyse(tools, { 'src/notes.ts': log(`fs.writeFileSync(this.file, JSON.stringify(this.notes)); void path;`) });
    expect(state('notes').sharedPurpose).toBe('persisted');
    expect(findings).toEqual([]);
  });

  it('written only where a caller says: what the calls built up, exported on request', () => {
    const { state, findings } = analyse(tools, { 'src/notes.ts': log(`fs.writeFileSync(path, JSON.stringify(this.notes));`) });
    expect(state('notes').sharedPurpose).toBeUndefined();
    expect(findings).toEqual(['SL006 this.notes']);
  });
});

describe('state kept in a file a helper names', () => {
  const server = (dirOf: string) => `import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
const BASE = '/var/lib/boards';
let items: string[] = [];
let board = 'inbox';
async function boardDir(): Promise<string> {
  return ${dirOf};
}
async function boardFile(): Promise<string> {
  const dir = await boardDir();
  return join(dir, 'items.json');
}
async function load() {
  const file = await boardFile();
  try { items = JSON.parse(await readFile(file, 'utf8')); } catch { items = []; }
}
async function save() {
  const file = await boardFile();
  await writeFile(file, JSON.stringify(items));
}
server.tool('use_board', 'Switch boards', { name: z.string() }, async ({ name }) => { await save(); board = name; await load(); return { content: [{ type: 'text', text: board }] }; });
server.tool('add_item', 'Add an item', { text: z.string() }, async ({ text }) => { items.push(text); await save(); return { content: [] }; });
server.tool('list_items', 'List items', {}, async () => ({ content: [{ type: 'text', text: items.join('\\n') }] }));
void load();
`;

  it('a path helpers build from a selection a tool switches (board): the file is the conversation’s choice, both are findings', () => {
    const { state, findings } = analyse(server('join(BASE, board)'));
    expect(state('items').sharedPurpose).toBeUndefined();
    expect(state('board').sharedPurpose).toBeUndefined();
    expect(findings).toEqual(expect.arrayContaining(['SL006 items', 'SL006 board']));
  });

  it('a path helpers build from constants only: the items are the machine’s store', () => {
    const { state } = analyse(server("join(BASE, 'inbox')"));
    expect(state('items').sharedPurpose).toBe('persisted');
  });
});

describe('objects shared by what the tools change in them', () => {
  const context = (member: string) => `interface Context { cache: Map<string, string>; history: string[]; label: string }
const ctx: Context = { cache: new Map(), history: [], label: 'fetcher' };
server.tool('fetch_page', 'Fetch a page', { url: z.string() }, async ({ url }) => {
  const text = ctx.cache.get(url) ?? 'body of ' + url;
  ctx.${member};
  return { content: [{ type: 'text', text: ctx.label + ': ' + text }] };
});
`;

  it('a context the tools change only through its cache: the server’s cache, no finding', () => {
    const { findings } = analyse(context('cache.set(url, text)'));
    expect(findings).toEqual([]);
  });

  it('the same context with a history the tools append to: a conversation’s, a finding', () => {
    const { findings } = analyse(context('history.push(url)'));
    expect(findings).toEqual(['SL006 ctx']);
  });

  const logger = (tagTool: boolean) => `import { randomUUID } from 'node:crypto';
class Logger {
  private requestId?: string;
  setRequestId(id: string) { this.requestId = id; }
  info(message: string) { console.error(JSON.stringify({ requestId: this.requestId, message })); }
}
const logger = new Logger();
function withLogging<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const requestId = randomUUID();
    logger.setRequestId(requestId);
    logger.info('call');
    return handler(...args);
  };
}
async function echo(text: string) { return { content: [{ type: 'text' as const, text }] }; }
const loggedEcho = withLogging(echo);
server.tool('echo', 'Echo', { text: z.string() }, async ({ text }) => loggedEcho(text));
${tagTool ? "server.tool('tag', 'Tag later log lines', { tag: z.string() }, async ({ tag }) => { logger.setRequestId(tag); return { content: [] }; });" : ''}
`;

  it('a logger the tools hand a fresh request id through a wrapper: the server’s log, no finding', () => {
    expect(analyse(logger(false)).findings).toEqual([]);
  });

  it('the same logger where a tool sets the id from its arguments: later calls log what that call passed, a finding', () => {
    expect(analyse(logger(true)).findings).toEqual(['SL006 this.requestId']);
  });

  it('a semaphore limiting concurrent pages: the process’s, no finding', () => {
    const { findings } = analyse(`class Semaphore {
  private count = 2;
  async acquire() { while (this.count === 0) await new Promise((r) => setTimeout(r, 10)); this.count--; }
  release() { this.count++; }
}
const slots = new Semaphore();
server.tool('render', 'Render a page', { url: z.string() }, async ({ url }) => {
  await slots.acquire();
  try { return { content: [{ type: 'text', text: url }] }; } finally { slots.release(); }
});
`);
    expect(findings).toEqual([]);
  });
});

describe('per-call flags', () => {
  const server = (branches: string) => `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
let caller: string | null = null;
function setCaller(value: string | null) {
  caller = value;
}
const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
server.setRequestHandler(CallToolRequestSchema, async (request) => serve(request));
async function serve(request: { params: { name: string; _meta?: unknown } }) {
  const meta = request.params._meta as { caller?: string } | undefined;
  ${branches}
  if (request.params.name === 'whoami') return { content: [{ type: 'text', text: caller ?? 'local' }] };
  throw new Error('unknown tool');
}
`;

  it('set from the request in every branch before the call goes on: no call sees an earlier one', () => {
    const { model } = analyzeSources({ 'src/index.ts': server(`if (meta?.caller) { setCaller(meta.caller); } else { setCaller(null); }`) });
    expect(model.states.find((s) => s.name === 'caller')?.sharedPurpose).toBe('per-call');
    expect(detectFindings(model)).toEqual([]);
  });

  it('set only when the request says so: a later call sees what an earlier one left', () => {
    const { model } = analyzeSources({ 'src/index.ts': server(`if (meta?.caller) { setCaller(meta.caller); }`) });
    expect(model.states.find((s) => s.name === 'caller')?.sharedPurpose).toBeUndefined();
    expect(detectFindings(model).map((f) => f.state)).toEqual(['caller']);
  });
});

describe('key provenance', () => {
  it("a property of an object a call built from the session id among other inputs is that object's own id", () => {
    const { model } = analyzeSources({
      'src/index.ts': `${HEADER}
declare function createTask(options: object, requestId: unknown, sessionId?: string): Promise<{ taskId: string }>;
const running = new Map<string, Promise<void>>();
server.tool('start', 'Start a task', async (extra) => {
  const task = await createTask({ ttl: 60 }, extra.requestId, extra.sessionId);
  running.set(task.taskId, Promise.resolve());
  return { content: [{ type: 'text', text: task.taskId }] };
});${FOOTER}`,
    });
    const running = model.states.find((s) => s.name === 'running');
    expect(running?.dependence).toBe('handle-store');
  });
});

describe('client context copied per request', () => {
  const server = (call: string, extra = '') => `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, type Implementation } from '@modelcontextprotocol/sdk/types.js';
class Session {
  client: Implementation | undefined;
  setClient(client: Implementation | undefined) {
    this.client = client;
  }
}
const session = new Session();
const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
server.oninitialized = () => {
  session.setClient(server.getClientVersion());
};
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  ${call}
  ${extra}
  return { content: [{ type: 'text' as const, text: session.client?.name ?? 'unknown' }] };
});
await server.connect(new StdioServerTransport());
`;

  it("copied from initialize and from every request that carries the client's info: the client's, not a conversation's", () => {
    const { model } = analyzeSources({ 'src/index.ts': server(`if (extra._meta?.['io.modelcontextprotocol/clientInfo']) session.setClient(extra._meta['io.modelcontextprotocol/clientInfo'] as Implementation);`) });
    expect(model.states.find((s) => s.name === 'client')?.sharedPurpose).toBe('client-context');
    expect(detectFindings(model)).toEqual([]);
  });

  it('also set by a tool from its arguments: conversation state after all', () => {
    const { model } = analyzeSources({
      'src/index.ts': server(
        `if (extra._meta?.['io.modelcontextprotocol/clientInfo']) session.setClient(extra._meta['io.modelcontextprotocol/clientInfo'] as Implementation);`,
        `if (request.params.name === 'pretend') session.setClient({ name: String(request.params.arguments?.name), version: '0' });`,
      ),
    });
    const client = model.states.find((s) => s.name === 'client');
    expect(client?.dependence).toBe('implicit');
    expect(client?.sharedPurpose).toBeUndefined();
  });
});

describe('a value made lazily that a tool resets', () => {
  it('is a conversation’s: the tool that resets it decides when the conversation starts over', () => {
    const { state, findings } = analyse(`
interface Kernel { variables: Map<string, number> }
let kernel: Kernel | undefined;
function ensureKernel(): Kernel {
  if (!kernel) kernel = { variables: new Map() };
  return kernel;
}
server.tool('assign', { name: z.string(), value: z.number() }, async ({ name, value }) => {
  ensureKernel().variables.set(name, value);
  return { content: [{ type: 'text', text: 'ok' }] };
});
server.tool('read', { name: z.string() }, async ({ name }) => ({ content: [{ type: 'text', text: String(ensureKernel().variables.get(name)) }] }));
server.tool('restart', {}, async () => {
  kernel = undefined;
  return { content: [{ type: 'text', text: 'restarted' }] };
});
`);
    expect(state('kernel').dependence).toBe('lazy-global');
    expect(findings.some((f) => f.endsWith(' kernel'))).toBe(true);
  });

  it('made lazily and never reset by a tool, it stays the server’s own', () => {
    const { findings } = analyse(`
let index: Map<string, string> | undefined;
function ensureIndex(): Map<string, string> {
  if (!index) index = new Map([['a', 'b']]);
  return index;
}
server.tool('lookup', { key: z.string() }, async ({ key }) => ({ content: [{ type: 'text', text: ensureIndex().get(key) ?? '' }] }));
`);
    expect(findings.some((f) => f.endsWith(' index'))).toBe(false);
  });
});

describe('a setting a tool fills in from its arguments', () => {
  // The settings start from the environment; `use_warehouse` replaces them through a local it fills in branch by branch.
  const warehouse = (fromArguments: boolean) => `
interface WarehouseSettings { region: string; bucket: string }
class WarehouseServer {
  private settings: WarehouseSettings | null = process.env.BUCKET ? { region: 'eu', bucket: process.env.BUCKET } : null;
  register() {
    server.registerTool('use_warehouse', { inputSchema: { bucket: z.string().optional(), region: z.string().optional() } }, async (args) => {
      let next: WarehouseSettings | null = null;
      if (args.bucket) {
        next = ${fromArguments ? "{ region: args.region ?? 'eu', bucket: args.bucket }" : "{ region: 'eu', bucket: 'archive' }"};
      }
      if (next) this.settings = next;
      return { content: [{ type: 'text' as const, text: 'ok' }] };
    });
    server.registerTool('list_objects', { inputSchema: {} }, async () => ({ content: [{ type: 'text' as const, text: this.settings?.bucket ?? 'none' }] }));
  }
}
new WarehouseServer().register();
`;

  it('filled in from the arguments after its declaration: what that call passed reaches the later calls, a finding', () => {
    expect(analyse(warehouse(true)).findings).toEqual(['SL006 this.settings']);
  });

  it('filled in only from constants: the server’s own settings, no finding', () => {
    expect(analyse(warehouse(false)).findings).toEqual([]);
  });
});

describe('listeners', () => {
  const uiServer = `
import http from 'node:http';
class UiServer {
  private httpServer: http.Server | null = null;
  async start(port: number): Promise<void> {
    this.httpServer = http.createServer((_req, res) => res.end('ui'));
    await new Promise<void>((resolve) => this.httpServer!.listen(port, '127.0.0.1', () => resolve()));
  }
}
`;

  it('a server the process listens with, and the port it took, are the process', () => {
    const { state, findings } = analyse(`${uiServer}
class UiManager {
  private webServer: UiServer | null = null;
  private currentPort: number | null = null;
  async open(port: number) {
    if (this.webServer && this.currentPort) return this.currentPort;
    this.webServer = new UiServer();
    await this.webServer.start(port);
    this.currentPort = port;
    return port;
  }
}
const ui = new UiManager();
server.tool('open_ui', 'Open the web UI', { port: z.number() }, async ({ port }) => ({ content: [{ type: 'text', text: String(await ui.open(port)) }] }));`);
    expect(state('webServer').sharedPurpose).toBe('listener');
    expect(state('httpServer').sharedPurpose).toBe('listener');
    expect(state('currentPort').sharedPurpose).toBe('listener');
    expect(findings.filter((f) => /webServer|httpServer|currentPort/.test(f))).toEqual([]);
  });

  it('an object that listens nowhere, and a port set where nothing listens, stay findings', () => {
    const { state } = analyse(`
class Page { goto(url: string) { return url; } }
class Browser {
  private page: Page | null = null;
  private debugPort: number | null = null;
  async open(port: number) {
    this.page = new Page();
    this.debugPort = port;
    return port;
  }
  read() { return this.debugPort; }
}
const browser = new Browser();
server.tool('open', 'Open', { port: z.number() }, async ({ port }) => ({ content: [{ type: 'text', text: String(await browser.open(port)) }] }));
server.tool('port', 'Port', {}, async () => ({ content: [{ type: 'text', text: String(browser.read()) }] }));`);
    expect(state('page').sharedPurpose).toBeUndefined();
    expect(state('debugPort').sharedPurpose).toBeUndefined();
  });
});

describe('a web server of the project own', () => {
  it('keeps its sockets for the process, and an MCP server class that listens is not one', () => {
    const { state } = analyse(`
import { createServer, type Server as HttpServer } from 'node:http';
class UiServer {
  private httpServer: HttpServer | null = null;
  private socketServer: { clients: number } | null = null;
  start(port: number) {
    this.httpServer = createServer((_req, res) => res.end('ui'));
    this.httpServer.listen(port);
    this.socketServer = { clients: 0 };
  }
  count() { return this.socketServer?.clients ?? 0; }
}
class Workspace {
  private current: string | undefined;
  private app = { listen: (_port: number) => undefined };
  constructor(private readonly mcp: typeof server) {
    this.mcp.tool('open', 'Open', { path: z.string() }, async ({ path }) => { this.current = path; return { content: [] }; });
    this.mcp.tool('where', 'Where', {}, async () => ({ content: [{ type: 'text', text: String(this.current) }] }));
  }
  listen(port: number) { this.app.listen(port); }
}
const ui = new UiServer();
new Workspace(server);
server.tool('open_ui', 'Open the web UI', { port: z.number() }, async ({ port }) => { ui.start(port); return { content: [{ type: 'text', text: String(ui.count()) }] }; });`);
    expect(state('httpServer').sharedPurpose).toBe('listener');
    expect(state('socketServer').sharedPurpose).toBe('listener');
    expect(state('current').sharedPurpose).toBeUndefined();
  });
});

describe('warnings given once', () => {
  const tools = (guard: string) => `
const hosts = new Map<string, { password?: string }>([['a', {}], ['b', { password: 'p' }]]);
let active = 'a';
const warned = new Set<string>();
function profile() {
  const chosen = hosts.get(active)!;
${guard}
  return chosen;
}
server.tool('use_host', 'Pick the host', { name: z.string() }, async ({ name }) => {
  active = name;
  return { content: [{ type: 'text', text: 'ok' }] };
});
server.tool('run', 'Run on the host', {}, async () => ({ content: [{ type: 'text', text: JSON.stringify(profile()) }] }));
`;

  it('a set that only remembers which warnings were given is the process, and the selection beside it stays a finding', () => {
    const { state, findings } = analyse(tools(`  if (!chosen.password && !warned.has(active)) {
    warned.add(active);
    process.stderr.write(\`WARN: \${active} has no password\\n\`);
  }`));
    expect(state('warned').sharedPurpose).toBe('warn-once');
    expect(findings).not.toContain('SL006 warned');
    expect(findings.some((f) => f.endsWith(' active'))).toBe(true);
  });

  it('a set guarding work other than a message is still a conversation’s (a later call skips what an earlier one did)', () => {
    const { state } = analyse(tools(`  if (!warned.has(active)) {
    warned.add(active);
    hosts.set(active, { ...chosen, password: 'default' });
  }`));
    expect(state('warned').sharedPurpose).toBeUndefined();
  });
});
