/**
 * Tool objects ({ name, inputSchema, handler }) from a registry, registered in a loop and handed a context object
 * whose current recorder one tool sets and the others use: the original and the migrated tool-objects-context-v1
 * fixture as stdio children of the real v1 Client. Migrated, the entry's context is one per conversation (the
 * tools still receive it as their parameter), so two conversations on one process each add to their own recording.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('tool-objects-context-v1', 'create_session', 'session_id');

async function record(client: Client, handle: Record<string, string>, title: string, lines: string[]): Promise<string[]> {
  const call = async (name: string, args: Record<string, unknown>) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  const out = [await call('start_recording', { title })];
  for (const line of lines) out.push(await call('add_line', { line }));
  return out;
}

describe('tool-objects-context-v1: a context object handed to tool objects registered in a loop', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: the context is the record\'s, every tool takes the id', async () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const { tools } = await running().after.listTools();
    for (const name of ['start_recording', 'add_line']) expect(tools.find((tool) => tool.name === name)?.inputSchema.required, name).toContain('session_id');
  });

  it('answers the original conversation the same way; two conversations keep their own current recording', async () => {
    const original = await record(running().before, {}, 'standup', ['one', 'two']);
    expect(original).toEqual(['Recording standup', '2 line(s)', '3 line(s)']);
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const call = async (id: string, name: string, args: Record<string, unknown>) => textOf((await running().after.callTool({ name, arguments: { session_id: id, ...args } })) as ToolResult);
    expect(await record(running().after, { session_id: first }, 'standup', ['one'])).toEqual(original.slice(0, 2));
    expect(await record(running().after, { session_id: second }, 'retro', ['a', 'b', 'c'])).toEqual(['Recording retro', '2 line(s)', '3 line(s)', '4 line(s)']);
    // The first conversation's current recording is still its own.
    expect(await call(first, 'add_line', { line: 'two' })).toBe('3 line(s)');
    const fresh = await running().create();
    expect(await call(fresh, 'add_line', { line: 'x' })).toBe('Start a recording first');
  });
});
