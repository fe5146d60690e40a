/**
 * A class that builds its own low-level Server and keeps the connection in its fields (`private connection:
 * KvConnection | null`, set by one tool, used by the others through private methods): the original and the
 * migrated server-class-own-fields-v1 fixture as stdio children of the real v1 Client. Migrated, `this.connection`
 * is the current record's, so two conversations on one process keep their own connections.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callText, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('server-class-own-fields-v1', 'create_connection', 'connection_id');

const call = callText;

describe('server-class-own-fields-v1: the fields of a class that builds its server', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: the fields are the record\'s', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const server = running().migrated.files['src/server.ts']!;
    expect(server).not.toContain('this.connection');
    expect(server).toContain('connectionState.connection = connection;');
    // The constructor's plain value is where every record starts.
    expect(server).toContain(`startup: ['connected'],`);
  });

  it('answers the original conversation the same way', async () => {
    const before = running().before;
    expect(((await before.readResource({ uri: 'kv://status' })).contents[0] as { text: string }).text).toBe('not connected');
    const conversation = async (client: Client, id: Record<string, unknown>) => [
      await call(client, 'kv_status', id),
      await call(client, 'kv_get', { ...id, key: 'k' }),
      await call(client, 'kv_open', { ...id, database: 'orders' }),
      await call(client, 'kv_set', { ...id, key: 'k', value: '1' }),
      await call(client, 'kv_get', { ...id, key: 'k' }),
      await call(client, 'kv_status', id),
      await call(client, 'kv_close', id),
      await call(client, 'kv_status', id),
    ];
    const original = await conversation(before, {});
    expect(original).toEqual([
      'Not connected',
      'Error: Not connected; call kv_open first',
      'Connected to orders',
      'k = 1',
      'k = 1',
      'Connected to orders, 2 command(s)',
      'Closed',
      'Not connected',
    ]);
    expect(await conversation(running().after, { connection_id: await running().create() })).toEqual(original);
  });

  it('keeps two conversations on one process apart', async () => {
    const after = running().after;
    const [first, second] = await Promise.all([running().create(), running().create()]);
    await call(after, 'kv_open', { connection_id: first, database: 'orders' });
    await call(after, 'kv_open', { connection_id: second, database: 'archive', readOnly: true });
    expect(await call(after, 'kv_set', { connection_id: first, key: 'k', value: 'mine' })).toBe('k = mine');
    expect(await call(after, 'kv_set', { connection_id: second, key: 'k', value: 'theirs' })).toBe('Error: archive is open read-only');
    expect(await call(after, 'kv_get', { connection_id: second, key: 'k' })).toBe('k is not set');
    expect(await call(after, 'kv_status', { connection_id: first })).toBe('Connected to orders, 1 command(s)');
    // Closing one conversation's connection leaves the other's open.
    expect(await call(after, 'kv_close', { connection_id: second })).toBe('Closed');
    expect(await call(after, 'kv_get', { connection_id: first, key: 'k' })).toBe('k = mine');
    // The status and keys resources are each record's own, read under its id.
    const read = async (uri: string) => ((await after.readResource({ uri })).contents[0] as { text: string }).text;
    expect(await read(`kv://${first}/status`)).toBe('connected to orders');
    expect(await read(`kv://${first}/keys`)).toBe('["k"]');
    expect(await read(`kv://${second}/status`)).toBe('not connected');
    const templates = (await after.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(['kv://{connection_id}/status', 'kv://{connection_id}/keys']);
    // Without an id the tool says where to get one.
    expect(await call(after, 'kv_status', {})).toBe('this tool needs a connection_id; call create_connection() first and pass the connection_id it returns');
  });
});

/**
 * A server class that hands itself to its tool modules (`registerFolderTools(this)`), which keep their state on the
 * instance (`projects.workspace = …`): the fields become accessors onto the record, so the modules' own code stays.
 */
describe('server-class-handed-v1: fields tool modules set on the instance they were handed', () => {
  const running = stdioPairFor(scopeCase('server-class-handed-v1', 'create_session', 'session_id'));

  it('the committed output is what the transform produces: accessors onto the record, the tool modules untouched inside', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const server = running().migrated.files['src/server.ts']!;
    expect(server).toContain('public get workspace(): Workspace | null {');
    expect(server).toContain('public set lookups(value: number) {');
    expect(running().migrated.files['src/tools/folders.ts']).toContain('projects.workspace = { root, trail: [] };');
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const conversation = async (client: Client, root: string, id: Record<string, unknown>) => [
      await call(client, 'where_am_i', id),
      await call(client, 'enter', { ...id, folder: 'src' }),
      await call(client, 'open_workspace', { ...id, root }),
      await call(client, 'enter', { ...id, folder: 'src' }),
      await call(client, 'enter', { ...id, folder: 'lib' }),
      await call(client, 'where_am_i', id),
    ];
    const original = await conversation(running().before, '/srv/app', {});
    expect(original).toEqual(['no workspace, lookup 1', 'Error: open a workspace first', 'working in /srv/app', '/srv/app/src', '/srv/app/src/lib', '/srv/app (2 steps), lookup 2']);
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([
      conversation(running().after, '/srv/app', { session_id: first }),
      conversation(running().after, '/home/docs', { session_id: second }),
    ]);
    expect(a).toEqual(original);
    expect(b).toEqual(original.map((line) => line.replace('/srv/app', '/home/docs')));
  });
});
