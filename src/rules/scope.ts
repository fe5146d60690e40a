/**
 * What is server code, as data. The audit and the migration look at server code by default; tests, fixtures
 * and MCP client code are left out (they forge session headers, name tests after sessions and hold client-side
 * session ids) and are looked at only with `--include-tests`.
 */

/** Folders whose files are tests or test data, at any depth. `examples/` stays in: examples are servers people run and copy. */
export const TEST_FOLDERS: readonly string[] = ['test', 'tests', '__tests__', '__mocks__', 'e2e', 'fixtures', '__fixtures__'];

/** Folders named for a kind of tests (`test-integration`, `integration-tests`, `e2e_tests`): tests too. */
export const TEST_FOLDER_NAME = /^(?:tests?|e2e)[-_.]\w[\w.-]*$|^[\w.-]*\w[-_.](?:tests?|e2e)$/;

/** File names of tests: `x.test.ts`, `x.spec.js`, `x.e2e.ts`. */
export const TEST_FILE = /\.(?:test|spec|e2e)\.[cm]?[jt]sx?$/;

/** Import specifiers of the MCP client side. */
export const CLIENT_MODULE = /^@modelcontextprotocol\/(?:sdk\/client(?:\/.*)?|client(?:\/.*)?)$/;

/** Import specifiers of the MCP server side (SDK v1 server modules, v2 server and its adapters). */
export const SERVER_MODULE = /^@modelcontextprotocol\/(?:sdk\/server(?:\/.*)?|server(?:\/.*)?|node(?:\/.*)?|express(?:\/.*)?|hono(?:\/.*)?)$/;

/**
 * A hand-written MCP client (no SDK import): it sends the session header on requests of its own (`{ 'Mcp-Session-Id': id }`,
 * `headers['Mcp-Session-Id'] = id`) and serves no HTTP.
 * Gateways forward the header too, but they serve: they listen, or register routes.
 */
export const SENDS_SESSION_HEADER = /['"`]mcp-session-id['"`]\s*(?::|\]\s*=(?!=))/i;
export const SERVES_HTTP = /\b(?:createServer|listen|express|Hono|fastify|serve)\s*\(|\.(?:get|post|all|use|route)\s*\(\s*['"`]\//;
