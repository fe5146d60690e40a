/**
 * A server built once and connected to a new transport on every request (src/audit/shared-server.ts): through a
 * module variable, or through an object the module keeps (`container.mcpServer`). A server the handler built for
 * its request is not shared.
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
    .filter((f) => f.message.includes('built once for the module'))
    .map((f) => f.state);

describe('a shared server connected per request', () => {
  it('is found through an object the module keeps', () => {
    expect(shared(entry('await container.mcpServer.connect(transport);'))).toEqual(['container.mcpServer']);
  });

  it('is not a server the handler built for its request', () => {
    expect(shared(entry("const session = { server: new McpServer({ name: 'own', version: '1.0.0' }) };\n  await session.server.connect(transport);"))).toEqual([]);
  });
});
