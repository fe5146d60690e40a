/**
 * A migrated FastMCP server, run for real: FastMCP serving HTTP stream on 127.0.0.1 in its stateless mode, two
 * real SDK clients (each its own bearer user), each with its own tally handle. Each increments only its own
 * tally, neither can use the other's handle, and no response carries a session id. Also servers whose module
 * state became one record per conversation, one of them read by a fixed resource that is now a template keyed
 * by the record's id, against the original's conversation over stdio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStateToHandlesTransform as transform } from '../../transforms/session-state-to-handles.js';
import { sessionScopeTransform } from '../../transforms/session-scope.js';
import type { Transform } from '../../src/engine/transform.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildCase, buildInput, connectHttp, handleOf, textOf, type Built, type Connection, type E2ECase, type ToolResult } from './e2e/support.js';

const HOST = `
import { createServer } from 'node:net';
import { server } from './src/server.js';
const probe = createServer();
await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
const { port } = probe.address();
await new Promise((resolve) => probe.close(resolve));
await server.start({ transportType: 'httpStream', httpStream: { host: '127.0.0.1', port, stateless: true } });
process.stdout.write('LISTENING ' + port + '\\n');
`;

/** A migrated fixture built and served by FastMCP in a child process, stateless, on a free port of 127.0.0.1. */
function serveFixture(fixture: string, using: Transform = transform) {
  const state = { built: undefined as Built | undefined, child: undefined as ChildProcess | undefined, url: undefined as URL | undefined };
  beforeAll(async () => {
    const built = buildCase({ transform: using, fixture } as E2ECase);
    state.built = built;
    writeFileSync(join(built.dir, 'host.mjs'), HOST);
    const child = spawn(process.execPath, ['host.mjs'], { cwd: built.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /LISTENING (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`FastMCP host exited with ${code}: ${stderr}`)));
    });
    state.url = new URL(`http://127.0.0.1:${port}/mcp`);
  }, 30_000);
  afterAll(async () => {
    const child = state.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    state.built?.remove();
  });
  return state;
}

/** Connecting to a served fixture as a bearer user; every connection is closed after the suite. */
function connectionsTo(served: { url: URL | undefined }) {
  const open: Connection[] = [];
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  });
  return async (user: string) => {
    const connection = await connectHttp('v1', served.url!, user);
    open.push(connection);
    return connection;
  };
}

describe('migrated FastMCP tally server over stateless HTTP stream', () => {
  const served = serveFixture('fastmcp-counter');
  const connect = connectionsTo(served);

  // The build differs from the committed output only in the short lifetime the e2e cases use.
  it('builds the committed output', () => expect(served.built!.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true));

  it('gives each client its own counter handle, and each increments only its own', async () => {
    const [alice, bob] = await Promise.all([connect('alice'), connect('bob')]);
    const created = await Promise.all([alice.call('create_tally'), bob.call('create_tally')]);
    const [aliceId, bobId] = created.map((result) => handleOf(result, 'tally_id') as string);
    expect(aliceId).toMatch(/^tally_[A-Za-z0-9_-]{24}$/);
    expect(bobId).toMatch(/^tally_[A-Za-z0-9_-]{24}$/);
    expect(aliceId).not.toBe(bobId);

    expect(textOf(await alice.call('bump_tally', { tally_id: aliceId, by: 2 }))).toBe(`Tally for ${aliceId}: 2`);
    expect(textOf(await bob.call('bump_tally', { tally_id: bobId, by: 5 }))).toBe(`Tally for ${bobId}: 5`);
    expect(textOf(await alice.call('bump_tally', { tally_id: aliceId }))).toBe(`Tally for ${aliceId}: 3`);
    expect(textOf(await alice.call('read_tally', { tally_id: aliceId }))).toBe('Tally: 3');
    expect(textOf(await bob.call('read_tally', { tally_id: bobId }))).toBe('Tally: 5');

    // The handle works from a fresh connection of the same user: state no longer lives in a session.
    const aliceAgain = await connect('alice');
    expect(textOf(await aliceAgain.call('read_tally', { tally_id: aliceId }))).toBe('Tally: 3');
    expect(textOf(await aliceAgain.call('clear_tally', { tally_id: aliceId }))).toBe('Tally cleared');
    expect(textOf(await bob.call('read_tally', { tally_id: bobId }))).toBe('Tally: 5');

    // Another user's handle is refused exactly like an unknown one.
    const stolen = await bob.call('read_tally', { tally_id: aliceId });
    expect(stolen.isError).toBe(true);
    expect(textOf(stolen)).toContain('call create_tally() again');
  });

  it('answers without a session id', async () => {
    const response = await fetch(served.url!, {
      method: 'POST',
      headers: { Authorization: 'Bearer carol', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1.0.0' } } }),
    });
    expect(response.ok).toBe(true);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    await response.text();
  });
});

describe('migrated FastMCP word game (its own creator tool) over stateless HTTP stream', () => {
  const served = serveFixture('fastmcp-game');
  const open: Connection[] = [];
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  });

  it('start_game returns a game_id, and each player guesses in their own game', async () => {
    expect(served.built!.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true);
    const [alice, bob] = await Promise.all([connectHttp('v1', served.url!, 'alice'), connectHttp('v1', served.url!, 'bob')]);
    open.push(alice, bob);
    const started = await alice.call('start_game', { word: 'Apple' });
    expect(textOf(started)).toContain('Game started: 5 letters');
    const aliceGame = handleOf(started, 'game_id') as string;
    const bobGame = handleOf(await bob.call('start_game', { word: 'berry' }), 'game_id') as string;
    expect(aliceGame).toMatch(/^game_[A-Za-z0-9_-]{24}$/);
    expect(textOf(await alice.call('guess', { game_id: aliceGame, letter: 'p' }))).toBe('_pp__');
    expect(textOf(await bob.call('guess', { game_id: bobGame, letter: 'r' }))).toBe('__rr_');
    expect(textOf(await alice.call('guess', { game_id: aliceGame, letter: 'e' }))).toBe('_pp_e');
    // This server has no authentication, so every caller is one principal: only an id nobody minted is refused.
    const unknown = await bob.call('guess', { game_id: `game_${'A'.repeat(24)}`, letter: 'a' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('call start_game() again');
  });
});

describe('migrated FastMCP visit log (state keyed by the session id, listed by an operator) over stateless HTTP stream', () => {
  const served = serveFixture('fastmcp-visit-log-v1', sessionScopeTransform);
  const connect = connectionsTo(served);

  it('builds the committed output', () => expect(served.built!.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true));

  it('keeps each session_id its own pages, across connections, bound to its user', async () => {
    const [alice, bob] = await Promise.all([connect('alice'), connect('bob')]);
    const aliceId = handleOf(await alice.call('create_session'), 'session_id') as string;
    const bobId = handleOf(await bob.call('create_session'), 'session_id') as string;
    expect(aliceId).toMatch(/^session_[A-Za-z0-9_-]{22,}$/);
    expect(textOf(await alice.call('visit', { session_id: aliceId, page: 'home' }))).toBe('1 page(s) visited');
    expect(textOf(await bob.call('visit', { session_id: bobId, page: 'pricing' }))).toBe('1 page(s) visited');
    expect(textOf(await alice.call('visit', { session_id: aliceId, page: 'about' }))).toBe('2 page(s) visited');
    const aliceAgain = await connect('alice');
    expect(textOf(await aliceAgain.call('history', { session_id: aliceId }))).toBe('home > about');
    expect(textOf(await bob.call('history', { session_id: bobId }))).toBe('pricing');
    const stolen = await bob.call('history', { session_id: aliceId });
    expect(stolen.isError).toBe(true);
    // FastMCP validates parameters before the tool runs: a missing id is refused there, naming it.
    await expect(alice.call('visit', { page: 'nowhere' })).rejects.toThrow(/session_id/);
    // The operator's review still sees every conversation, as it saw every session.
    const operator = await connect('operator');
    expect(textOf(await operator.call('review')).split('\n')).toHaveLength(2);
  });
});

describe('migrated FastMCP page reader (module state the tools set) over stateless HTTP stream', () => {
  const served = serveFixture('fastmcp-open-page-v1', sessionScopeTransform);
  const connect = connectionsTo(served);

  it('builds the committed output', () => expect(served.built!.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true));

  it('keeps each conversation its own open page and scroll position, from any connection', async () => {
    const [alice, bob] = await Promise.all([connect('alice'), connect('bob')]);
    const aliceId = handleOf(await alice.call('create_browser'), 'browser_id') as string;
    const bobId = handleOf(await bob.call('create_browser'), 'browser_id') as string;
    expect(textOf(await alice.call('scroll', { browser_id: aliceId, by: 1 }))).toBe('open a page first');
    expect(textOf(await alice.call('open_page', { browser_id: aliceId, url: 'https://a.example' }))).toBe('opened https://a.example');
    expect(textOf(await bob.call('open_page', { browser_id: bobId, url: 'https://b.example' }))).toBe('opened https://b.example');
    expect(textOf(await alice.call('scroll', { browser_id: aliceId, by: 2 }))).toBe('https://a.example at screen 2');
    const aliceAgain = await connect('alice');
    expect(textOf(await aliceAgain.call('scroll', { browser_id: aliceId, by: 1 }))).toBe('https://a.example at screen 3');
    expect(textOf(await bob.call('scroll', { browser_id: bobId, by: 1 }))).toBe('https://b.example at screen 1');
    // No authentication here: every caller is one principal, so only an id nobody minted is refused.
    const unknown = await bob.call('scroll', { browser_id: `browser_${'A'.repeat(24)}`, by: 1 });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('call create_browser() again');
  });
});

describe('migrated FastMCP shelf server (a current shelf a fixed resource reads) over stateless HTTP stream', () => {
  const FIXTURE = 'fastmcp-current-shelf-v1';
  const served = serveFixture(FIXTURE, sessionScopeTransform);
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  });
  const call = async (client: Client, name: string, args: Record<string, unknown>) => textOf((await client.callTool({ name, arguments: args })) as ToolResult);
  const read = async (client: Client, uri: string) => {
    const { contents } = await client.readResource({ uri });
    return contents.map((item) => ('text' in item ? item.text : '')).join('\n');
  };
  async function converse(client: Client, shelf: string, title: string, summaryUri: (id?: string) => string, id?: string) {
    const handle = id ? { session_id: id } : {};
    return {
      used: await call(client, 'use_shelf', { ...handle, shelf }),
      added: await call(client, 'add_book', { ...handle, title }),
      summary: await read(client, summaryUri(id)),
    };
  }

  it('builds the committed output; the fixed resource becomes a template keyed by the id', () => {
    expect(served.built!.differences.every((line) => /ttlSeconds: /.test(line))).toBe(true);
    expect(served.built!.files['src/server.ts']).toContain('server.addResourceTemplate(sessions.fastResource({');
  });

  it('answers the original conversation the same way, each conversation reading its own shelf', async () => {
    const original = buildInput({ transform: sessionScopeTransform, fixture: FIXTURE } as E2ECase);
    const before = new Client({ name: 'shelf-e2e', version: '1.0.0' });
    clients.push(before);
    await before.connect(new StdioClientTransport({ command: process.execPath, args: [original.path('src/server.ts')], cwd: original.dir, env: { ...(process.env as Record<string, string>), SHELVES_STDIO: '1' }, stderr: 'pipe' }));
    try {
      const expected = await converse(before, 'poems', 'Odes', () => 'shelf://current/summary');
      expect(expected).toEqual({ used: 'now on poems', added: '1 book(s) on poems', summary: 'poems: Odes' });

      const [alice, bob] = [new Client({ name: 'alice', version: '1.0.0' }), new Client({ name: 'bob', version: '1.0.0' })];
      clients.push(alice, bob);
      await Promise.all([alice, bob].map((client) => client.connect(new StreamableHTTPClientTransport(served.url!))));
      const keyed = (id?: string) => `shelf://${id}/current/summary`;
      const aliceId = handleOf((await alice.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
      const bobId = handleOf((await bob.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
      expect(await converse(alice, 'poems', 'Odes', keyed, aliceId)).toEqual(expected);
      expect(await converse(bob, 'novels', 'Emma', keyed, bobId)).toEqual({ used: 'now on novels', added: '1 book(s) on novels', summary: 'novels: Emma' });
      // Each record keeps its own shelf: Alice's summary is still hers after Bob's calls.
      expect(await read(bob, keyed(aliceId))).toBe('poems: Odes');
      // The list no longer shows a resource whose content depends on earlier calls; the template names the id.
      expect((await alice.listResources()).resources.map((r) => r.uri)).not.toContain('shelf://current/summary');
      expect((await alice.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toContain('shelf://{session_id}/current/summary');
    } finally {
      original.remove();
    }
  });
});
