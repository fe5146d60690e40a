/**
 * A client object a server class builds in its constructor and hands to tool modules
 * (`registerRecordTools(this.server, this.client)`), which its `init()` may also open at start-up: the original
 * and the migrated server-class-startup-use-v1 fixture as stdio children of the real v1 Client. Each conversation's
 * record builds its own client; the start-up use gets one marker, since what it opens reaches no conversation.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = { ...scopeCase('server-class-startup-use-v1', 'create_connection', 'connection_id'), stdio: { entry: 'src/index.ts' } };

async function converse(client: Client, label: string, amount: number, handle: Record<string, string> = {}) {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    before: await call('record', { account: 'rent', amount }),
    connected: await call('connect', { label }),
    first: await call('record', { account: 'rent', amount }),
    second: await call('record', { account: 'rent', amount }),
    status: await call('status'),
  };
}

describe('server-class-startup-use-v1: a client a server class builds, also used at start-up', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces, with one marker at the start-up use', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const server = running().migrated.files['src/server.ts']!;
    expect(server).toContain("this.client = connections.instance('client', () => new LedgerClient());");
    expect(server.match(/@mcp-sessionless-todo/g)).toHaveLength(1);
    expect(server).toMatch(/@mcp-sessionless-todo\(SL006\): client is used here outside any tool call[^\n]*\n\s+if \(this\.autoConnect\)/);
    // shutdown() only runs on SIGINT: it releases every record's client, then the one start-up opened, as before.
    expect(server).toContain('await connections.disposeAll();\n    if (this.client.isOpen()) await this.client.disconnect();');
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, 'home', 10);
    expect(expected).toEqual({ before: 'not connected: call connect first', connected: 'connected to home', first: 'rent: 10', second: 'rent: 20', status: 'home: 1 account(s)' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'home', 10, { connection_id: one }), converse(running().after, 'office', 3, { connection_id: two })]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ before: 'not connected: call connect first', connected: 'connected to office', first: 'rent: 3', second: 'rent: 6', status: 'office: 1 account(s)' });
  });
});
