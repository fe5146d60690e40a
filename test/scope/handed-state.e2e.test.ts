/**
 * An object of state made at start-up and handed to the function that registers the tools
 * (`registerDraftTools(server, state)`): the original and the migrated handed-state-object-v1 fixture as stdio
 * children of the real v1 Client. The name stays, standing for the running call's record, so the tools' module
 * is unchanged; two conversations on one migrated process each keep their own drafts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { sessionScopeTransform as transform } from '../../transforms/session-scope.js';
import { buildCase, buildInput, handleOf, textOf, type Built, type E2ECase, type ToolResult } from '../handles/e2e/support.js';

const CASE: E2ECase = {
  transform,
  fixture: 'handed-state-object-v1',
  sdk: 'v1',
  stdio: { entry: 'src/index.ts' },
  creator: { tool: 'create_session', expect: 'session_id' },
  idParam: 'session_id',
  kindName: 'session',
  steps: [],
  probe: { tool: 'published', expect: '' },
  shared: false,
};

async function start(built: Built): Promise<Client> {
  const client = new Client({ name: 'handed-state-e2e', version: '1.0.0' });
  const env = { ...(process.env as Record<string, string>), MCP_HANDLE_STORE: 'memory' };
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [built.path('src/index.ts')], cwd: built.dir, env, stderr: 'pipe' }));
  return client;
}

async function converse(client: Client, title: string, handle: Record<string, string>) {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    missing: await call('publish', { title: 'nothing' }),
    saved: await call('write_draft', { title, text: `text of ${title}` }),
    published: await call('publish', { title }),
    list: await call('published'),
  };
}

describe('handed-state-object-v1: state made at start-up and handed to the tools', () => {
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

  it('the committed output is what the transform produces, and the tools module is untouched but for its wrappers', () => {
    expect(migrated.differences.filter((line) => !line.includes('ttlSeconds'))).toEqual([]);
    expect(migrated.files['src/index.ts']).toContain("const state = sessions.member('state');");
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(before, 'one', {});
    expect(expected).toEqual({ missing: 'no draft nothing', saved: 'saved', published: 'published one', list: 'one' });
    const create = async () => handleOf((await after.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
    const [first, second] = await Promise.all([create(), create()]);
    const [one, two] = await Promise.all([converse(after, 'one', { session_id: first }), converse(after, 'two', { session_id: second })]);
    expect(one).toEqual(expected);
    expect(two).toEqual({ missing: 'no draft nothing', saved: 'saved', published: 'published two', list: 'two' });
  });
});
