/**
 * An object the server's start-up function builds and hands both to the tools and to the function that registers
 * the resources (`registerResources(server, desk)`, fixed URIs read through the parameter), released on SIGINT:
 * the original and the migrated factory-instance-resources-v1 fixture as stdio children of the real v1 Client.
 * Each conversation's record holds its own desk, every tool that reaches the desk takes the id (also one that
 * only lists what was written), and the resources are read under the id.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('factory-instance-resources-v1', 'create_session', 'session_id');

async function converse(client: Client, title: string, id?: string) {
  const handle = id ? { session_id: id } : {};
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  const read = async (uri: string) => ((await client.readResource({ uri: id ? uri.replace('://', `://${id}/`) : uri })).contents[0] as { text: string }).text;
  return {
    empty: await call('list_drafts'),
    before: await read('drafts://open'),
    saved: [await call('write_draft', { title: `${title}-1`, text: 'first' }), await call('write_draft', { title: `${title}-2`, text: 'second' })],
    listed: await call('list_drafts'),
    open: await read('drafts://open'),
    titles: await read('drafts://titles'),
  };
}

describe('factory-instance-resources-v1: an object handed to the tools and to the resources', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; shutdown releases every record', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const entry = running().migrated.files['src/index.ts']!;
    expect(entry).toContain("tools: ['write_draft', 'list_drafts'],");
    expect(entry).toContain('await sessions.disposeAll();');
    expect(running().migrated.files['src/resources.ts']).toContain("new ResourceTemplate('drafts://{session_id}/open', { list: undefined })");
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, 'memo');
    expect(expected).toEqual({ empty: 'none', before: 'no open draft', saved: ['saved memo-1', 'saved memo-2'], listed: 'memo-1, memo-2', open: 'memo-2: second', titles: '["memo-1","memo-2"]' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'memo', one), converse(running().after, 'letter', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ empty: 'none', before: 'no open draft', saved: ['saved letter-1', 'saved letter-2'], listed: 'letter-1, letter-2', open: 'letter-2: second', titles: '["letter-1","letter-2"]' });
  });
});
