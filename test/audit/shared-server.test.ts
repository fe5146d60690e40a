/**
 * A server built once and connected to a new transport on every request (src/audit/shared-server.ts): through a
 * module variable, through an object the module keeps (`container.mcpServer`), or through a field of the handler's
 * object (`this.mcpServer`). A server the handler built for its request is not shared, and neither is one the
 * requests take turns with.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../src/analysis/index.js';
import { detectFindings } from '../../src/audit/detectors.js';

const entry = (connect: string) => `import { StreamableHTTPTransport } from '@hono/mcp';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Hono } from 'hono';

class Container {
  constructor(public readonly mcpServer: McpServer) {}
}
export const container = new Container(new McpServer({ name: 'held', version: '1.0.0' }));
const app = new Hono();

app.all('/', async (c) => {
  const transport = new StreamableHTTPTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  ${connect}
  return transport.handleRequest(c);
});

export default app;
`;

const shared = (source: string) =>
  detectFindings(analyzeSources({ 'src/index.ts': source }).model)
    .filter((f) => f.kind === 'shared-server-connect')
    .map((f) => f.state);

describe('a shared server connected per request', () => {
  it('is found through an object the module keeps', () => {
    expect(shared(entry('await container.mcpServer.connect(transport);'))).toEqual(['container.mcpServer']);
  });

  it('is not a server the handler built for its request', () => {
    expect(shared(entry("const session = { server: new McpServer({ name: 'own', version: '1.0.0' }) };\n  await session.server.connect(transport);"))).toEqual([]);
  });

  it('is found through a field of the handler\'s object', () => {
    expect(shared(fieldEntry('await this.mcpServer!.connect(transport);\n      await transport.handleRequest(req, res, req.body);'))).toEqual(['this.mcpServer']);
  });

  it('is not a field the handler assigns for its request', () => {
    const built = "this.mcpServer = new McpServer({ name: 'own', version: '1.0.0' });\n      await this.mcpServer.connect(transport);\n      await transport.handleRequest(req, res, req.body);";
    expect(shared(fieldEntry(built))).toEqual([]);
  });

  it('is not a server the requests take turns with', () => {
    const turns = 'await inTurn(async () => {\n        await this.mcpServer!.connect(transport);\n        await transport.handleRequest(req, res, req.body);\n      });';
    expect(shared(fieldEntry(turns))).toEqual([]);
    // A helper that runs what it is handed at once, without waiting for the one before, is no turn.
    expect(shared(fieldEntry(turns).replace('const turn = queue.then(serve);', 'const turn = serve();'))).toEqual(['this.mcpServer']);
  });
});

const fieldEntry = (serve: string) => `import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

let queue = Promise.resolve();
function inTurn(serve: () => Promise<void>): Promise<void> {
  const turn = queue.then(serve);
  queue = turn.catch(() => {});
  return turn;
}

export class HttpSide {
  private mcpServer?: McpServer;
  private readonly app = express();

  setServer(server: McpServer): void {
    this.mcpServer = server;
  }

  routes(): void {
    this.app.post('/mcp', async (req, res) => {
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      ${serve}
    });
  }
}
`;
