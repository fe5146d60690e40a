/**
 * An object of state made at start-up and handed to the function that registers the tools
 * (`registerDraftTools(server, state)`): the original and the migrated handed-state-object-v1 fixture as stdio
 * children of the real v1 Client. The name stays, standing for the running call's record, so the tools' module
 * is unchanged; two conversations on one migrated process each keep their own drafts.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('handed-state-object-v1', 'create_session', 'session_id');

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
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces, and the tools module is untouched but for its wrappers', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/index.ts']).toContain("const state = sessions.member('state');");
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, 'one', {});
    expect(expected).toEqual({ missing: 'no draft nothing', saved: 'saved', published: 'published one', list: 'one' });
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([converse(running().after, 'one', { session_id: first }), converse(running().after, 'two', { session_id: second })]);
    expect(one).toEqual(expected);
    expect(two).toEqual({ missing: 'no draft nothing', saved: 'saved', published: 'published two', list: 'two' });
  });
});
