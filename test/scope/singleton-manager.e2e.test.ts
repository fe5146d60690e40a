/**
 * A manager class the server keeps one instance of (`export const storeLink = new StoreLink()`), opened at start-up
 * and holding the database a `use_database` tool selects: the original and the migrated
 * singleton-manager-selection-v1 fixture as stdio children of the real v1 Client. The selected database moves into
 * one record per conversation, which starts from the database start-up opened; the client stays the process's.
 * A resource registered under a constant URI reads the record too, from a template keyed by its id. The fixture
 * pins SDK 1.23.0 (run from the `mcp-sdk-1.23.0` dev dependency).
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('singleton-manager-selection-v1', 'create_connection', 'connection_id');

async function converse(client: Client, database: string, item: string, id?: string) {
  const handle = id ? { connection_id: id } : {};
  const call = async (tool: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name: tool, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    startedIn: await call('current_database'),
    switched: await call('use_database', { name: database }),
    added: await call('add_item', { item }),
    listed: await call('list_items'),
    now: await call('current_database'),
    overview: ((await client.readResource({ uri: id ? `store://${id}/overview` : 'store://overview' })).contents[0] as { text: string }).text,
  };
}

describe('singleton-manager-selection-v1: a selection kept in the one instance of a manager class', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; the client stays shared, the selection moves', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const connection = running().migrated.files['src/connection.ts']!;
    expect(connection).toContain("startup: ['database', 'databaseName'],");
    expect(connection).toContain('private client: StoreClient | null = null;');
    expect(connection).toContain('connection.database = this.client.database(name);');
    expect(running().migrated.files['src/tools.ts']).toContain("import { connections, storeLink } from './connection.js';");
    expect(Object.values(running().migrated.files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way, twice at once on one process, each in its own database', async () => {
    const expected = await converse(running().before, 'orders', 'pen');
    expect(expected).toEqual({ startedIn: 'Current database: shop', switched: 'Now using orders (0 items)', added: '1 item(s)', listed: 'pen', now: 'Current database: orders', overview: 'orders: 1 item(s)' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    // The original process already wrote `pen` into orders: the store is shared data, the selection is not.
    const a = await converse(running().after, 'invoices', 'ink', one);
    expect(a).toEqual({ startedIn: 'Current database: shop', switched: 'Now using invoices (0 items)', added: '1 item(s)', listed: 'ink', now: 'Current database: invoices', overview: 'invoices: 1 item(s)' });
    // b starts where start-up left the link, not in a's database, and its own switch leaves a's alone.
    const b = await converse(running().after, 'archive', 'box', two);
    expect(b).toEqual({ startedIn: 'Current database: shop', switched: 'Now using archive (0 items)', added: '1 item(s)', listed: 'box', now: 'Current database: archive', overview: 'archive: 1 item(s)' });
    const call = async (tool: string, id: string) => textOf((await running().after.callTool({ name: tool, arguments: { connection_id: id } })) as ToolResult);
    expect(await call('current_database', one)).toBe('Current database: invoices');
    expect(await call('list_items', one)).toBe('ink');
  });

  it('on SDK 1.23, whose registerTool cannot type a callback without input, the creator declares an empty input', () => {
    expect(running().migrated.files['src/tools.ts']).toContain('inputSchema: {},\n      outputSchema: { connection_id: z.string() },\n    },\n    async (_args, extra) => connections.create(principalOf(extra)),');
  });
});
