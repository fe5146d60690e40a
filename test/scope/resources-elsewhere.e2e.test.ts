/**
 * State kept in a state module with getters (`getStore()`, `requireStore()`), used by tools in one module and by an
 * `McpServer` resource registered in another, released by a shutdown helper the entry runs on SIGINT, SIGUSR2 and
 * uncaught errors: the original and the migrated state-module-resources-elsewhere-v1 fixture as stdio children of
 * the real v1 Client. The resource is read under the record's id; two conversations keep their own stores.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('state-module-resources-elsewhere-v1', 'create_session', 'session_id');

async function converse(client: Client, name: string, id?: string) {
  const handle = id ? { session_id: id } : {};
  const call = async (tool: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name: tool, arguments: { ...handle, ...args } })) as ToolResult);
  const rows = async () => ((await client.readResource({ uri: id ? `store://${id}/rows` : 'store://rows' })).contents[0] as { text: string }).text;
  return {
    closed: [await call('put', { key: 'a', value: '1' }), await rows()],
    opened: await call('open_store', { name }),
    put: [await call('put', { key: 'a', value: name }), await call('put', { key: 'b', value: '2' })],
    status: await call('store_status'),
    rows: await rows(),
  };
}

describe('state-module-resources-elsewhere-v1: a resource in another module reads the state through its getter', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; the shutdown helper releases every record', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/resources/rows.ts']).toContain("new ResourceTemplate('store://{session_id}/rows', { list: undefined })");
    expect(running().migrated.files['src/db/connection.ts']).toContain('await sessions.disposeAll();');
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, 'north');
    expect(expected).toEqual({
      closed: ['No open store. Use open_store first.', '{"error":"No open store"}'],
      opened: 'opened north',
      put: ['put a', 'put b'],
      status: 'north (2 rows, opened 1970-01-01T00:00:00.000Z)',
      rows: '{"a":"north","b":"2"}',
    });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'north', one), converse(running().after, 'south', two)]);
    expect(a).toEqual(expected);
    expect(b.rows).toBe('{"a":"south","b":"2"}');
    expect(b.status).toBe('south (2 rows, opened 1970-01-01T00:00:00.000Z)');
  });
});
