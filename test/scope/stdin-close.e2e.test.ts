/**
 * A REPL process started by the first tool that needs it and stopped when the client closes stdin
 * (`process.stdin.on('close', …)`): the original and the migrated stdin-close-cleanup-v1 fixture as stdio
 * children of the real v1 Client, driving a real python3. Migrated, two conversations on one process each get
 * their own interpreter (a variable one sets is not the other's), the output the interpreter prints later still
 * reaches its own record, and destroying a record stops its interpreter.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, outputUntil, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('stdin-close-cleanup-v1', 'create_terminal', 'terminal_id');

async function converse(client: Client, value: number, handle: Record<string, string>) {
  const run = async (code: string) => textOf((await client.callTool({ name: 'run', arguments: { ...handle, code } })) as ToolResult);
  await run(`x = ${value}`);
  await run('print("x is", x)');
  return outputUntil(client, 'output', handle, new RegExp(`x is ${value}`));
}

describe('stdin-close-cleanup-v1: a REPL stopped when the client closes stdin', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces, with the stop moved into the record cleanup', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/repl.ts']).toContain('cleanup: async (): Promise<void> => {');
  });

  it('answers the original conversation the same way, twice at once on one process, each with its own interpreter', async () => {
    expect(await converse(running().before, 1, {})).toContain('x is 1');
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([converse(running().after, 1, { terminal_id: first }), converse(running().after, 2, { terminal_id: second })]);
    expect(one).toContain('x is 1');
    expect(one).not.toContain('x is 2');
    expect(two).toContain('x is 2');
    expect(two).not.toContain('x is 1');
    const ended = textOf((await running().after.callTool({ name: 'destroy_terminal', arguments: { terminal_id: first } })) as ToolResult);
    expect(ended).not.toMatch(/error/i);
    const gone = (await running().after.callTool({ name: 'output', arguments: { terminal_id: first } })) as ToolResult;
    expect(gone.isError).toBe(true);
  });
});
