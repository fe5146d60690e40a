import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import ts from 'typescript';
import { Client, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';
import { requireBearerAuth as requireBearerAuthV2 } from '@modelcontextprotocol/express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type AuthInfo, type McpServer } from '@modelcontextprotocol/server';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { requireBearerAuth as requireBearerAuthV1 } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import type { McpServer as McpServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', 'fixtures');
/** Inside the repository so the servers resolve the real SDKs from its node_modules (gitignored). */
const SERVERS = join(HERE, '.servers');

/** Transpile a migrated fixture (`static-lists/login-gate-v1.output.ts`) into a runnable module. */
export function buildFixture(fixture: string): string {
  const source = readFileSync(join(FIXTURES, fixture), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: fixture,
  });
  const out = join(SERVERS, fixture.replace(/[/\\]/g, '__').replace(/\.[cm]?[jt]s$/, '.mjs'));
  mkdirSync(SERVERS, { recursive: true });
  writeFileSync(out, outputText);
  return out;
}

/** Transpile a set of project files (root-relative paths) into `.servers/<name>/` as an ES module package. */
export function buildProject(name: string, files: Record<string, string>): string {
  const root = join(SERVERS, name);
  for (const [path, source] of Object.entries(files)) {
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: path });
    const out = join(root, path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  return root;
}

export async function importFixture<T>(fixture: string): Promise<T> {
  return (await import(pathToFileURL(buildFixture(fixture)).href)) as T;
}

/** Tokens for the bearer-auth tests: principal and scopes per token. */
const TOKENS: Record<string, { principal: string; scopes: string[] }> = {
  'reader-token': { principal: 'reader', scopes: ['reports:read'] },
  'writer-token': { principal: 'writer', scopes: ['reports:read', 'reports:write'] },
};

/** A tiny verifier for the SDKs' own bearer-auth helpers. */
export const verifier = {
  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const entry = TOKENS[token];
    if (!entry) {
      const { OAuthError, OAuthErrorCode } = await import('@modelcontextprotocol/server');
      throw new OAuthError(OAuthErrorCode.InvalidToken, 'unknown token');
    }
    return { token, clientId: entry.principal, scopes: entry.scopes, expiresAt: Math.floor(Date.now() / 1000) + 3600, extra: { sub: entry.principal } };
  },
};

/** v1 expects its own InvalidTokenError class; the shapes are otherwise the same. */
export const verifierV1 = {
  async verifyAccessToken(token: string) {
    const entry = TOKENS[token];
    if (!entry) {
      const { InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');
      throw new InvalidTokenError('unknown token');
    }
    return { token, clientId: entry.principal, scopes: entry.scopes, expiresAt: Math.floor(Date.now() / 1000) + 3600 };
  },
};

export interface Served {
  url: URL;
  close(): Promise<void>;
}

async function listen(server: HttpServer): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new URL(`http://127.0.0.1:${port}/mcp`);
}

function closer(server: HttpServer, extra?: () => Promise<void>): () => Promise<void> {
  return async () => {
    await extra?.();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** Serve a v2 per-request factory with createMcpHandler on 127.0.0.1, optionally behind bearer auth. */
export async function serveV2(factory: (authInfo?: AuthInfo) => McpServer, options: { auth?: boolean } = {}): Promise<Served & { handler: ReturnType<typeof createMcpHandler> }> {
  const handler = createMcpHandler(({ authInfo }) => factory(authInfo));
  return serveHandlerV2(handler, options);
}

export async function serveHandlerV2<H extends ReturnType<typeof createMcpHandler>>(handler: H, options: { auth?: boolean } = {}): Promise<Served & { handler: H }> {
  const node = toNodeHandler(handler);
  let http: HttpServer;
  if (options.auth) {
    const app = express();
    app.all('/mcp', requireBearerAuthV2({ verifier }), (req, res) => void node(req, res));
    http = createHttpServer(app);
  } else {
    http = createHttpServer((req, res) => void node(req, res));
  }
  const url = await listen(http);
  return { url, handler, close: closer(http, () => handler.close()) };
}

/** Serve a v1 server factory statelessly (fresh server and transport per request) behind v1 bearer auth. */
export async function serveV1(factory: (authInfo?: AuthInfo) => McpServerV1): Promise<Served> {
  const app = express();
  app.use(express.json());
  app.post('/mcp', requireBearerAuthV1({ verifier: verifierV1 }), async (req, res) => {
    // The v1 transport hands `req.auth` to handlers as `extra.authInfo`.
    const server = factory((req as unknown as { auth?: AuthInfo }).auth);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http = createHttpServer(app);
  return { url: await listen(http), close: closer(http) };
}

/** A v2 client speaking the 2026-07-28 revision. */
export async function connectV2(url: URL, options: { token?: string; capabilities?: ClientCapabilities; name?: string } = {}): Promise<Client> {
  const client = new Client(
    { name: options.name ?? 'lists-e2e', version: '1.0.0' },
    { capabilities: options.capabilities ?? {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

export async function connectV1Http(url: URL, token: string): Promise<ClientV1> {
  const client = new ClientV1({ name: 'lists-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransportV1(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** A v1 client on a fresh stdio child process running the built server. */
export async function connectV1Stdio(file: string): Promise<ClientV1> {
  const client = new ClientV1({ name: 'lists-e2e', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [file], stderr: 'ignore' }));
  return client;
}

/** Text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.find((c) => c.type === 'text')?.text ?? '';
}

/** The list as it went over the wire, for byte comparison. */
export function bytes(value: unknown): string {
  return JSON.stringify(value);
}
