/**
 * State the server sets while it starts and tools change later (the first configured profile is active until
 * use_profile picks another): the original and the migrated startup-default-profile-v1 fixture as stdio children of
 * the real v1 Client. Migrated, start-up code sets the value on a record of its own (`startup` in the scope), every
 * new conversation starts from it, and switching in one conversation leaves the others where they were.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('startup-default-profile-v1', 'create_session', 'session_id');

async function conversation(client: Client, handle: Record<string, string>, switchTo: string): Promise<string[]> {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return [await call('whoami'), await call('use_profile', { name: switchTo }), await call('whoami'), await call('whoami', { profile: 'alpha' })];
}

describe('startup-default-profile-v1: a value start-up sets and tools change', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: the value is set at start-up on a record of its own', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/index.ts']).toContain(`startup: ['activeProfile'],`);
  });

  it('answers the original conversation the same way, and each conversation starts from what start-up chose', async () => {
    const original = await conversation(running().before, {}, 'beta');
    expect(original).toEqual(['alpha (eu-west)', 'Switched from alpha to beta', 'beta (us-east)', 'alpha (eu-west)']);
    const [first, second] = await Promise.all([running().create(), running().create()]);
    expect(await conversation(running().after, { session_id: first }, 'beta')).toEqual(original);
    // The first conversation's switch is its own: the second still starts from alpha.
    expect(await conversation(running().after, { session_id: second }, 'alpha')).toEqual(['alpha (eu-west)', 'Switched from alpha to alpha', 'alpha (eu-west)', 'alpha (eu-west)']);
    const third = await running().create();
    expect(textOf((await running().after.callTool({ name: 'whoami', arguments: { session_id: third } })) as ToolResult)).toBe('alpha (eu-west)');
  });
});
