/**
 * A check for the initialize request routes sessions only where something keeps them (src/analysis/plumbing.ts):
 * next to a session transport, a session map or the Mcp-Session-Id header it is initialize routing; in a server
 * that keeps no session at all it only looks at the request (the client's name for a usage log, say).
 */
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../src/analysis/index.js';
import { detectFindings } from '../../src/audit/detectors.js';

const server = (generator: string, extra = '') => `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

function clientName(body: string): string | undefined {
  const parsed = JSON.parse(body);
  return parsed.method === 'initialize' ? String(parsed.params?.clientInfo?.name) : undefined;
}

export async function handle(request: Request): Promise<Response> {
  const body = await request.text();
  console.log('usage from', clientName(body));
  ${extra}
  const server = new McpServer({ name: 'tools', version: '1.0.0' });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: ${generator} });
  await server.connect(transport);
  return transport.handleRequest(new Request(request.url, { method: 'POST', headers: request.headers, body }));
}
`;

const initializeRouting = (source: string) =>
  detectFindings(analyzeSources({ 'src/index.ts': source }).model)
    .filter((f) => f.kind === 'initialize-routing')
    .map((f) => f.line);

describe('initialize checks', () => {
  it('are initialize routing where the transport mints session ids', () => {
    expect(initializeRouting(server('() => crypto.randomUUID()'))).toEqual([6]);
  });

  it('are initialize routing where the server reads the Mcp-Session-Id header', () => {
    expect(initializeRouting(server('undefined', "if (request.headers.get('mcp-session-id')) return new Response(null, { status: 404 });"))).toEqual([6]);
  });

  it('route nothing in a server that keeps no session', () => {
    expect(initializeRouting(server('undefined'))).toEqual([]);
  });
});
