/**
 * A low-level server whose setup function builds its SQL console inside a `try` (logged, then rethrown) and whose
 * state names a database (`currentDatabase`): the original and the migrated setup-in-try-console-v1 fixture as stdio
 * children of the real v1 Client. Migrated, the console is one per conversation behind a connection_id (named by
 * what it holds, not by the `tab` inside `database`), and two conversations on one process use databases of their own.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('setup-in-try-console-v1', 'create_connection', 'connection_id');

async function session(client: Client, handle: Record<string, string>, database: string): Promise<string[]> {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return [await call('use_database', { name: database }), await call('run_sql', { sql: 'select 1' }), await call('transcript')];
}

describe('setup-in-try-console-v1: a console built inside the setup function\'s try', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: the console is the record\'s, named a connection', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/setup.ts']).toContain(`const sqlConsole = connections.instance('sqlConsole', () => new SqlConsole());`);
  });

  it('answers the original conversation the same way, twice at once on one process, each with its own database', async () => {
    const original = await session(running().before, {}, 'sales');
    expect(original).toEqual(['Using sales', 'sales> select 1', 'sales> select 1']);
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([session(running().after, { connection_id: first }, 'sales'), session(running().after, { connection_id: second }, 'hr')]);
    expect(one).toEqual(original);
    expect(two).toEqual(['Using hr', 'hr> select 1', 'hr> select 1']);
    const fresh = await running().create();
    // A fresh record has no database yet, as a fresh connection had none (the low-level handler throws either way).
    await expect(running().after.callTool({ name: 'run_sql', arguments: { connection_id: fresh, sql: 'select 1' } })).rejects.toThrow('No database selected');
  });
});
