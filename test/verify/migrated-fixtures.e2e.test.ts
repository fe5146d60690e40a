import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStateToHandlesTransform } from '../../transforms/session-state-to-handles.js';
import { toVerifyText } from '../../src/verify/format/text.js';
import type { Scenario } from '../../src/verify/scenario.js';
import { verifyServer } from '../../src/verify/verify.js';
import { buildCase, deleteRedisKeys, redisPrefix, startHttp, type Built, type E2ECase, type HttpServer } from '../handles/e2e/support.js';
import { removeRunnables, runnableFixture, startServer, type RunningServer } from '../transport/e2e-support.js';
import { ALICE, BOB, failureLines } from './support.js';

/**
 * The migrated fixture servers pass verify. Transport fixtures (echo servers, SDK v1 and v2) are served as the
 * migration wrote them; session-state fixtures run in two host processes behind bearer auth (alice, bob) that
 * share the real Redis, so the principal and replica checks run too.
 */
const TRANSPORT_HTTP = [
  'express-v1', 'express-v2', 'node-http-v1', 'node-http-v2', 'hono-v1', 'hono-v2', 'sse-express-v1', 'compat-sse-streamable-v1',
  'express-inline-server-v1', 'singleton-module-transport-v1', 'json-response-sessions-v1', 'stateless-per-request-v2', 'cjs-express-v1',
  'event-store-v1', 'factory-elsewhere-v2', 'factory-readonly-closure-v2', 'session-error-guard-v1', 'session-error-guard-v2',
  'transport-resolver-v1', 'sse-helper-connector-v1', 'sse-routed-helpers-v1', 'destructured-factory-v1', 'sdk-source-relative-v1',
  'fastmcp-http-stream', 'marked-factory-state-v1',
];
const TRANSPORT_STDIO = ['stdio-v2', 'stdio-v2-factory'];
const NO_DELETE_ROUTE = ['json-response-sessions-v1', 'cjs-express-v1', 'factory-elsewhere-v2', 'marked-factory-state-v1'];

/**
 * Session-state fixtures: where the migrated factory lives and which SDK line serves it. Where no tool using
 * the handle is a reader by name or annotation, or the creator needs a value only the fixture knows, a
 * scenario says so, as a user would.
 */
const SESSION_STATE: Array<Pick<E2ECase, 'fixture' | 'sdk' | 'http'> & { scenario?: Scenario; handles?: false }> = [
  { fixture: 'cart-v1', sdk: 'v1', http: { module: 'src/server.ts', factory: 'buildServer' } },
  { fixture: 'cart-v2', sdk: 'v2', http: { module: 'src/server.ts', factory: 'buildServer' }, scenario: { calls: [{ tool: 'cart_total' }] } },
  { fixture: 'tabs-v2-js', sdk: 'v2', http: { module: 'src/server.js', factory: 'createServer' } },
  { fixture: 'notebook-helper-v2', sdk: 'v2', http: { module: 'src/server.ts', factory: 'buildServer' } },
  { fixture: 'cart-total-v1-js', sdk: 'v1', http: { module: 'src/server.js', factory: 'createServer' }, scenario: { calls: [{ tool: 'cart_total' }] } },
  { fixture: 'todos-v1-js', sdk: 'v1', http: { module: 'src/server.js', factory: 'createServer' } },
  { fixture: 'notes-v2', sdk: 'v2', http: { module: 'src/server.ts', factory: 'buildServer' } },
  { fixture: 'history-v1-js', sdk: 'v1', http: { module: 'src/server.js', factory: 'createServer' } },
  { fixture: 'notebook-v2', sdk: 'v2', http: { module: 'src/server.ts', factory: 'createServer' } },
  { fixture: 'quiz-v1-js', sdk: 'v1', http: { module: 'src/server.js', factory: 'createServer' }, scenario: { calls: [{ tool: 'next_question' }] } },
  { fixture: 'project-v1', sdk: 'v1', http: { module: 'src/server.ts', factory: 'buildServer' }, scenario: { calls: [{ tool: 'set_active_project', arguments: { name: 'website' } }] } },
  // Its selection (use_database) became an explicit `database` parameter: no handle to check, only the protocol.
  { fixture: 'database-v2-js', sdk: 'v2', http: { module: 'src/server.js', factory: 'createServer' }, handles: false },
];

const SUITE = 'verify';
afterAll(() => removeRunnables(SUITE));

describe('migrated transport fixtures', () => {
  for (const name of TRANSPORT_HTTP) {
    it(`${name} over HTTP`, async () => {
      let server: RunningServer | undefined;
      try {
        server = await startServer(runnableFixture(SUITE, name));
        const report = await verifyServer({ kind: 'http', url: server.url });
        expect(failureLines(report, 'error')).toEqual([]);
        // Inputs without a DELETE route keep having none: the endpoint answers 404 there, a warning.
        expect(failureLines(report, 'warning')).toEqual(NO_DELETE_ROUTE.includes(name) ? ['get-delete-405 DELETE /mcp: DELETE answered 404; a sessionless endpoint answers 405 Method Not Allowed'] : []);
        expect(report.outcomes).toContainEqual(expect.objectContaining({ check: 'session-id', status: 'pass' }));
      } finally {
        await server?.stop();
      }
    });
  }
  for (const name of TRANSPORT_STDIO) {
    it(`${name} over stdio`, async () => {
      const report = await verifyServer({ kind: 'stdio', command: process.execPath, args: [runnableFixture(SUITE, name)] });
      expect(failureLines(report)).toEqual([]);
      expect(report.protocolVersion).toBe('2026-07-28');
    });
  }
});

describe.each(SESSION_STATE)('migrated session-state fixture $fixture', (fixture) => {
  let built: Built;
  let replicas: HttpServer[] = [];
  const prefix = redisPrefix();
  beforeAll(async () => {
    const testCase = { fixture: fixture.fixture, sdk: fixture.sdk, http: fixture.http, transform: sessionStateToHandlesTransform } as E2ECase;
    built = buildCase(testCase);
    const env = { MCP_HANDLE_STORE: 'redis', MCP_HANDLE_KEY_PREFIX: prefix };
    replicas = await Promise.all([startHttp(built, testCase, env), startHttp(built, testCase, env)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    built?.remove();
    await deleteRedisKeys(prefix);
  });

  it('passes with two principals and a second replica', async () => {
    const [one, two] = replicas;
    const report = await verifyServer({ kind: 'http', url: one!.url.href, headers: ALICE, headersB: BOB, replicaUrl: two!.url.href }, { scenario: fixture.scenario });
    const text = toVerifyText(report) + report.outcomes.filter((o) => o.status === 'skip').map((o) => `skip ${o.check} ${o.subject}: ${o.message}`).join('\n');
    expect(failureLines(report), text).toEqual([]);
    const passed = new Set(report.outcomes.filter((o) => o.status === 'pass').map((o) => o.check));
    if (fixture.handles === false) {
      expect(report.outcomes.some((o) => o.check.startsWith('handle-')), text).toBe(false);
      return;
    }
    expect(passed, text).toContain('handle-entropy');
    expect(passed, text).toContain('handle-principal');
    expect(passed, text).toContain('handle-replica');
  });
});
