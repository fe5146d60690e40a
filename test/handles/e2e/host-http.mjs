// Serves a migrated fixture's server factory over stateless HTTP on 127.0.0.1 (an ephemeral port) behind real
// bearer-token auth, the way a sessionless deployment runs it:
//   node host-http.mjs <module file> <factory export> <v1|v2>
// Prints `LISTENING <port>` once ready. Tokens map to principals: token-alice → alice, token-bob → bob.
// The handle store is whatever the fixture's handle-store module picks from MCP_HANDLE_STORE and friends.
import { pathToFileURL } from 'node:url';
import express from 'express';

const [modulePath, factoryName, sdk] = process.argv.slice(2);
const fixture = await import(pathToFileURL(modulePath).href);
const factory = fixture[factoryName];
if (typeof factory !== 'function') throw new Error(`${modulePath} exports no function ${factoryName}`);

const PRINCIPALS = { 'token-alice': 'alice', 'token-bob': 'bob' };

function authInfoFor(token) {
  const sub = PRINCIPALS[token];
  if (!sub) return undefined;
  return { token, clientId: 'e2e-client', scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600, extra: { sub } };
}

const app = express();

if (sdk === 'v2') {
  const { createMcpHandler, OAuthError, OAuthErrorCode } = await import('@modelcontextprotocol/server');
  const { requireBearerAuth } = await import('@modelcontextprotocol/express');
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const verifier = {
    async verifyAccessToken(token) {
      const info = authInfoFor(token);
      if (!info) throw new OAuthError(OAuthErrorCode.InvalidToken, 'unknown token');
      return info;
    },
  };
  const handler = toNodeHandler(createMcpHandler(() => factory()));
  app.all('/mcp', requireBearerAuth({ verifier }), (req, res) => handler(req, res));
} else {
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { requireBearerAuth } = await import('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js');
  const { InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
  const verifier = {
    async verifyAccessToken(token) {
      const info = authInfoFor(token);
      if (!info) throw new InvalidTokenError('unknown token');
      return info;
    },
  };
  app.use(express.json());
  // Stateless v1 serving: a fresh server and transport per request, no session ids.
  app.post('/mcp', requireBearerAuth({ verifier }), async (req, res) => {
    const server = factory();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const notAllowed = (_req, res) => res.status(405).set('Allow', 'POST').end();
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}

const listener = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${listener.address().port}\n`);
});
process.on('SIGTERM', () => {
  listener.close();
  process.exit(0);
});
