import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CreateMessageRequestSchema, type ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { loadFixtureCases } from '../helpers/fixtures.js';
import { buildProject, bytes, textOf } from './harness.js';

/*
 * The migrated capability-tools-v1 fixture (tools registered in oninitialized only for clients that
 * declared sampling or elicitation), run with the real v1 SDK: over stdio as a 2025-era client sees it,
 * and served statelessly over HTTP, where each request must carry its own declaration in _meta.
 */

/** The fixture pair, as the fixture suite reads it. */
const CASE = loadFixtureCases('static-lists').find((c) => c.name === 'capability-tools-v1')!;

const SAMPLED = 'A quiet day by the sea.';

/** A v1 client on a fresh stdio child; one declaring sampling answers sampling requests. */
async function stdioClient(root: string, capabilities: ClientCapabilities): Promise<Client> {
  const client = new Client({ name: 'journal-e2e', version: '1.0.0' }, { capabilities });
  if (capabilities.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: 'test-model', role: 'assistant', content: { type: 'text', text: SAMPLED } }));
  }
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(root, 'src', 'main.js')], stderr: 'ignore' }));
  return client;
}

/** Serve a server factory statelessly: a fresh server and transport per request, so nothing spans requests. */
async function serveStateless(factory: () => McpServer): Promise<{ url: URL; close(): Promise<void> }> {
  const app = express();
  app.use(express.json());
  app.post('/mcp', async (req, res) => {
    const server = factory();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http: HttpServer = createHttpServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const names = (list: { tools: Array<{ name: string }> }) => list.tools.map((t) => t.name).sort();

describe('capability-gated tools e2e (v1, real Client)', () => {
  const clients: Client[] = [];
  let migrated: string;
  let original: string;
  beforeAll(() => {
    migrated = buildProject('capability-tools-v1-output', CASE.output);
    original = buildProject('capability-tools-v1-input', CASE.input);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  const open = async (root: string, capabilities: ClientCapabilities) => {
    const client = await stdioClient(root, capabilities);
    clients.push(client);
    return client;
  };

  it('before: the tool list depends on what the connecting client declared', async () => {
    const [sampler, plain] = await Promise.all([open(original, { sampling: {} }), open(original, {})]);
    expect(names(await sampler.listTools())).toContain('draft_entry');
    expect(names(await plain.listTools())).not.toContain('draft_entry');
  });

  it('after: every client sees the same list, the gated tools included', async () => {
    const [sampler, plain] = await Promise.all([open(migrated, { sampling: {} }), open(migrated, {})]);
    const listed = await sampler.listTools();
    expect(names(listed)).toEqual(['confirm_entry', 'draft_entry', 'entry_count', 'peer_report']);
    expect(bytes(await plain.listTools())).toBe(bytes(listed));
  });

  it('a client declaring sampling can call the gated tool; one that does not gets a tool error naming it', async () => {
    const [sampler, plain] = await Promise.all([open(migrated, { sampling: {} }), open(migrated, {})]);
    const drafted = await sampler.callTool({ name: 'draft_entry', arguments: { topic: 'the sea' } });
    expect(drafted.isError).toBeFalsy();
    expect(textOf(drafted)).toBe(`Draft: ${SAMPLED}`);
    const refused = await plain.callTool({ name: 'draft_entry', arguments: { topic: 'the sea' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe('draft_entry needs a client that declares the sampling capability.');
  });

  it('served per request, the declaration comes from each request\'s _meta', async () => {
    const { buildJournalServer } = (await import(pathToFileURL(join(migrated, 'src', 'server.js')).href)) as { buildJournalServer: () => McpServer };
    const served = await serveStateless(buildJournalServer);
    // The client declares elicitation at initialize, but initialize reaches a server instance no later request sees.
    const client = new Client({ name: 'journal-e2e', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    try {
      await client.connect(new StreamableHTTPClientTransport(served.url));
      expect(names(await client.listTools())).toContain('confirm_entry');
      const refused = await client.callTool({ name: 'confirm_entry', arguments: { entryId: 'e1' } });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe('confirm_entry needs a client that declares the elicitation capability.');
      const meta = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, roots: {} } };
      const asked = await client.callTool({ name: 'confirm_entry', arguments: { entryId: 'e1' }, _meta: meta });
      expect(asked.isError).toBeFalsy();
      expect(textOf(asked)).toBe('Asked about e1');
      // A value the tool used to compute at registration is read per request too.
      expect(textOf(await client.callTool({ name: 'peer_report', arguments: {}, _meta: meta }))).toBe('client shares its roots');
      expect(textOf(await client.callTool({ name: 'peer_report', arguments: {} }))).toBe('client keeps its roots to itself');
    } finally {
      await client.close();
      await served.close();
    }
  });
});
