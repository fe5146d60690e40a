/**
 * A low-level server whose helper creates its state on first use, whose resources/list is built from that state
 * (a guard, a local array, entries only for some items, keyed by position) and whose named shutdown function
 * releases it from the signal handlers: the original and the migrated lowlevel-research-log-v1 fixture, each
 * a stdio child of the real v1 Client. The migrated server answers the original conversation the same way,
 * twice at once on one process with a handle threaded in; each conversation reads back only its own findings.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('lowlevel-research-log-v1', 'create_browser', 'browser_id');

const readText = async (client: Client, uri: string) => {
  const result = await client.readResource({ uri });
  return (result.contents[0] as { text?: string }).text;
};

/** The original conversation: open an address, note two findings (one with a snapshot), read them back. */
async function converse(client: Client, address: string, handle: Record<string, string>, uriOf: (path: string) => string) {
  const call = async (name: string, args: Record<string, unknown>) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  const opened = await call('open_address', { address });
  const plain = await call('note_finding', { note: 'first look' });
  const kept = await call('note_finding', { note: 'worth keeping', keepSnapshot: true });
  const snapshot = await readText(client, uriOf('snapshots/1'));
  const log = await readText(client, uriOf('log'));
  return { opened, plain, kept, snapshot, log };
}

describe('lowlevel-research-log-v1: state made on first use, resources built from it, a named shutdown function', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
  });

  it('answers the original conversation the same way, twice at once on one process, each with its own findings', async () => {
    const expected = await converse(running().before, 'https://one.example', {}, (path) => `research://${path}`);
    expect(expected.kept).toBe('Noted finding 1; its snapshot is at research://snapshots/1');
    expect(expected.snapshot).toBe('rendering of https://one.example');

    const [first, second] = await Promise.all([running().create(), running().create()]);
    expect(first).not.toBe(second);
    const [one, two] = await Promise.all([
      converse(running().after, 'https://one.example', { browser_id: first }, (path) => `research://${first}/${path}`),
      converse(running().after, 'https://two.example', { browser_id: second }, (path) => `research://${second}/${path}`),
    ]);
    // The same answers, the snapshot's URI now naming the conversation it belongs to.
    expect({ ...one, kept: one.kept.replace(`research://${first}/`, 'research://') }).toEqual(expected);
    expect(two.snapshot).toBe('rendering of https://two.example');
    expect(JSON.parse(two.log!)).toEqual([
      { address: 'https://two.example', note: 'first look' },
      { address: 'https://two.example', note: 'worth keeping' },
    ]);
  });

  it('keeps resources/list the same whatever the calls did, and serves the findings from templates', async () => {
    const listed = await running().after.listResources();
    expect(listed.resources).toEqual([]);
    const templates = await running().after.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['research://{browser_id}/log', 'research://{browser_id}/snapshots/{i}']);
    // The original's list grew with the calls.
    expect((await running().before.listResources()).resources.map((r) => r.uri)).toEqual(['research://log', 'research://snapshots/1']);
  });

  it('a finding of an unknown conversation is a clear error', async () => {
    await expect(readText(running().after, 'research://browser_0000000000000000000000/log')).rejects.toThrow(/browser/);
    const result = (await running().after.callTool({ name: 'open_address', arguments: { address: 'x' } })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/create_browser/);
  });
});
