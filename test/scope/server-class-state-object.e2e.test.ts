/**
 * An object of state a server class builds in its constructor (`this.state = createState()`) and hands to a logger
 * and to tools registered through a helper (`(server.registerTool as any)(name, …)`), with a flag in it that signal
 * handlers set and a stopping method that closes what it holds: the original and the migrated
 * server-class-state-object-v1 fixture as stdio children of the real v1 Client. Each conversation's record builds
 * its own object; the flag stays the process's, and on SIGINT every record's canvas is closed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { handleOf, textOf, type ToolResult } from '../handles/e2e/support.js';
import { connectStdio, interrupt, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('server-class-state-object-v1', 'create_session', 'session_id');

async function converse(client: Client, name: string, handle: Record<string, string> = {}) {
  const call = async (tool: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name: tool, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    empty: await call('show'),
    drawnUntitled: await call('draw', { stroke: 'dot' }),
    opened: await call('open_canvas', { name }),
    drawn: [await call('draw', { stroke: 'line' }), await call('draw', { stroke: 'arc', layer: 'ink' }), await call('draw', { stroke: 'fill' })],
    shown: await call('show'),
  };
}

async function mute(transport: StdioClientTransport): Promise<void> {
  process.kill(transport.pid!, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 200));
}

describe('server-class-state-object-v1: an object of state a server class builds and hands on', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces, with no marker', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const index = running().migrated.files['src/index.ts']!;
    expect(index).not.toContain('@mcp-sessionless-todo');
    expect(index).toContain("this.state = sessions.instance('state', () => createState(), { shared: ['muted'] });");
    // The helper registers every tool once: the lifecycle tools go beside its first call, not into it.
    const tools = running().migrated.files['src/tools.ts']!;
    expect(tools.match(/registerTool\(\s*'create_session'/g)).toHaveLength(1);
    expect(tools.indexOf("'create_session'")).toBeGreaterThan(tools.indexOf('export function registerTools'));
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, 'harbour');
    expect(expected).toEqual({
      empty: 'no canvas',
      drawnUntitled: 'untitled/base: 1 stroke(s)',
      opened: 'opened harbour',
      drawn: ['harbour/base: 1 stroke(s)', 'harbour/ink: 1 stroke(s)', 'harbour/base: 2 stroke(s)'],
      shown: 'harbour: base=line+fill ink=arc',
    });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'harbour', { session_id: one }), converse(running().after, 'meadow', { session_id: two })]);
    expect(a).toEqual(expected);
    expect(b).toEqual(JSON.parse(JSON.stringify(expected).replaceAll('harbour', 'meadow')));
  });

  it('a flag the process sets stays one for every conversation, as it was', async () => {
    for (const built of [running().original, running().migrated]) {
      const { client, transport } = await connectStdio(built);
      try {
        const handle = built === running().migrated ? { session_id: handleOf((await client.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string } : {};
        await client.callTool({ name: 'open_canvas', arguments: { ...handle, name: 'quiet' } });
        await mute(transport);
        expect(textOf((await client.callTool({ name: 'show', arguments: handle })) as ToolResult)).toBe('quiet: blank (muted)');
      } finally {
        await client.close().catch(() => undefined);
      }
    }
  });

  it('on SIGINT closes every conversation’s canvas', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sketch-pad-'));
    const log = join(dir, 'closed.log');
    const { client, transport } = await connectStdio(running().migrated, { env: { CANVAS_CLOSE_LOG: log } });
    try {
      for (const name of ['north', 'south']) {
        const id = handleOf((await client.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
        await client.callTool({ name: 'open_canvas', arguments: { session_id: id, name } });
      }
      await interrupt(transport);
      expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['closed north', 'closed south']);
    } finally {
      await client.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
