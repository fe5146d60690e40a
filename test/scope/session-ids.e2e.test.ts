/**
 * Tools that keyed what they keep by the MCP session id, run for real over HTTP on 127.0.0.1: the original
 * session-keyed-notes-v1 server (a session per connection) and the same server after the whole migrate
 * pipeline (stateless Streamable HTTP, a session_id handle instead). Each conversation keeps its own notes
 * before and after; after, the notes follow the handle from one connection to the next, no response carries
 * Mcp-Session-Id, and an ended session is a clear tool error.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { loadFixtureCases, REPO_ROOT } from '../helpers/fixtures.js';
import { handleOf, textOf, type ToolResult } from '../handles/e2e/support.js';
import { recordingFetch, startServer, type RunningServer } from '../transport/e2e-support.js';

const fixture = loadFixtureCases('session-scope').find((c) => c.name === 'session-keyed-notes-v1')!;
const confirmations = loadFixtureCases('session-scope').find((c) => c.name === 'session-keyed-confirmations-v1')!;
const appRegistry = loadFixtureCases('session-scope').find((c) => c.name === 'app-session-registry-v1')!;
const root = join(REPO_ROOT, 'test', 'handles', '.tmp', `session-ids-${process.pid}-${randomBytes(3).toString('hex')}`);

/** The files transpiled into a folder of their own (inside the repository, so the SDK resolves); the entry's path. */
function build(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, ts.transpileModule(text, { fileName: path, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return join(dir, 'src', 'main.js');
}

async function connect(url: string, fetch?: typeof globalThis.fetch) {
  const client = new Client({ name: 'session-ids-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), fetch ? { fetch } : {}));
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
  return { client, call };
}

type Conversation = Awaited<ReturnType<typeof connect>>;

/** Two connections to one server at once, closed when `use` is done. */
async function withTwo(url: string, use: (a: Conversation, b: Conversation) => Promise<void>, fetch?: typeof globalThis.fetch): Promise<void> {
  const [a, b] = await Promise.all([connect(url, fetch), connect(url, fetch)]);
  try {
    await use(a, b);
  } finally {
    await Promise.all([a.client.close(), b.client.close()]);
  }
}

/**
 * A fixture's original server and the one the whole migrate pipeline made of it, both running for the suite;
 * `pipeline` is what migrate changed.
 */
function originalAndMigrated(name: string, input: Record<string, string>) {
  const pipeline = transformFiles(input, { transforms: TRANSFORMS });
  const running = { pipeline, original: undefined as unknown as RunningServer, migrated: undefined as unknown as RunningServer };
  beforeAll(async () => {
    [running.original, running.migrated] = await Promise.all([
      startServer(build(`${name}-input`, input)),
      startServer(build(`${name}-migrated`, { ...input, ...pipeline.changed })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([running.original?.stop(), running.migrated?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });
  return running;
}

describe('session-keyed-notes-v1: state keyed by the session id, after the whole pipeline', () => {
  const served = originalAndMigrated('notes', fixture.input);
  const { pipeline } = served;

  it('leaves no marker and no session transport', () => {
    const main = pipeline.changed['src/main.ts']!;
    expect(Object.values(pipeline.changed).join('\n')).not.toContain('@mcp-sessionless-todo');
    expect(main).toContain('sessionIdGenerator: undefined');
    expect(main).toContain('dropNotes(sessions.currentId())');
  });

  it('before: each connection is a session with its own notes', async () => {
    await withTwo(served.original.url, async (a, b) => {
      expect(textOf(await a.call('append_note', { text: 'first' }))).toBe('1 note(s)');
      expect(textOf(await b.call('append_note', { text: 'other' }))).toBe('1 note(s)');
      expect(textOf(await a.call('append_note', { text: 'second' }))).toBe('2 note(s)');
      expect(textOf(await a.call('read_notes'))).toBe('user: first\nuser: second');
      expect(textOf(await b.call('read_notes'))).toBe('user: other');
    });
  });

  it('after: the same answers, each conversation behind its own session_id, across connections', async () => {
    const recorder = recordingFetch();
    await withTwo(served.migrated.url, async (a, b) => {
      const first = handleOf(await a.call('create_session'), 'session_id') as string;
      const second = handleOf(await b.call('create_session'), 'session_id') as string;
      expect(first).toMatch(/^session_/);
      expect(second).not.toBe(first);
      expect(textOf(await a.call('append_note', { session_id: first, text: 'first' }))).toBe('1 note(s)');
      expect(textOf(await b.call('append_note', { session_id: second, text: 'other' }))).toBe('1 note(s)');
      expect(textOf(await a.call('append_note', { session_id: first, text: 'second' }))).toBe('2 note(s)');
      expect(textOf(await a.call('read_notes', { session_id: first }))).toBe('user: first\nuser: second');
      expect(textOf(await b.call('read_notes', { session_id: second }))).toBe('user: other');
      // A new connection reaches a conversation by its id alone.
      const c = await connect(served.migrated.url, recorder.fetch);
      expect(textOf(await c.call('read_notes', { session_id: first }))).toBe('user: first\nuser: second');
      await c.client.close();
      expect(recorder.sessionHeaders).toEqual([]);
    }, recorder.fetch);
  });

  it('after: a call without a session_id, or with an ended one, is a tool error that says what to do', async () => {
    const a = await connect(served.migrated.url);
    try {
      const missing = await a.call('read_notes', {});
      expect(missing.isError).toBe(true);
      const id = handleOf(await a.call('create_session'), 'session_id') as string;
      await a.call('append_note', { session_id: id, text: 'gone soon' });
      expect((await a.call('destroy_session', { session_id: id })).isError).toBeFalsy();
      const ended = await a.call('read_notes', { session_id: id });
      expect(ended.isError).toBe(true);
      expect(textOf(ended)).toMatch(/create_session/);
    } finally {
      await a.client.close();
    }
  });
});

describe('session-keyed-confirmations-v1: configs kept in consts, a gated registration, a per-session timer', () => {
  const served = originalAndMigrated('confirmations', confirmations.input);
  const { pipeline } = served;

  it('keeps one marker, at the heartbeat timer no handle can serve, and serves statelessly', () => {
    const all = Object.values({ ...confirmations.input, ...pipeline.changed }).join('\n');
    expect(all.match(/@mcp-sessionless-todo/g)).toHaveLength(1);
    expect(pipeline.changed['src/tools/heartbeat.ts']).toMatch(/@mcp-sessionless-todo\(SL005\): heartbeats/);
    expect(pipeline.changed['src/main.ts']).toContain('sessionIdGenerator: undefined');
    // The lifecycle tools sit beside the registration that always runs, not behind the tally's switch.
    expect(pipeline.changed['src/tools/confirm.ts']).toContain("'create_session'");
  });

  it('before: a repeated call confirms within one connection only', async () => {
    await withTwo(served.original.url, async (a, b) => {
      expect(textOf(await a.call('confirm_action', { action: 'deploy' }))).toBe('call again to confirm deploy');
      expect(textOf(await b.call('confirm_action', { action: 'deploy' }))).toBe('call again to confirm deploy');
      expect(textOf(await a.call('confirm_action', { action: 'deploy' }))).toBe('done: deploy');
      expect(textOf(await a.call('tally'))).toBe('1 call(s)');
      expect(textOf(await a.call('tally'))).toBe('2 call(s)');
      expect(textOf(await b.call('tally'))).toBe('1 call(s)');
    });
  });

  it('after: the same answers per session_id, from any connection', async () => {
    const recorder = recordingFetch();
    await withTwo(served.migrated.url, async (a, b) => {
      const first = handleOf(await a.call('create_session'), 'session_id') as string;
      const second = handleOf(await b.call('create_session'), 'session_id') as string;
      expect(textOf(await a.call('confirm_action', { session_id: first, action: 'deploy' }))).toBe('call again to confirm deploy');
      expect(textOf(await b.call('confirm_action', { session_id: second, action: 'deploy' }))).toBe('call again to confirm deploy');
      // The repeated call arrives on another connection: the session_id carries the conversation.
      expect(textOf(await b.call('confirm_action', { session_id: first, action: 'deploy' }))).toBe('done: deploy');
      expect(textOf(await a.call('tally', { session_id: first }))).toBe('1 call(s)');
      expect(textOf(await a.call('tally', { session_id: first }))).toBe('2 call(s)');
      expect(textOf(await b.call('tally', { session_id: second }))).toBe('1 call(s)');
      expect((await a.call('confirm_action', { action: 'deploy' })).isError).toBe(true);
      expect(recorder.sessionHeaders).toEqual([]);
    }, recorder.fetch);
  });
});

// Session ids the application mints itself (`sessionIdGenerator: () => sessionId`, opened by its own registry first):
// the registry knows only its ids, so a session_id cannot stand in for one, but the record behind it can hold one.
// create_session opens the application's session with the same call, the tools key by the id the record holds,
// destroying the record closes it, and the transport serves statelessly.
describe('app-session-registry-v1: session ids the application mints, after the whole pipeline', () => {
  const served = originalAndMigrated('app-registry', appRegistry.input);
  const { pipeline } = served;

  it('opens the application session in the creator and serves without sessions', () => {
    const main = pipeline.changed['src/main.ts']!;
    expect(Object.values(pipeline.changed).join('\n')).not.toContain('@mcp-sessionless-todo');
    expect(main).toContain('init: () => ({ sessionId: registry.openSession() })');
    expect(main).toContain('registry.closeSession(sessions.state.sessionId)');
    expect(main).toContain('runCommand(command, { registry, sessionId: sessions.state.sessionId })');
    expect(main).toContain('sessionIdGenerator: undefined');
  });

  it('before: each connection is a session with its own history', async () => {
    await withTwo(served.original.url, async (a, b) => {
      expect(textOf(await a.call('run', { command: 'ls' }))).toBe('ran ls (1 so far)');
      expect(textOf(await b.call('run', { command: 'pwd' }))).toBe('ran pwd (1 so far)');
      expect(textOf(await a.call('run', { command: 'make' }))).toBe('ran make (2 so far)');
      expect(textOf(await a.call('history'))).toBe('ls\nmake');
      expect(textOf(await b.call('history'))).toBe('pwd');
    });
  });

  it('after: the same answers behind each session_id, from any connection, and an ended one is closed', async () => {
    const recorder = recordingFetch();
    await withTwo(
      served.migrated.url,
      async (a, b) => {
        const first = handleOf(await a.call('create_session'), 'session_id') as string;
        const second = handleOf(await b.call('create_session'), 'session_id') as string;
        expect(textOf(await a.call('run', { session_id: first, command: 'ls' }))).toBe('ran ls (1 so far)');
        expect(textOf(await b.call('run', { session_id: second, command: 'pwd' }))).toBe('ran pwd (1 so far)');
        expect(textOf(await b.call('run', { session_id: first, command: 'make' }))).toBe('ran make (2 so far)');
        expect(textOf(await a.call('history', { session_id: first }))).toBe('ls\nmake');
        expect(textOf(await b.call('history', { session_id: second }))).toBe('pwd');
        expect((await a.call('destroy_session', { session_id: second })).isError).toBeFalsy();
        const ended = await b.call('history', { session_id: second });
        expect(ended.isError).toBe(true);
        expect(textOf(ended)).toMatch(/create_session/);
      },
      recorder.fetch,
    );
    expect(recorder.sessionHeaders).toEqual([]);
  });
});
