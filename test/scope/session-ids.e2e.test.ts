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
// the registry knows only its ids, so no session_id can stand in and a stateless transport would find none. The
// whole pipeline keeps the sessions, with markers saying so, and the conversation gets the original's answers.
describe('app-session-registry-v1: session ids the application mints, after the whole pipeline', () => {
  const served = originalAndMigrated('app-registry', appRegistry.input);
  const { pipeline } = served;
  const converse = async (url: string) => {
    const recorder = recordingFetch();
    const answers: string[] = [];
    await withTwo(
      url,
      async (a, b) => {
        answers.push(textOf(await a.call('run', { command: 'ls' })));
        answers.push(textOf(await b.call('run', { command: 'pwd' })));
        answers.push(textOf(await a.call('run', { command: 'make' })));
        answers.push(textOf(await a.call('history')));
        answers.push(textOf(await b.call('history')));
      },
      recorder.fetch,
    );
    return { answers, sessions: recorder.sessionHeaders.length > 0 };
  };

  it('keeps the session transport and the tools as they were, with markers naming the registry', () => {
    const main = pipeline.changed['src/main.ts']!;
    expect(main).toContain('sessionIdGenerator: () => sessionId');
    expect(main).toMatch(/@mcp-sessionless-todo\(SL002\): session transport kept: the session ids are the application's own .*`registry\.openSession\(\)`/);
    expect(main).toContain('runCommand(command, { registry, sessionId: extra.sessionId })');
    expect(main).not.toContain('create_session');
  });

  it('answers the original conversation the same way', async () => {
    const original = await converse(served.original.url);
    const migrated = await converse(served.migrated.url);
    expect(original.answers).toEqual(['ran ls (1 so far)', 'ran pwd (1 so far)', 'ran make (2 so far)', 'ls\nmake', 'pwd']);
    expect(migrated).toEqual(original);
  });
});
