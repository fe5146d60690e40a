import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the batch harness, without declarations
import { migratedSites, transportFindings } from '../../scripts/batch/sites.mjs';
import { auditFiles } from '../../src/audit/audit.js';
import { TRANSPORT_KINDS } from '../../src/audit/decisions.js';

/** The harness's accounting of migrated sites: gone from the audit, and no marker left for them. */
describe('migratedSites', () => {
  const key = (rule: string, file: string, what: string) => `${rule}|${file}|${what}`;

  it('a site without a state name is migrated when the markers of its rule in its file belong to the sites still there', () => {
    const before = new Map([
      [key('SL005', 'server.ts', 'line:10'), 1],
      [key('SL005', 'server.ts', 'line:20'), 1],
      [key('SL005', 'server.ts', 'line:30'), 1],
    ]);
    const after = new Map([
      [key('SL005', 'server.ts', 'line:20'), 1],
      [key('SL005', 'server.ts', 'line:30'), 1],
    ]);
    const markers = [
      { rule: 'SL005', file: 'server.ts', text: 'resource subscriptions tracked per session' },
      { rule: 'SL005', file: 'server.ts', text: 'logging/setLevel stored per connection' },
    ];
    expect(migratedSites(before, after, markers)).toBe(1);
  });

  it('a site without a state name that left a marker of its own was declined', () => {
    const before = new Map([
      [key('SL005', 'server.ts', 'line:10'), 1],
      [key('SL005', 'server.ts', 'line:20'), 1],
    ]);
    const after = new Map([[key('SL005', 'server.ts', 'line:20'), 1]]);
    const markers = [
      { rule: 'SL005', file: 'server.ts', text: 'client info copied once per connection' },
      { rule: 'SL005', file: 'server.ts', text: 'resource subscriptions tracked per session' },
    ];
    expect(migratedSites(before, after, markers)).toBe(0);
  });

  it('a named site is declined when a marker names it, whatever else is left', () => {
    const before = new Map([[key('SL003', 'carts.ts', 'state:carts'), 1]]);
    const markers = [{ rule: 'SL003', file: 'carts.ts', text: 'carts is keyed by the session id' }];
    expect(migratedSites(before, new Map(), markers)).toBe(0);
    expect(migratedSites(before, new Map(), [])).toBe(1);
  });
});

/** "Transport migrated" counts the serving code's findings, not an application's own read of the session id. */
describe('transportFindings', () => {
  const server = (tool: string) => `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
export function createServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool('whoami', { description: 'who' }, async (extra) => ({ content: [{ type: 'text', text: ${tool} }] }));
  return server;
}
`;

  it('ignores a tool that reads the session id, and counts the session map and routing of an entry', () => {
    const readOnly = auditFiles({ 'server.ts': server('extra.sessionId ?? "none"') });
    expect(readOnly.findings.map((f) => f.rule)).toContain('SL001');
    expect(transportFindings(readOnly.findings, TRANSPORT_KINDS)).toBe(0);

    const entry = auditFiles({
      'server.ts': server('"me"'),
      'http.ts': `import express from 'express';
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer } from './server.js';
const transports: Record<string, StreamableHTTPServerTransport> = {};
const app = express();
app.post('/mcp', async (req, res) => {
  const sid = req.headers['mcp-session-id'] as string | undefined;
  let transport = sid ? transports[sid] : undefined;
  if (!transport) {
    transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => { transports[id] = transport!; } });
    await createServer().connect(transport);
  }
  await transport.handleRequest(req, res, req.body);
});
app.listen(3000);
`,
    });
    expect(transportFindings(entry.findings, TRANSPORT_KINDS)).toBeGreaterThan(2);
  });
});
