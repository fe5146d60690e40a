/**
 * A server class that registers its tools through a method of its own (`this.register(name, …)`, which calls
 * `this.server.registerTool`): the original and the migrated method-helper-registration-v1 fixture as stdio
 * children of the real v1 Client. The tools take the id where the method registers them; the lifecycle tools go
 * beside the method's first call, once.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('method-helper-registration-v1', 'create_session', 'session_id');

async function converse(client: Client, labels: string[], handle: Record<string, string> = {}) {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  const counted: string[] = [];
  const before = await call('summary');
  for (const label of labels) counted.push(await call('tally', { label, by: 2 }));
  return { before, counted, after: await call('summary') };
}

describe('method-helper-registration-v1: tools registered through a method of the server class', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces, with the lifecycle tools registered once', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const index = running().migrated.files['src/index.ts']!;
    expect(index).not.toContain('@mcp-sessionless-todo');
    expect(index.match(/registerTool\(\s*'create_session'/g)).toHaveLength(1);
    expect(index).toContain('this.server.registerTool(name, { description, inputSchema: sessions.inputShape(shape, z, name) }, sessions.tool(handler, name));');
  });

  it('lists each tool once, the lifecycle tools among them', async () => {
    const names = (await running().after.listTools()).tools.map((tool) => tool.name).sort();
    expect(names).toEqual(['create_session', 'destroy_session', 'summary', 'tally']);
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, ['apples', 'pears']);
    expect(expected).toEqual({ before: 'nothing yet', counted: ['apples: total 2', 'pears: total 4'], after: '4 from apples, pears' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, ['apples', 'pears'], { session_id: one }), converse(running().after, ['plums'], { session_id: two })]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ before: 'nothing yet', counted: ['plums: total 2'], after: '2 from plums' });
  });
});
