/**
 * A low-level server whose helper creates its state on first use, whose resources/list is built from that state
 * (a guard, a local array, entries only for some items, keyed by position) and whose named shutdown function
 * releases it from the signal handlers: the original and the migrated lowlevel-research-log-v1 fixture, each
 * a stdio child of the real v1 Client. The migrated server answers the original conversation the same way,
 * twice at once on one process with a handle threaded in; each conversation reads back only its own findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { sessionScopeTransform as transform } from '../../transforms/session-scope.js';
import { buildCase, buildInput, handleOf, textOf, type Built, type E2ECase, type ToolResult } from '../handles/e2e/support.js';

const CASE: E2ECase = {
  transform,
  fixture: 'lowlevel-research-log-v1',
  sdk: 'v1',
  stdio: { entry: 'src/index.ts' },
  creator: { tool: 'create_browser', expect: 'browser_id' },
  idParam: 'browser_id',
  kindName: 'browser',
  steps: [],
  probe: { tool: 'open_address', expect: 'Opened' },
  shared: false,
};

async function start(built: Built): Promise<Client> {
  const client = new Client({ name: 'research-log-e2e', version: '1.0.0' });
  const env = { ...(process.env as Record<string, string>), MCP_HANDLE_STORE: 'memory' };
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [built.path('src/index.ts')], cwd: built.dir, env, stderr: 'pipe' }));
  return client;
}

const readText = async (client: Client, uri: string) => {
  const result = await client.readResource({ uri });
  return (result.contents[0] as { text?: string }).text;
};

/** The original conversation: open an address, note two findings (one with a snapshot), read them back. */
async function converse(client: Client, address: string, handle: Record<string, string>, uriOf: (path: string) => string) {
  const call = async (name: string, args: Record<string, unknown>) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  const opened = await call('open_address', { address });
  const plain = await call('note_finding', { note: 'first look' });
  const kept = await call('note_finding', { note: 'worth keeping', keepSnapshot: true });
  const snapshot = await readText(client, uriOf('snapshots/1'));
  const log = await readText(client, uriOf('log'));
  return { opened, plain, kept, snapshot, log };
}

describe('lowlevel-research-log-v1: state made on first use, resources built from it, a named shutdown function', () => {
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

  it('answers the original conversation the same way, twice at once on one process, each with its own findings', async () => {
    const expected = await converse(before, 'https://one.example', {}, (path) => `research://${path}`);
    expect(expected.kept).toBe('Noted finding 1; its snapshot is at research://snapshots/1');
    expect(expected.snapshot).toBe('rendering of https://one.example');

    const create = async () => handleOf((await after.callTool({ name: 'create_browser', arguments: {} })) as ToolResult, 'browser_id') as string;
    const [first, second] = await Promise.all([create(), create()]);
    expect(first).not.toBe(second);
    const [one, two] = await Promise.all([
      converse(after, 'https://one.example', { browser_id: first }, (path) => `research://${first}/${path}`),
      converse(after, 'https://two.example', { browser_id: second }, (path) => `research://${second}/${path}`),
    ]);
    // The same answers, the snapshot's URI now naming the conversation it belongs to.
    expect({ ...one, kept: one.kept.replace(`research://${first}/`, 'research://') }).toEqual(expected);
    expect(two.snapshot).toBe('rendering of https://two.example');
    expect(JSON.parse(two.log!)).toEqual([
      { address: 'https://two.example', note: 'first look' },
      { address: 'https://two.example', note: 'worth keeping' },
    ]);
  });

  it('keeps resources/list the same whatever the calls did, and serves the findings from templates', async () => {
    const listed = await after.listResources();
    expect(listed.resources).toEqual([]);
    const templates = await after.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['research://{browser_id}/log', 'research://{browser_id}/snapshots/{i}']);
    // The original's list grew with the calls.
    expect((await before.listResources()).resources.map((r) => r.uri)).toEqual(['research://log', 'research://snapshots/1']);
  });

  it('a finding of an unknown conversation is a clear error', async () => {
    await expect(readText(after, 'research://browser_0000000000000000000000/log')).rejects.toThrow(/browser/);
    const result = (await after.callTool({ name: 'open_address', arguments: { address: 'x' } })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/create_browser/);
  });
});
