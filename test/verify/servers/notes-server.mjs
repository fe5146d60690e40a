// A small notebook server (SDK v2) for the verify tests, sessionless by default. Each name in FAULTS
// (comma-separated) switches on one deliberate SEP-2567 violation:
//   session-id       HTTP responses carry an Mcp-Session-Id
//   tools-change     create_notebook unlocks an extra tool in tools/list
//   resources-grow   resources/list grows by one entry per connection (initialize or server/discover)
//   counter-handles  notebook ids count up: notebook_1, notebook_2, …
//   shared-handles   a notebook_id works for any principal (no principal in the lookup)
//   current-notebook create_notebook also sets a process-wide "current" notebook, which current_notes reads
//   admin-public     alice's tools/list has admin_report, bob's not, and both say cacheScope "public"
// and one variant that is allowed:
//   admin-private    the same filtering, with cacheScope "private"
//
//   node notes-server.mjs http    serves http://127.0.0.1:<free port>/mcp and prints `LISTENING <port>`;
//                                 bearer tokens token-alice → alice and token-bob → bob, others get 401
//   node notes-server.mjs stdio   serves stdio; the principal is "local"
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer, ResourceTemplate, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const FAULTS = new Set((process.env.FAULTS ?? '').split(',').filter(Boolean));
const PRINCIPALS = { 'token-alice': 'alice', 'token-bob': 'bob' };

/** Notebooks by key: `<principal>:<id>` normally, the bare id with shared-handles. */
const notebooks = new Map();
let minted = 0;
let unlocked = false;
let connections = 0;
let current = null;

const keyOf = (principal, id) => (FAULTS.has('shared-handles') ? id : `${principal}:${id}`);
const mintId = () => (FAULTS.has('counter-handles') ? `notebook_${++minted}` : `notebook_${randomBytes(18).toString('base64url')}`);
const principalOf = (ctx) => ctx.http?.authInfo?.extra?.sub ?? 'local';
const unknown = (id) => ({ isError: true, content: [{ type: 'text', text: `Unknown notebook_id "${id}": it expired or never existed. Call create_notebook for a new one.` }] });

const filtered = FAULTS.has('admin-public') ? 'public' : FAULTS.has('admin-private') ? 'private' : undefined;

function buildServer(context) {
  const server = new McpServer(
    { name: 'notes-server', version: '1.0.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, ...(filtered ? { cacheHints: { 'tools/list': { ttlMs: 60_000, cacheScope: filtered } } } : {}) },
  );
  if (filtered && context?.authInfo?.extra?.sub === 'alice') {
    server.registerTool('admin_report', { description: 'Usage report (administrators only).', annotations: { readOnlyHint: true } }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
  }
  server.registerTool(
    'create_notebook',
    {
      description: 'Create a notebook and return its notebook_id, for add_note and list_notes.',
      inputSchema: z.object({ title: z.string().min(1) }),
      outputSchema: z.object({ notebook_id: z.string() }),
    },
    async ({ title }, ctx) => {
      const notebook_id = mintId();
      notebooks.set(keyOf(principalOf(ctx), notebook_id), { title, notes: [] });
      if (FAULTS.has('tools-change')) unlocked = true;
      if (FAULTS.has('current-notebook')) current = notebooks.get(keyOf(principalOf(ctx), notebook_id));
      return { content: [{ type: 'text', text: `Created "${title}": notebook_id ${notebook_id}` }], structuredContent: { notebook_id } };
    },
  );
  server.registerTool(
    'add_note',
    { description: 'Append a note to a notebook.', inputSchema: z.object({ notebook_id: z.string().describe('The notebook_id returned by create_notebook().'), text: z.string() }) },
    async ({ notebook_id, text }, ctx) => {
      const notebook = notebooks.get(keyOf(principalOf(ctx), notebook_id));
      if (!notebook) return unknown(notebook_id);
      notebook.notes.push(text);
      return { content: [{ type: 'text', text: `${notebook.notes.length} note(s)` }] };
    },
  );
  server.registerTool(
    'list_notes',
    {
      description: 'The notes of a notebook.',
      inputSchema: z.object({ notebook_id: z.string().describe('The notebook_id returned by create_notebook().') }),
      annotations: { readOnlyHint: true },
    },
    async ({ notebook_id }, ctx) => {
      const notebook = notebooks.get(keyOf(principalOf(ctx), notebook_id));
      if (!notebook) return unknown(notebook_id);
      return { content: [{ type: 'text', text: `${notebook.title}: ${notebook.notes.join('; ') || '(no notes)'}` }] };
    },
  );
  server.registerTool('get_version', { description: 'The server version.', annotations: { readOnlyHint: true } }, async () => ({
    content: [{ type: 'text', text: 'notes-server 1.0.0' }],
  }));
  server.registerTool(
    'delete_notebook',
    { description: 'Delete a notebook.', inputSchema: z.object({ notebook_id: z.string() }), annotations: { destructiveHint: true } },
    async ({ notebook_id }, ctx) => {
      notebooks.delete(keyOf(principalOf(ctx), notebook_id));
      return { content: [{ type: 'text', text: 'Deleted' }] };
    },
  );
  if (unlocked) {
    server.registerTool('export_notebook', { description: 'Export a notebook.', inputSchema: z.object({ notebook_id: z.string() }) }, async () => ({ content: [{ type: 'text', text: '{}' }] }));
  }
  if (FAULTS.has('current-notebook')) {
    server.registerTool('current_notes', { description: 'The notes of the current notebook.', annotations: { readOnlyHint: true } }, async () =>
      current ? { content: [{ type: 'text', text: current.notes.join('; ') || '(no notes)' }] } : { isError: true, content: [{ type: 'text', text: 'No notebook open' }] },
    );
  }
  server.registerResource('about', 'notes://about', { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: 'A notebook server' }] }));
  if (FAULTS.has('resources-grow')) {
    for (let i = 1; i <= connections; i++) {
      server.registerResource(`connection-${i}`, `notes://connections/${i}`, { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: `connection ${i}` }] }));
    }
  }
  server.registerResource('notebook', new ResourceTemplate('notes://notebooks/{notebook_id}', { list: undefined }), { mimeType: 'application/json' }, async (uri, { notebook_id }, ctx) => ({
    contents: [{ uri: uri.href, text: JSON.stringify(notebooks.get(keyOf(principalOf(ctx), String(notebook_id))) ?? null) }],
  }));
  server.registerPrompt('summarise', { description: 'Summarise a notebook.', argsSchema: z.object({ notebook_id: z.string() }) }, async ({ notebook_id }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Summarise notebook ${notebook_id}` } }],
  }));
  return server;
}

/** A new conversation starts with initialize (2025 era) or server/discover (2026-07-28). */
const opensConversation = (message) => message?.method === 'initialize' || message?.method === 'server/discover';

if (process.argv[2] === 'stdio') {
  if (FAULTS.has('resources-grow')) connections++;
  serveStdio(buildServer);
} else {
  const handler = toNodeHandler(createMcpHandler(buildServer));
  const http = createServer(async (req, res) => {
    const sub = PRINCIPALS[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
    if (!sub) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    req.auth = { token: req.headers.authorization.slice(7), clientId: 'verify-test', scopes: [], extra: { sub } };
    if (FAULTS.has('session-id')) res.setHeader('Mcp-Session-Id', randomBytes(8).toString('hex'));
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    if (FAULTS.has('resources-grow') && [body].flat().some(opensConversation)) connections++;
    await handler(req, res, body);
  });
  http.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${http.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}
