/**
 * A low-level server whose switch names its tools through constants (`case TOOL_NAMES.DRAW:`, `case
 * AdminTool.Reset:`) and whose shutdown goes through a helper of its own (`setupProcessCleanup(async () => { await
 * clearCanvas(); … })`): the original and the migrated named-tools-cleanup-helper-v1 fixture as stdio children of the
 * real v1 Client. Migrated, every tool the switch serves takes the record's id (reset_canvas too, named by an enum
 * member), two conversations on one process draw on canvases of their own, and the cleanup helper moved into the
 * record's cleanup.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('named-tools-cleanup-helper-v1', 'create_session', 'session_id');

async function draw(client: Client, handle: Record<string, string>, offset: number): Promise<string[]> {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return [
    await call('resize_canvas', { width: 100 + offset, height: 50 }),
    await call('draw_line', { from: [0, 0], to: [10 + offset, 500] }),
    await call('draw_line', { from: [1, 1], to: [2, 2] }),
    await call('undo'),
    await call('show_canvas'),
    await call('reset_canvas'),
    await call('show_canvas'),
  ];
}

describe('named-tools-cleanup-helper-v1: tools named through constants, shutdown through a helper', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: every tool takes the id, the helper runs in the cleanup', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/canvas.ts']).toContain(`tools: ['draw_line', 'resize_canvas', 'show_canvas', 'undo', 'reset_canvas'],`);
    expect(running().migrated.files['src/index.ts']).toContain('await sessions.disposeAll();');
  });

  it('lists the id on every tool the switch serves', async () => {
    const { tools } = await running().after.listTools();
    for (const name of ['draw_line', 'undo', 'show_canvas', 'resize_canvas', 'reset_canvas']) {
      expect(tools.find((tool) => tool.name === name)?.inputSchema.required, name).toContain('session_id');
    }
  });

  it('answers the original conversation the same way, twice at once on one process, each on its own canvas', async () => {
    const original = await draw(running().before, {}, 0);
    expect(original).toEqual(['100x50', '1 line(s)', '2 line(s)', '1 line(s)', '100x50, 1 line(s): 0,0->10,50', 'cleared', '100x50, 0 line(s): ']);
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([draw(running().after, { session_id: first }, 0), draw(running().after, { session_id: second }, 5)]);
    expect(one).toEqual(original);
    expect(two[4]).toBe('105x50, 1 line(s): 0,0->15,50');
    const ended = (await running().after.callTool({ name: 'destroy_session', arguments: { session_id: first } })) as ToolResult;
    expect(ended.isError).toBeFalsy();
    const gone = (await running().after.callTool({ name: 'show_canvas', arguments: { session_id: first } })) as ToolResult;
    expect(gone.isError).toBe(true);
  });
});
