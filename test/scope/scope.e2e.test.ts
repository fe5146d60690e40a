/**
 * Migrated session-scope fixtures run with the real clients over stdio: the shared scenario (creator, handle
 * use, unknown/expired/destroyed ids, a second process), plus what this transform promises on top: two
 * conversations on one process keep their own state, and the migrated server answers the original server's
 * conversation the same way once the handle is threaded in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionScopeTransform as transform } from '../../transforms/session-scope.js';
import { describeHttpScenario, describeStdioScenario } from '../handles/e2e/scenario.js';
import { buildCase, buildInput, connectStdio, handleOf, textOf, type Built, type Connection, type E2ECase, type Step } from '../handles/e2e/support.js';

interface ScopeCase extends E2ECase {
  /** The original conversation: calls with the texts the original server answered. */
  conversation: Step[];
  /** A call whose answer shows the state the conversation built (another conversation must not see it). */
  isolation: Step & { fresh: string | RegExp };
}

const CASES: ScopeCase[] = [
  {
    // Pinned to @modelcontextprotocol/sdk 1.0.1 and run on it: no structured output, so the id travels as text.
    transform,
    fixture: 'lowlevel-terminal-sdk-1.0.1',
    sdk: 'v1',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'create_terminal', expect: 'terminal_id' },
    idParam: 'terminal_id',
    kindName: 'terminal',
    steps: [{ tool: 'type_text', args: { text: 'ls\n' }, expect: 'typed' }],
    probe: { tool: 'read_screen', expect: '$ ls' },
    destroy: { tool: 'destroy_terminal', expect: 'ended' },
    shared: false,
    textOnlyHandle: true,
    conversation: [
      { tool: 'type_text', args: { text: 'whoami\n' }, expect: 'typed' },
      { tool: 'type_text', args: { text: 'pwd' }, expect: 'typed' },
      { tool: 'read_screen', expect: '$ whoami\n\n$ pwd' },
    ],
    isolation: { tool: 'read_screen', expect: '$ whoami', fresh: /^\$ $/ },
  },
  {
    transform,
    fixture: 'lowlevel-browser-v1',
    sdk: 'v1',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'create_browser', expect: 'browser_id' },
    idParam: 'browser_id',
    kindName: 'browser',
    steps: [{ tool: 'navigate', args: { url: 'https://example.com' }, expect: 'Navigated to https://example.com' }],
    probe: { tool: 'screenshot', expect: 'shot of https://example.com' },
    destroy: { tool: 'destroy_browser', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'navigate', args: { url: 'https://example.com/a' }, expect: 'Navigated to https://example.com/a' },
      { tool: 'screenshot', expect: 'shot of https://example.com/a' },
    ],
    isolation: { tool: 'screenshot', expect: 'shot of https://example.com/a', fresh: 'shot of about:blank' },
  },
  {
    transform,
    fixture: 'tool-table-shell-v1',
    sdk: 'v1',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'create_session', expect: 'session_id' },
    idParam: 'session_id',
    kindName: 'session',
    steps: [{ tool: 'cd', args: { path: '/usr' }, expect: 'now in /usr' }],
    probe: { tool: 'pwd', expect: '/usr' },
    destroy: { tool: 'destroy_session', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'cd', args: { path: '/' }, expect: 'now in /' },
      { tool: 'cd', args: { path: 'tmp' }, expect: 'now in /tmp' },
      { tool: 'history', args: { limit: 5 }, expect: 'cd /\ncd tmp' },
      { tool: 'echo', args: { message: 'hello' }, expect: 'hello' },
    ],
    isolation: { tool: 'history', args: { limit: 5 }, expect: 'cd tmp', fresh: '(none)' },
  },
  {
    transform,
    fixture: 'class-tools-db-v2',
    sdk: 'v2',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'create_connection', expect: 'connection_id' },
    idParam: 'connection_id',
    kindName: 'connection',
    steps: [{ tool: 'connect', args: { url: 'pg://one' }, expect: 'Connected to pg://one' }],
    probe: { tool: 'query', args: { sql: 'select 1' }, expect: 'pg://one: select 1' },
    destroy: { tool: 'destroy_connection', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'connect', args: { url: 'pg://two' }, expect: 'Connected to pg://two' },
      { tool: 'query', args: { sql: 'select 2' }, expect: 'pg://two: select 2' },
    ],
    isolation: { tool: 'query', args: { sql: 'select 3' }, expect: 'pg://two: select 3', fresh: 'Not connected. Call connect first.' },
  },
  {
    transform,
    fixture: 'handler-map-js-v1',
    sdk: 'v1',
    stdio: { entry: 'src/index.js' },
    creator: { tool: 'create_terminal', expect: 'terminal_id' },
    idParam: 'terminal_id',
    kindName: 'terminal',
    steps: [{ tool: 'run', args: { command: 'ls' }, expect: '$ ls' }],
    probe: { tool: 'output', expect: '$ ls' },
    destroy: { tool: 'destroy_terminal', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'run', args: { command: 'whoami' }, expect: '$ whoami' },
      { tool: 'output', expect: '$ whoami' },
      { tool: 'version', expect: 'terminal-server 1.0.0' },
    ],
    isolation: { tool: 'output', expect: '$ whoami', fresh: /^$/ },
  },
  {
    transform,
    fixture: 'server-class-js-fields-v1',
    sdk: 'v1',
    stdio: { entry: 'src/index.js' },
    creator: { tool: 'create_session', expect: 'session_id' },
    idParam: 'session_id',
    kindName: 'session',
    steps: [{ tool: 'open_workspace', args: { name: 'draft' }, expect: 'Opened draft' }],
    probe: { tool: 'history', expect: 'open draft' },
    destroy: { tool: 'destroy_session', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'open_workspace', args: { name: 'notes' }, expect: 'Opened notes' },
      { tool: 'write_file', args: { path: 'a.txt', text: 'alpha' }, expect: 'Wrote a.txt' },
      { tool: 'read_file', args: { path: 'a.txt' }, expect: 'alpha' },
      { tool: 'history', expect: 'open notes\nwrite a.txt' },
    ],
    isolation: { tool: 'history', expect: 'open notes\nwrite a.txt', fresh: /^$/ },
  },
  {
    transform,
    fixture: 'register-tool-helpers-v2',
    sdk: 'v2',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'create_session', expect: 'session_id' },
    idParam: 'session_id',
    kindName: 'session',
    steps: [{ tool: 'open_notebook', args: { title: 'Plan' }, expect: 'Opened Plan' }],
    probe: { tool: 'add_cell', args: { source: 'x = 1' }, expect: 'Plan has' },
    destroy: { tool: 'destroy_session', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'open_notebook', args: { title: 'Notes' }, expect: 'Opened Notes' },
      { tool: 'add_cell', args: { source: 'a' }, expect: 'Notes has 1 cells' },
      { tool: 'add_cell', args: { source: 'b' }, expect: 'Notes has 2 cells' },
      { tool: 'save', expect: 'Saved Notes at 1970-01-01T00:00:00.000Z' },
      { tool: 'about', expect: 'Edits notebooks' },
    ],
    isolation: { tool: 'save', expect: 'Saved Notes', fresh: 'No notebook open. Call open_notebook first.' },
  },
  {
    // A server built per connection with the workspace its client works in (a Context of tabs): the record holds
    // the whole object, built on first use; over HTTP the factory runs per request.
    transform,
    fixture: 'connection-context-v1',
    sdk: 'v1',
    stdio: { entry: 'src/index.ts' },
    http: { module: 'src/server.ts', factory: 'createServer' },
    creator: { tool: 'create_browser', expect: 'browser_id' },
    idParam: 'browser_id',
    kindName: 'browser',
    steps: [
      { tool: 'open_tab', args: { url: 'https://example.com' }, expect: 'Opened https://example.com (1 tab(s))' },
      { tool: 'navigate', args: { url: 'https://example.com/docs' }, expect: 'Navigated to https://example.com/docs' },
    ],
    probe: { tool: 'history', expect: 'https://example.com > https://example.com/docs' },
    destroy: { tool: 'destroy_browser', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'history', expect: 'No tab open. Call open_tab first.' },
      { tool: 'open_tab', expect: 'Opened about:blank (1 tab(s))' },
      { tool: 'open_tab', args: { url: 'https://a.test' }, expect: 'Opened https://a.test (2 tab(s))' },
      { tool: 'navigate', args: { url: 'https://a.test/b' }, expect: 'Navigated to https://a.test/b' },
      { tool: 'select_tab', args: { index: 0 }, expect: 'Now on about:blank' },
      { tool: 'select_tab', args: { index: 1 }, expect: 'Now on https://a.test/b' },
      { tool: 'history', expect: 'https://a.test > https://a.test/b' },
    ],
    isolation: { tool: 'history', expect: 'https://a.test/b', fresh: 'No tab open. Call open_tab first.' },
  },
  {
    // McpServer tools registered from a table in a loop, each run through a context object the factory builds
    // (which builds the manager holding the app's own "active recording").
    transform,
    fixture: 'context-tool-loop-v2',
    sdk: 'v2',
    stdio: { entry: 'src/index.ts' },
    http: { module: 'src/server.ts', factory: 'buildServer' },
    creator: { tool: 'create_session', expect: 'session_id' },
    idParam: 'session_id',
    kindName: 'session',
    steps: [
      { tool: 'start_recording', args: { name: 'standup' }, expect: '[notes] recording standup' },
      { tool: 'add_note', args: { text: 'ship it' }, expect: 'standup has 1 note(s)' },
    ],
    probe: { tool: 'read_notes', expect: 'ship it' },
    destroy: { tool: 'destroy_session', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'read_notes', expect: 'Nothing is recording. Call start_recording first.' },
      { tool: 'start_recording', args: { name: 'retro' }, expect: '[notes] recording retro' },
      { tool: 'add_note', args: { text: 'a' }, expect: 'retro has 1 note(s)' },
      { tool: 'add_note', args: { text: 'b' }, expect: 'retro has 2 note(s)' },
      { tool: 'read_notes', expect: 'a; b' },
    ],
    isolation: { tool: 'read_notes', expect: 'a; b', fresh: 'Nothing is recording. Call start_recording first.' },
  },
  {
    // A module singleton whose class keeps a chain of reasoning (its name says so), reached through its methods.
    transform,
    fixture: 'thinking-singleton-v2',
    sdk: 'v2',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'create_session', expect: 'session_id' },
    idParam: 'session_id',
    kindName: 'session',
    steps: [{ tool: 'think', args: { text: 'split the problem', number: 1 }, expect: 'thought 1 of 1; branches: none' }],
    probe: { tool: 'recap', expect: '1. split the problem' },
    destroy: { tool: 'destroy_session', expect: 'ended' },
    shared: false,
    conversation: [
      { tool: 'recap', expect: 'No thoughts yet.' },
      { tool: 'think', args: { text: 'a', number: 1 }, expect: 'thought 1 of 1; branches: none' },
      { tool: 'think', args: { text: 'b', number: 2, branch: 'alt' }, expect: 'thought 2 of 2; branches: alt' },
      { tool: 'recap', expect: '1. a\n2. b' },
    ],
    isolation: { tool: 'recap', expect: '1. a', fresh: 'No thoughts yet.' },
  },
];

const matches = (text: string, expected: string | RegExp) => (typeof expected === 'string' ? text.includes(expected) : expected.test(text));

for (const testCase of CASES) {
  describeStdioScenario(testCase);
  if (testCase.http) describeHttpScenario(testCase);

  // Built up front and run beside the other cases, like the scenario (see e2e/scenario.ts).
  let original: Built;
  let migrated: Built;
  beforeAll(() => {
    original = buildInput(testCase);
    migrated = buildCase(testCase);
  });
  describe.concurrent(`${testCase.fixture}: the original conversation, replayed on the migrated server`, () => {
    const open: Connection[] = [];
    afterAll(async () => {
      await Promise.all(open.map((c) => c.close().catch(() => undefined)));
      original?.remove();
      migrated?.remove();
    });

    it.sequential('answers every call as the original did, with the handle threaded in', async () => {
      const before = await connectStdio(testCase.sdk, original, testCase.stdio!.entry, {});
      const after = await connectStdio(testCase.sdk, migrated, testCase.stdio!.entry, { MCP_HANDLE_STORE: 'memory' });
      open.push(before, after);
      const created = await after.call(testCase.creator.tool, {});
      const id = handleOf(created, testCase.idParam) as string;
      expect(typeof id).toBe('string');
      for (const step of testCase.conversation) {
        const old = await before.call(step.tool, step.args ?? {});
        const now = await after.call(step.tool, { ...step.args, [testCase.idParam]: id });
        expect(matches(textOf(old), step.expect), `original ${step.tool}: ${textOf(old)}`).toBe(true);
        expect(textOf(now), step.tool).toBe(textOf(old));
        expect(now.isError ?? false, step.tool).toBe(old.isError ?? false);
      }
    });

    it.sequential('two conversations on one process keep their own state', async () => {
      const one = await connectStdio(testCase.sdk, migrated, testCase.stdio!.entry, { MCP_HANDLE_STORE: 'memory' });
      open.push(one);
      const first = handleOf(await one.call(testCase.creator.tool, {}), testCase.idParam) as string;
      const second = handleOf(await one.call(testCase.creator.tool, {}), testCase.idParam) as string;
      expect(first).not.toBe(second);
      for (const step of testCase.conversation) await one.call(step.tool, { ...step.args, [testCase.idParam]: first });
      const mine = await one.call(testCase.isolation.tool, { ...testCase.isolation.args, [testCase.idParam]: first });
      const theirs = await one.call(testCase.isolation.tool, { ...testCase.isolation.args, [testCase.idParam]: second });
      expect(matches(textOf(mine), testCase.isolation.expect), textOf(mine)).toBe(true);
      expect(matches(textOf(theirs), testCase.isolation.fresh), textOf(theirs)).toBe(true);
    });
  });
}
