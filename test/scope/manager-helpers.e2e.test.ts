/**
 * A manager object created on first use (`getManager()`) that owns a terminal, and a helper object built from it
 * (`new CommandTool(await getManager())`), behind a low-level server: the original and the migrated
 * lowlevel-manager-helpers-v1 fixture as stdio children of the real v1 Client. Two conversations on one migrated
 * process each keep their own working directory and history, and each answers as the original did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { sessionScopeTransform as transform } from '../../transforms/session-scope.js';
import { buildCase, buildInput, handleOf, textOf, type Built, type E2ECase, type ToolResult } from '../handles/e2e/support.js';

const CASE: E2ECase = {
  transform,
  fixture: 'lowlevel-manager-helpers-v1',
  sdk: 'v1',
  stdio: { entry: 'src/index.ts' },
  creator: { tool: 'create_session', expect: 'session_id' },
  idParam: 'session_id',
  kindName: 'session',
  steps: [],
  probe: { tool: 'history', expect: '' },
  shared: false,
};

async function start(built: Built): Promise<Client> {
  const client = new Client({ name: 'manager-helpers-e2e', version: '1.0.0' });
  const env = { ...(process.env as Record<string, string>), MCP_HANDLE_STORE: 'memory' };
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [built.path('src/index.ts')], cwd: built.dir, env, stderr: 'pipe' }));
  return client;
}

/** The original conversation: change directory, ask where it is, list what ran. */
async function converse(client: Client, dir: string, handle: Record<string, string>) {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return { cd: await call('run', { command: `cd ${dir}` }), pwd: await call('run', { command: 'pwd' }), ls: await call('run', { command: 'ls' }), history: await call('history') };
}

describe('lowlevel-manager-helpers-v1: a manager made on first use and helpers built from it', () => {
  let original: Built;
  let migrated: Built;
  let before: Client;
  let after: Client;
  beforeAll(async () => {
    original = buildInput(CASE);
    migrated = buildCase(CASE);
    [before, after] = await Promise.all([start(original), start(migrated)]);
  });
  afterAll(async () => {
    await Promise.all([before?.close().catch(() => undefined), after?.close().catch(() => undefined)]);
    original?.remove();
    migrated?.remove();
  });

  it('the committed output is what the transform produces', () => {
    expect(migrated.differences.filter((line) => !line.includes('ttlSeconds'))).toEqual([]);
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(before, '/srv/a', {});
    expect(expected).toEqual({ cd: '', pwd: '/srv/a', ls: 'ran ls in /srv/a', history: 'cd /srv/a\npwd\nls' });
    const create = async () => handleOf((await after.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
    const [first, second] = await Promise.all([create(), create()]);
    const [one, two] = await Promise.all([converse(after, '/srv/a', { session_id: first }), converse(after, '/srv/b', { session_id: second })]);
    expect(one).toEqual(expected);
    expect(two).toEqual({ cd: '', pwd: '/srv/b', ls: 'ran ls in /srv/b', history: 'cd /srv/b\npwd\nls' });
  });

  it('a call without its session_id says how to get one', async () => {
    const result = (await after.callTool({ name: 'history', arguments: {} })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/create_session/);
  });
});
