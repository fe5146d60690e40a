import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFetch, removeRunnables, runnableFixture, startServer, type RunningServer } from './e2e-support.js';

/**
 * Every migrated HTTP fixture, started for real on 127.0.0.1 and driven by the real SDK clients:
 * the v2 Client negotiating (`versionNegotiation: auto`, so v2 entries must reach the 2026-07-28 era)
 * and the v1 Client (2025 era, served statelessly). No response may carry an Mcp-Session-Id, and GET
 * and DELETE on the endpoint answer 405.
 */
interface Case {
  name: string;
  line: 'v1' | 'v2';
  /** Methods whose route the output serves with 405 (inputs without a DELETE route keep having none). */
  rejects: ReadonlyArray<'GET' | 'DELETE'>;
}

const CASES: readonly Case[] = [
  { name: 'express-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'express-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  { name: 'node-http-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'node-http-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  { name: 'hono-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'hono-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  { name: 'sse-express-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'compat-sse-streamable-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'express-inline-server-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'singleton-module-transport-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'json-response-sessions-v1', line: 'v1', rejects: ['GET'] },
  { name: 'stateless-per-request-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  { name: 'cjs-express-v1', line: 'v1', rejects: ['GET'] },
  { name: 'event-store-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'factory-elsewhere-v2', line: 'v2', rejects: ['GET'] },
  { name: 'factory-readonly-closure-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  { name: 'session-error-guard-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'session-error-guard-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  { name: 'request-helper-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // A raw Node handler whose POST branch returns and whose other methods fell through to a 400 (playwright's shape).
  { name: 'post-branch-client-error-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // A module-wide server whose tools a module function registers, also connected to stdio and exported: the function
  // moves into the factory with its call, and one instance the factory builds stays for stdio and the export.
  { name: 'module-server-register-helper-v1', line: 'v1', rejects: [] },
  // Shapes of real servers: a helper that hands the transport back, HTTP+SSE helpers next to Streamable HTTP (with the
  // application's own connect call), HTTP+SSE helpers behind routes, a destructured factory with its cleanup, the
  // SDK's own examples importing it relatively, FastMCP's stateless mode, state a state transform already marked.
  { name: 'transport-resolver-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'sse-helper-connector-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'sse-routed-helpers-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'destructured-factory-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'sdk-source-relative-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'fastmcp-http-stream', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'marked-factory-state-v1', line: 'v1', rejects: ['GET'] },
  // HTTP+SSE routes in both branches of an `if` (with and without a token check), each pair served per request.
  { name: 'sse-auth-branches-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // A starter handed the server (`startSseServer(server)`, `mountSse(app, server)`): it now takes a factory, and the
  // caller's server (module-wide with a stdio fallback, or local to the function building the app) became one.
  { name: 'server-parameter-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'server-parameter-configured-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // The caller built its server with a factory call: the starter is handed that factory.
  { name: 'server-parameter-factory-call-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  { name: 'server-parameter-v2', line: 'v2', rejects: ['GET', 'DELETE'] },
  // A starter that kept one transport for the whole process (one session at a time) and closed it in a shutdown
  // helper taking the signal's name: one server and transport per request, the helper keeps its other work.
  { name: 'server-parameter-one-transport-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // One HTTP+SSE stream at a time on SDK 1.0.1, which has no Streamable HTTP transport: served on that release
  // through the stateless transport module the migration wrote.
  { name: 'sse-old-sdk-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // The project's own src/server.ts beside the entry: the SDK transport is imported from the SDK, not from it.
  { name: 'own-server-module-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // Routes mounted on a path kept in a constant (`app.post(MCP_ENDPOINT_PATH, …)`) inside a starter function.
  { name: 'route-path-constant-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // Stateless already, with a session transport map nothing uses left in a helper module: the map goes.
  { name: 'unused-transport-map-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // The factory was handed a getter of the session id (`() => transport.sessionId`): it gets `() => undefined` now.
  { name: 'factory-session-id-getter-v1', line: 'v1', rejects: ['GET'] },
  // Stateless already, but with one module-wide server connected by every request: now one server per request.
  { name: 'shared-server-per-request-v1', line: 'v1', rejects: [] },
  // A module-wide server that takes resources after start-up (from an admin route): every server built replays them.
  { name: 'late-registrations-v1', line: 'v1', rejects: ['GET'] },
  // Routes set up in a method of a class whose other method builds each session's server (`this.createMcpServer()`).
  { name: 'class-method-factory-v1', line: 'v1', rejects: ['GET'] },
  // Sessions rebuilt on any node from a shared list (a helper rebuilding a session's transport from its id), with a
  // cache swept by a timer and a gauge of open sessions: the helper, the cache and the gauge go, the sweep keeps its
  // other work.
  { name: 'rebuilt-sessions-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // A store opened from the caller's header when a session opened (chosen by `const isInit = …`), closed when the
  // session ended, and the open session's requests served after the routing in a try: opened and closed per request.
  { name: 'session-resource-v1', line: 'v1', rejects: [] },
  // Hono with `@hono/mcp`'s transport on a configured path, a session registry only the routing used, a GET status
  // page for requests without a session, and the POST served inside a closure run in the caller's context.
  { name: 'hono-mcp-package-v1', line: 'v1', rejects: ['DELETE'] },
  // Hono handing the SDK's Node transport its Node request and response, then sealing the response and answering
  // Hono itself (`return c.body(null)`): the 405 for other methods ends the same way.
  { name: 'hono-node-response-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // The transports map a class keeps in a field (`this.transports[id] = transport`), routes set up in one of its
  // methods and a `stop()` that closed every session: the field goes, `stop()` keeps closing the listener.
  { name: 'class-held-transports-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // A class handed its one server by a setter (`this.mcpServer`), which nothing can build again per request: the
  // requests take turns with it.
  { name: 'field-server-in-turns-v1', line: 'v1', rejects: ['GET'] },
  // Stateless already, with the one server the class built in its constructor connected by every request: turns too.
  { name: 'field-server-stateless-v1', line: 'v1', rejects: [] },
  // Routes mounted on class methods: POST hands the request to a method, GET and DELETE mount a bound one.
  { name: 'class-method-handlers-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // The handler another module mounts for every method (`router.get('/mcp', auth, handleStreamable)`, imported): it
  // serves POSTs per request and answers the GET and DELETE that module still routes to it with 405.
  { name: 'handler-elsewhere-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // A method of a service class that another module's route hands its request to (`transportService.handleRequest(req, res)`).
  { name: 'service-elsewhere-v1', line: 'v1', rejects: ['GET', 'DELETE'] },
  // The one server of a class another module hands its requests to, connected by each: turns.
  { name: 'field-server-elsewhere-v1', line: 'v1', rejects: [] },
  // A sessionful handler whose response close listener did more than close the transport.
  { name: 'close-listener-work-v1', line: 'v1', rejects: ['GET'] },
  { name: 'close-listener-work-v2', line: 'v2', rejects: ['GET'] },
  // Stateless serving wrapped by code that handed out its own Mcp-Session-Id to find its usage records again.
  { name: 'own-session-header-v1', line: 'v1', rejects: [] },
  { name: 'own-session-header-express-v1', line: 'v1', rejects: [] },
];

const SUITE = 'http';
afterAll(() => removeRunnables(SUITE));

for (const testCase of CASES) {
  describe(`${testCase.name} (migrated)`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(runnableFixture(SUITE, testCase.name));
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('serves the v2 Client without a session', async () => {
      const recorder = recordingFetch();
      const client = new Client({ name: 'e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      const transport = new StreamableHTTPClientTransport(new URL(server.url), { fetch: recorder.fetch });
      await client.connect(transport);
      try {
        expect(client.getProtocolEra()).toBe(testCase.line === 'v2' ? 'modern' : 'legacy');
        if (testCase.line === 'v2') expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('echo');
        const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
        expect(result.content).toEqual([{ type: 'text', text: 'hello' }]);
        expect(transport.sessionId).toBeUndefined();
      } finally {
        await client.close();
      }
      expect(recorder.responses).toBeGreaterThan(1);
      expect(recorder.sessionHeaders).toEqual([]);
    });

    it('serves the v1 Client without a session', async () => {
      const recorder = recordingFetch();
      const client = new ClientV1({ name: 'e2e-v1', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransportV1(new URL(server.url), { fetch: recorder.fetch });
      await client.connect(transport);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('echo');
        const result = await client.callTool({ name: 'echo', arguments: { message: 'hi v1' } });
        expect(result.content).toEqual([{ type: 'text', text: 'hi v1' }]);
        expect(transport.sessionId).toBeUndefined();
      } finally {
        await client.close();
      }
      expect(recorder.sessionHeaders).toEqual([]);
    });

    for (const method of testCase.rejects) {
      it(`answers ${method} with 405`, async () => {
        const response = await fetch(server.url, { method, headers: { accept: 'application/json, text/event-stream' } });
        expect(response.status).toBe(405);
        expect(response.headers.get('mcp-session-id')).toBeNull();
        await response.body?.cancel();
      });
    }
  });
}

// The recorder must be able to see a session: the unmigrated servers hand one out (FastMCP's framework too).
for (const name of ['express-v1', 'transport-resolver-v1', 'destructured-factory-v1', 'fastmcp-http-stream', 'class-method-factory-v1', 'hono-node-response-v1', 'class-held-transports-v1', 'own-session-header-v1', 'own-session-header-express-v1']) {
  describe(`${name} before migration (control)`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(runnableFixture(SUITE, name, 'input'));
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('issues an Mcp-Session-Id', async () => {
      const recorder = recordingFetch();
      const client = new ClientV1({ name: 'e2e-control', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransportV1(new URL(server.url), { fetch: recorder.fetch });
      await client.connect(transport);
      await client.close();
      expect(recorder.sessionHeaders.length).toBeGreaterThan(0);
    });
  });
}

// A key each caller sends in a header, read when its session opened (with a refusal for a malformed one): after the
// migration every request reads it the same way, so the original conversation gets the same answers, and two
// callers served at once keep their own keys.
describe('key-at-initialize-v1: what ran when a session opened runs per request', () => {
  const forecast = async (url: string, headers: Record<string, string>) => {
    const client = new ClientV1({ name: 'e2e-key', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV1(new URL(url), { requestInit: { headers } }));
    return {
      call: async () => (await client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } })).content,
      close: () => client.close(),
    };
  };
  const LICENSED = [{ type: 'text', text: 'Oslo: sunny (licensed)' }];
  const SHARED = [{ type: 'text', text: 'Oslo: sunny (shared quota)' }];

  for (const which of ['input', 'output'] as const) {
    describe(which === 'input' ? 'before migration' : 'migrated', () => {
      let server: RunningServer;
      beforeAll(async () => {
        server = await startServer(runnableFixture(SUITE, 'key-at-initialize-v1', which));
      });
      afterAll(async () => {
        await server?.stop();
      });

      it('answers two callers at once, each with its own key', async () => {
        const keyed = await forecast(server.url, { 'x-weather-key': 'k-123' });
        const plain = await forecast(server.url, {});
        try {
          expect(await keyed.call()).toEqual(LICENSED);
          expect(await plain.call()).toEqual(SHARED);
          expect(await keyed.call()).toEqual(LICENSED);
        } finally {
          await keyed.close();
          await plain.close();
        }
      });
    });
  }
});

// What the original answered a conversation is what the migrated one answers: the status page without a session,
// and the caller's context (an AsyncLocalStorage run around the serving closure) reaching the tools.
describe('hono-mcp-package-v1: the original conversation, answered the same way', () => {
  const converse = async (url: string) => {
    const status = await fetch(url, { headers: { accept: 'application/json' } });
    const page = { code: status.status, body: await status.json() };
    const client = new ClientV1({ name: 'e2e-hono', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV1(new URL(url), { requestInit: { headers: { 'x-caller': 'ada' } } }));
    try {
      const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
      const who = await client.callTool({ name: 'whoami', arguments: {} });
      return { page, echo: echo.content, who: who.content };
    } finally {
      await client.close();
    }
  };
  const answers: Record<'input' | 'output', Awaited<ReturnType<typeof converse>> | undefined> = { input: undefined, output: undefined };
  for (const which of ['input', 'output'] as const) {
    it(which === 'input' ? 'before migration' : 'migrated', async () => {
      const server = await startServer(runnableFixture(SUITE, 'hono-mcp-package-v1', which));
      try {
        answers[which] = await converse(server.url);
      } finally {
        await server.stop();
      }
      expect(answers[which]?.page).toEqual({ code: 200, body: { status: 'ok', server: { name: 'hono-package-tools', endpoint: '/mcp' } } });
      expect(answers[which]?.who).toEqual([{ type: 'text', text: 'ada' }]);
    });
  }
  it('gives the same answers', () => {
    expect(answers.output).toEqual(answers.input);
  });
});

// Routes mounted on class methods, handlers another module mounts or hands its requests to, and a wrapper that handed
// out its own session id: the original conversation (a session the POST handler opened, reused by the next calls)
// gets the same answers from the migrated handlers, where every request is served on its own, and two at once.
for (const name of ['class-method-handlers-v1', 'handler-elsewhere-v1', 'service-elsewhere-v1', 'own-session-header-v1', 'own-session-header-express-v1']) {
  describe(`${name}: the original conversation, answered the same way`, () => {
    const converse = async (url: string, message: string) => {
      const client = new ClientV1({ name: 'e2e-methods', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransportV1(new URL(url));
      await client.connect(transport);
      try {
        const { tools } = await client.listTools();
        const first = await client.callTool({ name: 'echo', arguments: { message } });
        const second = await client.callTool({ name: 'echo', arguments: { message: `${message} again` } });
        return { tools: tools.map((t) => t.name), first: first.content, second: second.content, session: transport.sessionId !== undefined };
      } finally {
        await client.close();
      }
    };
    const answers: Record<'input' | 'output', Array<Awaited<ReturnType<typeof converse>>>> = { input: [], output: [] };
    for (const which of ['input', 'output'] as const) {
      it(which === 'input' ? 'before migration, in a session' : 'migrated, without one, two conversations at once', async () => {
        const server = await startServer(runnableFixture(`${SUITE}-methods`, name, which));
        try {
          answers[which] = which === 'input' ? [await converse(server.url, 'hello')] : await Promise.all([converse(server.url, 'hello'), converse(server.url, 'hello')]);
        } finally {
          await server.stop();
        }
        for (const answer of answers[which]) expect(answer.session).toBe(which === 'input');
      });
    }
    it('gives the same answers', () => {
      const strip = ({ session: _session, ...rest }: Awaited<ReturnType<typeof converse>>) => rest;
      expect(answers.input).toHaveLength(1);
      for (const answer of answers.output) expect(strip(answer)).toEqual(strip(answers.input[0]!));
      removeRunnables(`${SUITE}-methods`);
    });
  });
}

// The release the fixture pins really serves: SDK 1.0.1 knows no protocol version newer than 2024-11-05.
describe('sse-old-sdk-v1: served by SDK 1.0.1 through the written transport', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(runnableFixture(`${SUITE}-pinned`, 'sse-old-sdk-v1'));
  });
  afterAll(async () => {
    await server?.stop();
    removeRunnables(`${SUITE}-pinned`);
  });

  it('negotiates the protocol of that release and answers two clients at once', async () => {
    const clients = [new ClientV1({ name: 'a', version: '1.0.0' }), new ClientV1({ name: 'b', version: '1.0.0' })];
    const transports = clients.map(() => new StreamableHTTPClientTransportV1(new URL(server.url)));
    await Promise.all(clients.map((client, i) => client.connect(transports[i]!)));
    try {
      expect(transports.map((t) => t.protocolVersion)).toEqual(['2024-11-05', '2024-11-05']);
      const answers = await Promise.all(clients.map((client, i) => client.callTool({ name: 'echo', arguments: { message: `from ${i}` } })));
      expect(answers.map((a) => a.content)).toEqual([[{ type: 'text', text: 'from 0' }], [{ type: 'text', text: 'from 1' }]]);
      // A batch of a notification and a request gets one JSON answer for the request.
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify([
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { jsonrpc: '2.0', id: 7, method: 'tools/list' },
        ]),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Array<{ id: number; result: { tools: Array<{ name: string }> } }>;
      expect(body.map((r) => [r.id, r.result.tools.map((t) => t.name)])).toEqual([[7, ['echo']]]);
      const broken = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as { error: { code: number } }).error.code).toBe(-32700);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});

// One module-wide server connected by every request: requests at once collide on its one connection ("Already
// connected"); migrated, each request builds its own server and all of them are answered.
// The same with the one server a class built in its constructor (`this.server`): migrated, the requests take turns.
const burst = async (url: string, extra: Record<string, unknown> = {}) =>
  Promise.all(
    Array.from({ length: 8 }, async (_, index) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: index, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${index}`, ...extra } } }),
      });
      const text = await response.text();
      return response.ok && text.includes(`m${index}`);
    }),
  );

for (const [name, extra] of [
  ['shared-server-per-request-v1', {}],
  ['field-server-stateless-v1', { pauseMs: 50 }],
] as const) {
  describe(`${name}: requests served at once`, () => {
    for (const which of ['input', 'output'] as const) {
      it(which === 'input' ? 'before migration, some of 8 concurrent calls fail' : 'migrated, all 8 concurrent calls are answered', async () => {
        const server = await startServer(runnableFixture(`${SUITE}-burst`, name, which));
        try {
          const answered = await burst(server.url, extra);
          if (which === 'input') expect(answered.filter(Boolean).length).toBeLessThan(8);
          else expect(answered).toEqual(Array(8).fill(true));
        } finally {
          await server.stop();
          removeRunnables(`${SUITE}-burst`);
        }
      });
    }
  });
}

// A class handed its one server by a setter: before, that server stays connected to the first conversation and a
// second one is refused ("Already connected"); migrated, requests take turns with it, so conversations at once are
// all answered as the first one was, and a client that leaves while it waits does not hold up the turns after it.
describe('field-server-in-turns-v1: one server the handler cannot rebuild, served in turns', () => {
  const conversation = async (url: string, message: string, pauseMs: number) => {
    const client = new ClientV1({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransportV1(new URL(url));
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      const result = await client.callTool({ name: 'echo', arguments: { message, pauseMs } });
      return { tools: tools.map((t) => t.name), content: result.content, sessionId: transport.sessionId };
    } finally {
      await client.close();
    }
  };

  it('before migration, one conversation is served and a second one is refused', async () => {
    const server = await startServer(runnableFixture(`${SUITE}-turns`, 'field-server-in-turns-v1', 'input'));
    try {
      const first = await conversation(server.url, 'first', 0);
      expect(first.content).toEqual([{ type: 'text', text: 'first' }]);
      expect(first.sessionId).toBeDefined();
      await expect(conversation(server.url, 'second', 0)).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it('migrated, conversations at once are each answered the way the first one was', async () => {
    const original = await startServer(runnableFixture(`${SUITE}-turns`, 'field-server-in-turns-v1', 'input'));
    let expected: Awaited<ReturnType<typeof conversation>>;
    try {
      expected = await conversation(original.url, 'm0', 0);
    } finally {
      await original.stop();
    }
    const server = await startServer(runnableFixture(`${SUITE}-turns`, 'field-server-in-turns-v1'));
    try {
      const answers = await Promise.all(Array.from({ length: 4 }, (_, index) => conversation(server.url, `m${index}`, 100)));
      for (const [index, answer] of answers.entries()) {
        expect(answer.tools).toEqual(expected.tools);
        expect(answer.content).toEqual([{ type: 'text', text: `m${index}` }]);
        expect(answer.sessionId).toBeUndefined();
      }
    } finally {
      await server.stop();
    }
  });

  it('migrated, a client that leaves while waiting for its turn does not hold up the next', async () => {
    const server = await startServer(runnableFixture(`${SUITE}-turns`, 'field-server-in-turns-v1'));
    const call = (id: number, pauseMs: number, signal?: AbortSignal) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${id}`, pauseMs } } }),
        signal,
      });
    try {
      const slow = call(1, 300);
      const leaving = new AbortController();
      const left = call(2, 0, leaving.signal).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      leaving.abort();
      expect(await left).toBeInstanceOf(Error);
      expect(await (await slow).text()).toContain('m1');
      const after = await call(3, 0);
      expect(after.ok).toBe(true);
      expect(await after.text()).toContain('m3');
    } finally {
      await server.stop();
      removeRunnables(`${SUITE}-turns`);
    }
  });
});

// A class another module hands its requests to, whose one server's tools read who is asking from a field the request
// sets (`this.caller = …`): migrated, that field is set in the request's turn, so a caller waiting for its turn never
// overwrites the name the caller being served reads; what the response's close listener did still runs.
describe('field-server-elsewhere-v1: what a request sets on the shared object is set in its turn', () => {
  const whoami = async (url: string, caller: string) => {
    const client = new ClientV1({ name: 'e2e-desk', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV1(new URL(url), { requestInit: { headers: { 'x-caller': caller } } }));
    try {
      const result = await client.callTool({ name: 'whoami', arguments: { pauseMs: 150 } });
      return result.content;
    } finally {
      await client.close();
    }
  };

  it('before migration, two callers at once are not both answered with their own names', async () => {
    const server = await startServer(runnableFixture(`${SUITE}-desk`, 'field-server-elsewhere-v1', 'input'));
    try {
      const answers = await Promise.allSettled([whoami(server.url, 'ada'), whoami(server.url, 'bob')]);
      const own = answers.filter((a, i) => a.status === 'fulfilled' && JSON.stringify(a.value) === JSON.stringify([{ type: 'text', text: ['ada', 'bob'][i] }]));
      expect(own.length).toBeLessThan(2);
    } finally {
      await server.stop();
    }
  });

  it('migrated, each of four callers at once is answered with their own name', async () => {
    const server = await startServer(runnableFixture(`${SUITE}-desk`, 'field-server-elsewhere-v1'));
    try {
      const callers = ['ada', 'bob', 'cy', 'dee'];
      const answers = await Promise.all(callers.map((caller) => whoami(server.url, caller)));
      expect(answers).toEqual(callers.map((caller) => [{ type: 'text', text: caller }]));
      expect(server.output()).toContain('request from ada closed');
    } finally {
      await server.stop();
      removeRunnables(`${SUITE}-desk`);
    }
  });
});

// A sessionful POST handler whose response close listener also counted the request out of the health check's figure:
// migrated (per-request v1 transport, or the v2 entry), the listener still does, so the count is back at zero after a
// conversation, as it was before.
describe.each(['close-listener-work-v1', 'close-listener-work-v2'])('%s: what the close listener did besides closing the transport still runs', (name) => {
  for (const which of ['input', 'output'] as const) {
    it(which === 'input' ? 'before migration' : 'migrated', async () => {
      const server = await startServer(runnableFixture(`${SUITE}-meter`, name, which));
      try {
        const client = new ClientV1({ name: 'e2e-meter', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransportV1(new URL(server.url)));
        const result = await client.callTool({ name: 'echo', arguments: { message: 'counted' } });
        await client.close();
        expect(result.content).toEqual([{ type: 'text', text: 'counted' }]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const health = await fetch(new URL('/health', server.url));
        expect(await health.json()).toEqual({ requestsInFlight: 0 });
      } finally {
        await server.stop();
      }
    });
  }
});

// Resources the one module-wide server took while it ran (an editor's notice posted to the admin route): before,
// the open session saw them at once (this SDK connects one server to one session only, so a second one is refused);
// migrated, every request's server replays them, so a conversation under way and one that starts later both list and
// read the new notices.
describe('late-registrations-v1: what the server took after start-up, every request sees', () => {
  const publish = async (url: string, slug: string, body: string) => {
    const response = await fetch(new URL('/admin/notices', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slug, body }) });
    expect(response.status).toBe(201);
  };
  const connect = async (url: string) => {
    const client = new ClientV1({ name: 'e2e-board', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV1(new URL(url)));
    return client;
  };
  const names = async (client: ClientV1) => (await client.listResources()).resources.map((r) => r.name).sort();
  const ALL = ['drill', 'lunch', 'welcome'];
  const LUNCH = [{ uri: 'notice://board/lunch', text: 'Lunch at noon' }];

  for (const which of ['input', 'output'] as const) {
    it(which === 'input' ? 'before migration: the open session sees each notice' : 'migrated: every conversation sees each notice', async () => {
      const server = await startServer(runnableFixture(`${SUITE}-late`, 'late-registrations-v1', which));
      const early = await connect(server.url);
      try {
        expect(await names(early)).toEqual(['welcome']);
        await publish(server.url, 'lunch', 'Lunch at noon');
        await publish(server.url, 'drill', 'Fire drill at three');
        expect(await names(early)).toEqual(ALL);
        expect((await early.readResource({ uri: 'notice://board/lunch' })).contents).toEqual(LUNCH);
        if (which === 'input') {
          await expect(connect(server.url)).rejects.toThrow(/Already connected/);
          return;
        }
        const late = await connect(server.url);
        try {
          const [lateNames, earlyNames] = await Promise.all([names(late), names(early)]);
          expect([lateNames, earlyNames]).toEqual([ALL, ALL]);
          expect((await late.readResource({ uri: 'notice://board/lunch' })).contents).toEqual(LUNCH);
        } finally {
          await late.close();
        }
      } finally {
        await early.close();
        await server.stop();
        removeRunnables(`${SUITE}-late`);
      }
    });
  }
});

// What the rebuilt-sessions server did besides sessions still happens: the tools count what they serve for the
// metrics route, and SIGTERM still runs the shutdown's own work and exits, where the rewrite could have dropped
// the whole callback with the session loop inside it.
describe('rebuilt-sessions-v1: the work around the sessions stays', () => {
  it('counts two conversations at once and exits on SIGTERM after its own shutdown work', async () => {
    const server = await startServer(runnableFixture(`${SUITE}-rebuilt`, 'rebuilt-sessions-v1'));
    const clients = [new ClientV1({ name: 'a', version: '1.0.0' }), new ClientV1({ name: 'b', version: '1.0.0' })];
    try {
      await Promise.all(clients.map((client) => client.connect(new StreamableHTTPClientTransportV1(new URL(server.url)))));
      const answers = await Promise.all(clients.map((client, i) => client.callTool({ name: 'echo', arguments: { message: `m${i}` } })));
      expect(answers.map((a) => a.content)).toEqual([[{ type: 'text', text: 'm0' }], [{ type: 'text', text: 'm1' }]]);
      const metrics = await (await fetch(new URL('/metrics', server.url))).text();
      expect(metrics).toBe('mcp_requests_served 2');
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    let stderr = '';
    server.child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const exit = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('served 0 notices');
    removeRunnables(`${SUITE}-rebuilt`);
  });
});

// What a session opened from its caller's header and closed when it ended is opened and closed with each request:
// every caller still works in its own namespace, and no store outlives the request that opened it.
describe('session-resource-v1: what the session opened and closed, the request opens and closes', () => {
  const connect = async (url: string, namespace: string) => {
    const client = new ClientV1({ name: namespace, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransportV1(new URL(url), { requestInit: { headers: { 'x-namespace': namespace } } }));
    return client;
  };
  const openStores = async (url: string) => ((await (await fetch(new URL('/stores', url))).json()) as { open: number }).open;

  for (const which of ['input', 'output'] as const) {
    it(which === 'input' ? 'before migration: a store per open session' : 'migrated: a store per request, closed when it ends', async () => {
      const server = await startServer(runnableFixture(`${SUITE}-resource`, 'session-resource-v1', which));
      const [red, blue] = [await connect(server.url, 'red'), await connect(server.url, 'blue')];
      try {
        const answers = await Promise.all([red, blue].map((client) => client.callTool({ name: 'namespace', arguments: {} })));
        expect(answers.map((a) => a.content)).toEqual([[{ type: 'text', text: 'red' }], [{ type: 'text', text: 'blue' }]]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await openStores(server.url)).toBe(which === 'input' ? 2 : 0);
      } finally {
        await red.close();
        await blue.close();
        await server.stop();
        removeRunnables(`${SUITE}-resource`);
      }
    });
  }
});

// The application's own bookkeeping around the id it handed out stays: each request is now a visitor it has not seen
// (the marker says so), where the original counted the returning one.
describe('own-session-header-express-v1: the code around the header is kept', () => {
  for (const which of ['input', 'output'] as const) {
    it(which === 'input' ? 'before migration, the returning visitor is counted' : 'migrated, every request is a new visitor', async () => {
      const server = await startServer(runnableFixture(`${SUITE}-visitors`, 'own-session-header-express-v1', which));
      try {
        const client = new ClientV1({ name: 'e2e-visitor', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransportV1(new URL(server.url)));
        await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
        await client.close();
        expect(server.output()).toContain('new visitor');
        if (which === 'input') expect(server.output()).toContain('returning visitor');
        else expect(server.output()).not.toContain('returning visitor');
      } finally {
        await server.stop();
      }
    });
  }
});
