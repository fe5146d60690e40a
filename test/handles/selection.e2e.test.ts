/**
 * A selection of a value the caller can name (`use_database(name)`) becomes an explicit parameter of the tools
 * that read it: served statelessly over HTTP with the real v2 client, the setter is gone, each reader takes
 * `database` (checked by the setter's schema, defaulting to the old starting value) and answers as the old
 * server did after the same selection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStateToHandlesTransform as transform } from '../../transforms/session-state-to-handles.js';
import { buildCase, connectHttp, startHttp, textOf, type Built, type Connection, type E2ECase, type HttpServer } from './e2e/support.js';

const CASE: E2ECase = {
  transform,
  fixture: 'database-v2-js',
  sdk: 'v2',
  http: { module: 'src/server.js', factory: 'createServer' },
  creator: { tool: 'list_tables', expect: '' },
  idParam: 'database',
  kindName: 'database',
  steps: [],
  probe: { tool: 'list_tables', expect: '' },
  shared: true,
};

describe('database-v2-js: use_database becomes a database parameter', () => {
  let built: Built;
  let host: HttpServer;
  let client: Connection;
  beforeAll(async () => {
    built = buildCase(CASE);
    host = await startHttp(built, CASE, { MCP_HANDLE_STORE: 'memory' });
    client = await connectHttp('v2', host.url, 'token-alice');
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await host?.stop();
    built?.remove();
  });

  it('lists no setter, and the readers take the value', async () => {
    const { tools } = (await client.listTools()) as { tools: Array<{ name: string; inputSchema: { properties?: Record<string, unknown> } }> };
    expect(tools.map((t) => t.name).sort()).toEqual(['list_tables', 'read_table']);
    for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {})).toContain('database');
  });

  it('answers like the old server after the same selection, and starts from the old default', async () => {
    expect(textOf(await client.call('list_tables', { database: 'archive' }))).toContain('logs');
    expect(textOf(await client.call('read_table', { database: 'archive', table: 'users' }))).toBe('alan');
    expect(textOf(await client.call('list_tables', {}))).toBe('users');
  });

  it('checks the value with the setter\'s schema', async () => {
    const result = await client.call('list_tables', { database: 'nope' });
    expect(result.isError).toBe(true);
  });
});
