/**
 * State of one conversation kept in two modules that one `tools/call` dispatcher reaches (the kernel's
 * variables in one, a journal object the entry hands to the tools and to the resource handlers in the other):
 * the original and the migrated record-part-across-modules-v1 fixture as stdio children of the real v1 Client.
 * The entry's journal becomes its part of the kernel module's record, behind the same session_id, and its
 * resources are read under that id; two conversations on one migrated process each keep their own. The helper
 * that announced a changed resources/list after a save is no longer called: the list no longer changes.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('record-part-across-modules-v1', 'create_session', 'session_id');

async function converse(client: Client, base: number, id?: string) {
  const handle = id ? { session_id: id } : {};
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  const read = async (uri: string) => {
    const { contents } = await client.readResource({ uri: id ? uri.replace('://', `://${id}/`) : uri });
    return (contents[0] as { text: string }).text;
  };
  return {
    cells: [await call('run_cell', { code: `x = ${base}` }), await call('run_cell', { code: 'y = 1' }), await call('run_cell', { code: 'x + y' })],
    saved: await call('save_output', { variable: 'x', name: 'ex' }),
    journal: await read('notebook://journal'),
    output: await read('output://ex'),
  };
}

describe('record-part-across-modules-v1: one record for state kept in two modules', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; the entry keeps its part of the kernel module’s record', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const entry = running().migrated.files['src/index.ts']!;
    expect(entry).toContain("const sessionPart = sessions.part('src/index', () => ({");
    expect(entry).toContain("const journal = sessionPart.member('journal');");
    expect(entry).not.toContain('@mcp-sessionless-todo(SL006)');
  });

  it('answers the original conversation the same way, twice at once on one process, each reading only its own resources', async () => {
    const announced = { before: 0, after: 0 };
    running().before.setNotificationHandler(ResourceListChangedNotificationSchema, () => void announced.before++);
    running().after.setNotificationHandler(ResourceListChangedNotificationSchema, () => void announced.after++);
    const expected = await converse(running().before, 2);
    expect(expected).toEqual({ cells: ['[1] x = 2', '[2] y = 1', '[3] 3'], saved: 'saved ex', journal: 'x = 2\ny = 1\nx + y', output: '2' });
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([converse(running().after, 2, first), converse(running().after, 5, second)]);
    expect(one).toEqual(expected);
    expect(two).toEqual({ cells: ['[1] x = 5', '[2] y = 1', '[3] 6'], saved: 'saved ex', journal: 'x = 5\ny = 1\nx + y', output: '5' });
    // The old URI names no conversation; another conversation's id reads that conversation's output only.
    await expect(running().after.readResource({ uri: 'notebook://journal' })).rejects.toThrow(/belongs to a session/);
    const templates = (await running().after.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(['notebook://{session_id}/journal', 'output://{session_id}/{name}']);
    // The original announced its changed list through a helper (announceOutputs); the migrated list is static,
    // so the call went and nothing is announced.
    await running().before.listTools();
    expect(announced).toEqual({ before: 1, after: 0 });
    expect(running().migrated.files['src/tools.ts']).not.toContain('announceOutputs');
  });
});
