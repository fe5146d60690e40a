import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { AuthInfo, McpServer } from '@modelcontextprotocol/server';
import type { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { perRequestContextTransform } from '../../transforms/per-request-context.js';
import { processStateToHandlesTransform } from '../../transforms/process-state-to-handles.js';
import { sessionStateToHandlesTransform } from '../../transforms/session-state-to-handles.js';
import { staticListsTransform } from '../../transforms/static-lists.js';
import { buildFixture, buildProject, bytes, connectV1Http, connectV1Stdio, connectV2, importFixture, serveV1, serveV2, textOf, type Served } from './harness.js';

/*
 * The migrated fixture servers, run for real: lists must be byte-identical across connections and
 * before/after the call that used to change them; gated tools must say which tool to call first;
 * credential-filtered lists must still differ by principal.
 */

type Factory = () => McpServer;
const bypass = { cacheMode: 'bypass' } as const;

describe('static-lists e2e, v1 over stdio', () => {
  const clients: ClientV1[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  const open = async (file: string) => {
    const client = await connectV1Stdio(file);
    clients.push(client);
    return client;
  };

  it('login gate: tools/list is static and write_note asks for login first', async () => {
    const file = buildFixture('static-lists/login-gate-v1.output.ts');
    const [first, second] = await Promise.all([open(file), open(file)]);
    const before = await first.listTools();
    expect(before.tools.map((t) => t.name).sort()).toEqual(['delete_note', 'login', 'logout', 'read_note', 'write_note']);
    expect(before.tools.find((t) => t.name === 'write_note')?.description).toContain('Requires calling login first.');

    const refused = await first.callTool({ name: 'write_note', arguments: { title: 'a', text: 'b' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe('write_note is not available yet: call login first.');

    expect(textOf(await first.callTool({ name: 'login', arguments: { user: 'ada', password: 'open sesame' } }))).toBe('Logged in as ada');
    expect(bytes(await first.listTools())).toBe(bytes(before));
    const saved = await first.callTool({ name: 'write_note', arguments: { title: 'a', text: 'b' } });
    expect(saved.isError).toBeFalsy();
    expect(textOf(saved)).toBe('Saved a as ada');

    // Another connection (another process) sees the same list.
    expect(bytes(await second.listTools())).toBe(bytes(before));
  });

  it('the unmigrated login server changes tools/list after login (what the migration removes)', async () => {
    const client = await open(buildFixture('static-lists/login-gate-v1.input.ts'));
    const before = await client.listTools();
    await client.callTool({ name: 'login', arguments: { user: 'ada', password: 'open sesame' } });
    expect(bytes(await client.listTools())).not.toBe(bytes(before));
  });

  it('screenshots: resources/list is static, the creator returns a resource_link that reads back', async () => {
    const file = buildFixture('static-lists/screenshots-v1.output.ts');
    const [first, second] = await Promise.all([open(file), open(file)]);
    const before = await first.listResources();
    const templates = await first.listResourceTemplates();
    expect(templates.resourceTemplates).toEqual([{ uriTemplate: 'screenshot://{name}', name: 'Screenshot', mimeType: 'image/png' }]);

    const shot = await first.callTool({ name: 'screenshot', arguments: { name: 'home', width: 4, height: 3 } });
    const link = (shot.content as Array<{ type: string; uri?: string; name?: string }>).find((c) => c.type === 'resource_link');
    expect(link).toEqual({ type: 'resource_link', uri: 'screenshot://home', name: 'Screenshot: home', mimeType: 'image/png' });
    const read = await first.readResource({ uri: link!.uri! });
    expect(read.contents[0]).toMatchObject({ uri: 'screenshot://home', mimeType: 'image/png', blob: Buffer.from('4x3').toString('base64') });

    expect(bytes(await first.listResources())).toBe(bytes(before));
    expect(bytes(await second.listResources())).toBe(bytes(before));
  });
});

describe('static-lists e2e, v2 over HTTP', () => {
  const served: Served[] = [];
  const clients: Client[] = [];
  let bank: Served;
  let tickets: Served;
  let notes: Served;
  let bookmarks: Served;
  beforeAll(async () => {
    const [bankModule, ticketModule, notesModule, bookmarkModule] = await Promise.all([
      importFixture<{ createServer: Factory }>('static-lists/login-gate-v2.output.ts'),
      importFixture<{ createServer: Factory }>('static-lists/advanced-tools-v2.output.ts'),
      importFixture<{ createServer: Factory }>('static-lists/notes-v2.output.ts'),
      importFixture<{ createServer: Factory }>('static-lists/bookmarks-v2.output.ts'),
    ]);
    [bank, tickets, notes, bookmarks] = await Promise.all([
      serveV2(bankModule.createServer),
      serveV2(ticketModule.createServer),
      serveV2(notesModule.createServer),
      serveV2(bookmarkModule.createServer),
    ]);
    served.push(bank, tickets, notes, bookmarks);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(served.map((s) => s.close()));
  });
  const open = async (url: URL, token?: string) => {
    const client = await connectV2(url, { token });
    clients.push(client);
    return client;
  };

  it('login gate: tools/list and prompts/list are static; the gated tool and prompt ask for sign_in', async () => {
    const [first, second] = await Promise.all([open(bank.url), open(bank.url)]);
    const tools = await first.listTools(undefined, bypass);
    const prompts = await first.listPrompts(undefined, bypass);
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['get_balance', 'sign_in']);
    expect(prompts.prompts.map((p) => p.name)).toEqual(['monthly_statement']);

    const refused = await first.callTool({ name: 'get_balance', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe('get_balance is not available yet: call sign_in first.');
    await expect(first.getPrompt({ name: 'monthly_statement', arguments: { month: 'May' } })).rejects.toThrow(/call sign_in first/);

    await first.callTool({ name: 'sign_in', arguments: { account: 'ada' } });
    expect(textOf(await first.callTool({ name: 'get_balance', arguments: {} }))).toBe('120 EUR');
    expect(bytes(await first.listTools(undefined, bypass))).toBe(bytes(tools));
    expect(bytes(await first.listPrompts(undefined, bypass))).toBe(bytes(prompts));
    expect(bytes(await second.listTools(undefined, bypass))).toBe(bytes(tools));
    expect(bytes(await second.listPrompts(undefined, bypass))).toBe(bytes(prompts));
  });

  it('tools registered by a call are there from the start and ask for the unlocking tool', async () => {
    const [first, second] = await Promise.all([open(tickets.url), open(tickets.url)]);
    const tools = await first.listTools(undefined, bypass);
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['close_ticket', 'enable_admin_tools', 'list_tickets']);
    const refused = await first.callTool({ name: 'close_ticket', arguments: { id: 'T-1' } });
    expect(textOf(refused)).toBe('close_ticket is not available yet: call enable_admin_tools first.');
    await first.callTool({ name: 'enable_admin_tools', arguments: { reason: 'test' } });
    expect(textOf(await first.callTool({ name: 'close_ticket', arguments: { id: 'T-1' } }))).toBe('Closed T-1');
    expect(bytes(await first.listTools(undefined, bypass))).toBe(bytes(tools));
    expect(bytes(await second.listTools(undefined, bypass))).toBe(bytes(tools));
  });

  it('notes: resources/list is static, save_note links to a template resource', async () => {
    const [first, second] = await Promise.all([open(notes.url), open(notes.url)]);
    const before = await first.listResources(undefined, bypass);
    expect((await first.listResourceTemplates(undefined, bypass)).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['note://{title}']);
    await expect(first.readResource({ uri: 'note://missing' })).rejects.toThrow(/call save_note first/);

    const saved = await first.callTool({ name: 'save_note', arguments: { title: 'todo', text: 'buy milk' } });
    const link = (saved.content as Array<{ type: string; uri?: string }>).find((c) => c.type === 'resource_link');
    expect(link).toMatchObject({ uri: 'note://todo', name: 'todo', mimeType: 'text/plain' });
    expect((await second.readResource({ uri: link!.uri! })).contents[0]).toMatchObject({ text: 'buy milk' });
    expect(bytes(await first.listResources(undefined, bypass))).toBe(bytes(before));
    expect(bytes(await second.listResources(undefined, bypass))).toBe(bytes(before));
  });

  it('bookmarks: the template no longer lists what calls added; add_bookmark links to it', async () => {
    const [first, second] = await Promise.all([open(bookmarks.url), open(bookmarks.url)]);
    const before = await first.listResources(undefined, bypass);
    const added = await first.callTool({ name: 'add_bookmark', arguments: { url: 'https://example.com/' } });
    const link = (added.content as Array<{ type: string; uri?: string }>).find((c) => c.type === 'resource_link');
    expect(link).toMatchObject({ uri: 'bookmark://1', name: 'https://example.com/' });
    expect((await second.readResource({ uri: link!.uri! })).contents[0]).toMatchObject({ text: 'https://example.com/' });
    expect(bytes(await first.listResources(undefined, bypass))).toBe(bytes(before));
    expect(bytes(await second.listResources(undefined, bypass))).toBe(bytes(before));
  });
});

describe('static-lists e2e, credential-filtered lists', () => {
  const served: Served[] = [];
  const closers: Array<() => Promise<void>> = [];
  let v2: Served;
  let v1: Served;
  beforeAll(async () => {
    const v2Module = await importFixture<{ createServer: (authInfo?: AuthInfo) => McpServer }>('static-lists/auth-filter-v2.output.ts');
    const v1Module = await importFixture<{ createServer: (authInfo?: AuthInfo) => McpServerV1 }>('static-lists/auth-filter-v1.output.ts');
    [v2, v1] = await Promise.all([serveV2(v2Module.createServer, { auth: true }), serveV1(v1Module.createServer)]);
    served.push(v2, v1);
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    await Promise.all(served.map((s) => s.close()));
  });

  it('v2: lists differ by principal, are stable per principal, and are cached privately', async () => {
    const clients = await Promise.all(['reader-token', 'reader-token', 'writer-token', 'writer-token'].map((token) => connectV2(v2.url, { token })));
    closers.push(...clients.map((c) => () => c.close()));
    const [readerA, readerB, writerA, writerB] = await Promise.all(clients.map((c) => c.listTools(undefined, bypass)));
    expect(readerA!.tools.map((t) => t.name)).toEqual(['read_report']);
    expect(writerA!.tools.map((t) => t.name)).toEqual(['read_report', 'publish_report']);
    expect(bytes(readerB)).toBe(bytes(readerA));
    expect(bytes(writerB)).toBe(bytes(writerA));
    expect((await clients[0]!.listPrompts(undefined, bypass)).prompts).toEqual([]);
    expect((await clients[2]!.listPrompts(undefined, bypass)).prompts.map((p) => p.name)).toEqual(['review']);

    // On the wire the filtered list says it is private (the fixture's server-wide hint said public).
    const response = await fetch(v2.url, {
      method: 'POST',
      headers: { authorization: 'Bearer writer-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    const body = (await response.json()) as { result?: { cacheScope?: string; ttlMs?: number } };
    expect(body.result).toMatchObject({ cacheScope: 'private', ttlMs: 60_000 });
  });

  it('v1: lists differ by principal and are stable per principal', async () => {
    const clients = await Promise.all(['reader-token', 'reader-token', 'writer-token'].map((token) => connectV1Http(v1.url, token)));
    closers.push(...clients.map((c) => () => c.close()));
    const [readerA, readerB, writer] = await Promise.all(clients.map((c) => c.listTools()));
    expect(readerA!.tools.map((t) => t.name)).toEqual(['read_report']);
    expect(writer!.tools.map((t) => t.name)).toEqual(['read_report', 'publish_report']);
    expect(bytes(readerB)).toBe(bytes(readerA));
  });
});

describe('static-lists e2e, after the state transform', () => {
  let served: Served;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    // The registry order: state becomes handles first, then the lists become static.
    const input = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pipeline', 'admin-server.ts'), 'utf8');
    const run = transformFiles({ 'src/server.ts': input }, { transforms: [sessionStateToHandlesTransform, processStateToHandlesTransform, staticListsTransform, perRequestContextTransform] });
    expect(run.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const root = buildProject('pipeline-admin', { 'src/server.ts': input, ...run.changed });
    const module = (await import(pathToFileURL(join(root, 'src', 'server.js')).href)) as { buildServer: () => McpServerV1 };
    served = await serveV1(module.buildServer);
  });
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()));
    await served.close();
  });

  it('the gated tool takes the login handle; lists stay the same for everyone, before and after login', async () => {
    const [writer, reader] = await Promise.all([connectV1Http(served.url, 'writer-token'), connectV1Http(served.url, 'reader-token')]);
    closers.push(() => writer.close(), () => reader.close());
    const before = await writer.listTools();
    const deleteUser = before.tools.find((t) => t.name === 'delete_user');
    expect(deleteUser?.description).toBe('Delete a user. Requires calling login first.');
    expect(deleteUser?.inputSchema.properties?.session_id).toMatchObject({ description: 'The session_id returned by login().' });

    const login = await writer.callTool({ name: 'login', arguments: { user: 'root' } });
    const { session_id } = login.structuredContent as { session_id: string };
    expect(textOf(await writer.callTool({ name: 'delete_user', arguments: { session_id, id: 'u1' } }))).toBe('root deleted Ada');
    // Another principal holding the id is refused, with a message naming the tool to call.
    const refused = await reader.callTool({ name: 'delete_user', arguments: { session_id, id: 'u1' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('login');

    expect(bytes(await writer.listTools())).toBe(bytes(before));
    expect(bytes(await reader.listTools())).toBe(bytes(before));
  });
});
