/**
 * Which GET and DELETE routes serve sessions (src/analysis/plumbing.ts): one that reads the session header or uses
 * the session map does; one that only counts the map or checks that it exists (a health or readiness route) does
 * not, and neither does one whose local merely shares the map's name.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../src/analysis/index.js';
import { detectFindings } from '../../src/audit/detectors.js';

const server = (routes: string) => `import express from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { randomUUID } from 'node:crypto';

const transports = new Map<string, StreamableHTTPServerTransport>();
const app = express();

app.post('/mcp', async (req, res) => {
  const id = req.headers['mcp-session-id'] as string | undefined;
  let transport = id ? transports.get(id) : undefined;
  if (!transport) {
    transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (sid) => transports.set(sid, transport!) });
  }
  await transport.handleRequest(req, res, req.body);
});
${routes}
`;

const sessionRoutes = (routes: string) =>
  detectFindings(analyzeSources({ 'src/index.ts': server(routes) }).model)
    .filter((f) => f.kind === 'session-route')
    .map((f) => f.line);

describe('session routes', () => {
  it('a GET route that serves a session stream from the map is one', () => {
    expect(sessionRoutes(`app.get('/mcp', async (req, res) => {\n  await transports.get(String(req.query.id))?.handleRequest(req, res);\n});`)).toEqual([16]);
  });

  it('a route that lists the sessions is one: it reads the map, not only its size', () => {
    expect(sessionRoutes(`app.get('/stats', (_req, res) => {\n  res.json({ sessions: Array.from(transports.keys()) });\n});`)).toEqual([16]);
  });

  it('health and readiness routes that count the map or check that it exists are not', () => {
    const routes = [
      `app.get('/health', (_req, res) => {\n  res.json({ open: transports.size });\n});`,
      `app.get('/health/detailed', (_req, res) => {\n  const open = transports.size;\n  res.json({ open, busy: open > 0 });\n});`,
      `app.get('/ready', (_req, res) => {\n  res.json({ ready: transports !== null });\n});`,
    ].join('\n');
    expect(sessionRoutes(routes)).toEqual([]);
  });

  it('a route whose own local shares the map name is not', () => {
    expect(sessionRoutes(`app.get('/transports', (_req, res) => {\n  const transports = ['streamable-http'];\n  res.json({ transports });\n});`)).toEqual([]);
  });
});
