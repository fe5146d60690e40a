import type { SdkLine } from './sdk.js';

/**
 * What the stateless-transport transforms know about the MCP SDKs' serving surface, as data.
 * Module specifiers are compared without a trailing `.js` and `/index`, so `…/streamableHttp.js`
 * and `…/streamableHttp` (bundler and CommonJS projects) both match.
 */

/** How a transport is driven: Node `(req, res)`, web-standard `Request → Response`, deprecated HTTP+SSE, or stdio. */
export type TransportKind = 'node' | 'web' | 'sse' | 'stdio';

/** An SDK transport class a server entry constructs. */
export interface TransportClass {
  name: string;
  module: string;
  line: SdkLine;
  kind: TransportKind;
  /** `handleRequest` takes the web framework's context (Hono's `c`), whose request is `c.req`. */
  takesContext?: boolean;
}

export const TRANSPORT_CLASSES: readonly TransportClass[] = [
  { name: 'StreamableHTTPServerTransport', module: '@modelcontextprotocol/sdk/server/streamableHttp', line: 'v1', kind: 'node' },
  { name: 'WebStandardStreamableHTTPServerTransport', module: '@modelcontextprotocol/sdk/server/webStandardStreamableHttp', line: 'v1', kind: 'web' },
  { name: 'SSEServerTransport', module: '@modelcontextprotocol/sdk/server/sse', line: 'v1', kind: 'sse' },
  { name: 'StdioServerTransport', module: '@modelcontextprotocol/sdk/server/stdio', line: 'v1', kind: 'stdio' },
  // Hono's middleware package: the v1 SDK's web-standard transport behind `handleRequest(c)` on a Hono context.
  { name: 'StreamableHTTPTransport', module: '@hono/mcp', line: 'v1', kind: 'web', takesContext: true },
  { name: 'NodeStreamableHTTPServerTransport', module: '@modelcontextprotocol/node', line: 'v2', kind: 'node' },
  { name: 'WebStandardStreamableHTTPServerTransport', module: '@modelcontextprotocol/server', line: 'v2', kind: 'web' },
  { name: 'StdioServerTransport', module: '@modelcontextprotocol/server/stdio', line: 'v2', kind: 'stdio' },
  // Where the official v1-to-v2 codemod points `…/sdk/server/stdio.js` imports.
  { name: 'StdioServerTransport', module: '@modelcontextprotocol/server', line: 'v2', kind: 'stdio' },
];

/** SDK server classes: `new` of one of these is a server instance (for factory extraction). */
export const SERVER_CLASSES: ReadonlyArray<{ name: string; module: string }> = [
  { name: 'McpServer', module: '@modelcontextprotocol/sdk/server/mcp' },
  { name: 'Server', module: '@modelcontextprotocol/sdk/server' },
  { name: 'McpServer', module: '@modelcontextprotocol/server' },
  { name: 'Server', module: '@modelcontextprotocol/server' },
];

/** Transport methods that serve one request (`transport.handleRequest(req, res)`, HTTP+SSE's `handlePostMessage`). */
export const SERVE_METHODS: readonly string[] = ['handleRequest', 'handlePostMessage'];

/** SDK helpers that only exist to route sessions; every use of them is session plumbing. */
export const SESSION_HELPERS: ReadonlyArray<{ name: string; module: string }> = [
  { name: 'isInitializeRequest', module: '@modelcontextprotocol/sdk/types' },
  { name: 'isInitializeRequest', module: '@modelcontextprotocol/server' },
];

/**
 * What happens to each streamable-HTTP transport option when the entry becomes stateless.
 * - `session`: belongs to the session lifecycle; dropped (v1 output sets `sessionIdGenerator: undefined`).
 * - `keep`: carried over unchanged to the per-request v1 transport.
 * - v2 `{ option }`: becomes a `createMcpHandler` option (with `values` mapping literal texts when given);
 *   v2 `block`: `createMcpHandler` has no equivalent, so the entry is left as is with a marker.
 * Options missing from the table are kept on v1 and block on v2.
 */
export type V2OptionPolicy = 'session' | 'block' | { option: string; values?: Readonly<Record<string, string>> };

export const TRANSPORT_OPTIONS: Readonly<Record<string, { v1: 'session' | 'keep'; v2: V2OptionPolicy }>> = {
  sessionIdGenerator: { v1: 'session', v2: 'session' },
  onsessioninitialized: { v1: 'session', v2: 'session' },
  onsessionclosed: { v1: 'session', v2: 'session' },
  // Resumability replays a session's stream; without sessions there is nothing to replay.
  eventStore: { v1: 'session', v2: 'session' },
  retryInterval: { v1: 'session', v2: 'session' },
  enableJsonResponse: { v1: 'keep', v2: { option: 'responseMode', values: { true: "'json'", false: "'auto'" } } },
  keepAliveMs: { v1: 'keep', v2: { option: 'keepAliveMs' } },
  maxRequestBodySize: { v1: 'keep', v2: { option: 'maxRequestBodySize' } },
  // createMcpHandler validates nothing itself: host/origin checks must move to middleware, which needs a person.
  allowedHosts: { v1: 'keep', v2: 'block' },
  allowedOrigins: { v1: 'keep', v2: 'block' },
  enableDnsRebindingProtection: { v1: 'keep', v2: 'block' },
};

/**
 * Frameworks that own their transport and keep MCP sessions themselves, with the switch that makes them serve
 * statelessly. FastMCP's `httpStream.stateless: true` builds a fresh session (and server) for every request and
 * answers GET and DELETE on the endpoint with 405: the v1 entry this transform writes, done by the framework.
 */
export interface FrameworkServing {
  /** The class a server is built with, and the module it is imported from. */
  name: string;
  module: string;
  /** The framework's own sources, for its examples that import it relatively (`../FastMCP.js` → `src/FastMCP`). */
  sourcePath: string;
  /** `server.start({ transportType: 'httpStream', httpStream: { …, stateless: true } })`. */
  startMethod: string;
  transportKey: string;
  httpTransport: string;
  httpOptionsKey: string;
  statelessKey: string;
}

export const FRAMEWORK_SERVING: readonly FrameworkServing[] = [
  { name: 'FastMCP', module: 'fastmcp', sourcePath: 'src/FastMCP', startMethod: 'start', transportKey: 'transportType', httpTransport: 'httpStream', httpOptionsKey: 'httpStream', statelessKey: 'stateless' },
];

/** Imports the v2 serving entries need. */
export const V2_ENTRY_IMPORTS = {
  createMcpHandler: { name: 'createMcpHandler', module: '@modelcontextprotocol/server' },
  toNodeHandler: { name: 'toNodeHandler', module: '@modelcontextprotocol/node' },
  serveStdio: { name: 'serveStdio', module: '@modelcontextprotocol/server/stdio' },
} as const;

/** The v1 stateless transports, by kind, for entries converted from HTTP+SSE. */
export const V1_STREAMABLE = {
  node: { name: 'StreamableHTTPServerTransport', module: '@modelcontextprotocol/sdk/server/streamableHttp' },
  web: { name: 'WebStandardStreamableHTTPServerTransport', module: '@modelcontextprotocol/sdk/server/webStandardStreamableHttp' },
} as const;

/** Node HTTP modules whose `createServer(handler)` makes a request handler. */
export const NODE_HTTP_MODULES: readonly string[] = ['node:http', 'http', 'node:https', 'https'];

/** Names of a route path kept in configuration (`config.mcpHttpEndpointPath`, `MCP_PATH`, `settings.endpoint`). */
export const ROUTE_PATH_NAME = /(?:path|endpoint|route)$/i;

/** Route registration methods (Express, Hono, Fastify-style routers) an MCP endpoint is mounted with. */
export const ROUTE_METHODS: Readonly<Record<string, 'post' | 'get' | 'delete' | 'all'>> = {
  post: 'post',
  get: 'get',
  delete: 'delete',
  all: 'all',
};

/** The session header (compared case-insensitively) and the HTTP+SSE query parameter that carry a session id. */
export const SESSION_HEADER = 'mcp-session-id';
export const SSE_SESSION_PARAM = 'sessionId';

/** Where the endpoint of a converted HTTP+SSE server lives unless the user picks another path. */
export const DEFAULT_STREAMABLE_PATH = '/mcp';

/** The body of every 405 answer, identical to what `createMcpHandler` sends for GET/DELETE. */
export const METHOD_NOT_ALLOWED_BODY = "{ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }";

/**
 * The SDK's own sources import each other relatively (its examples: `../../server/streamableHttp.js`). A relative
 * specifier that resolves to `src/<subpath>` stands for `@modelcontextprotocol/sdk/<subpath>` when that subpath
 * is one of the SDK modules these tables name (and the imported name matches the table's, which callers check).
 */
export const SDK_SOURCE_ROOT = { folder: 'src', package: '@modelcontextprotocol/sdk' } as const;

/** The v1 SDK modules the tables above name, without the package prefix (`server/streamableHttp`, `types`). */
export function sdkSourceSubpaths(): Set<string> {
  const prefix = `${SDK_SOURCE_ROOT.package}/`;
  const modules = [...TRANSPORT_CLASSES, ...SERVER_CLASSES, ...SESSION_HELPERS, ...Object.values(V1_STREAMABLE)].map((entry) => entry.module);
  return new Set(modules.filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length)));
}

/** Strip what import specifiers may or may not spell, so table modules match both. */
export function normalizeModule(specifier: string): string {
  return specifier.replace(/\.(c|m)?js$/, '').replace(/\/index$/, '');
}
