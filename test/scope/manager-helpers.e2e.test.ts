/**
 * A manager object created on first use (`getManager()`) that owns a terminal, and a helper object built from it
 * (`new CommandTool(await getManager())`), behind a low-level server: the original and the migrated
 * lowlevel-manager-helpers-v1 fixture as stdio children of the real v1 Client. Two conversations on one migrated
 * process each keep their own working directory and history, and each answers as the original did.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('lowlevel-manager-helpers-v1', 'create_session', 'session_id');

/** The original conversation: change directory, ask where it is, list what ran. */
async function converse(client: Client, dir: string, handle: Record<string, string>) {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return { cd: await call('run', { command: `cd ${dir}` }), pwd: await call('run', { command: 'pwd' }), ls: await call('run', { command: 'ls' }), history: await call('history') };
}

describe('lowlevel-manager-helpers-v1: a manager made on first use and helpers built from it', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, '/srv/a', {});
    expect(expected).toEqual({ cd: '', pwd: '/srv/a', ls: 'ran ls in /srv/a', history: 'cd /srv/a\npwd\nls' });
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([converse(running().after, '/srv/a', { session_id: first }), converse(running().after, '/srv/b', { session_id: second })]);
    expect(one).toEqual(expected);
    expect(two).toEqual({ cd: '', pwd: '/srv/b', ls: 'ran ls in /srv/b', history: 'cd /srv/b\npwd\nls' });
  });

  it('a call without its session_id says how to get one', async () => {
    const result = (await running().after.callTool({ name: 'history', arguments: {} })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/create_session/);
  });
});
