/**
 * A shell a helper stops (`closeShell()`), called by a tool and by the SIGTERM handler of another module: the
 * original and the migrated shutdown-helper-cleanup-v1 fixture as stdio children of the real v1 Client, driving
 * real `sh` processes. Migrated, the helper's call leaves the signal handler for the record's cleanup (the handler
 * disposes every record), so two conversations on one process each get their own shell, and destroying a record
 * runs the helper for that record: its shell process ends.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, outputUntil, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('shutdown-helper-cleanup-v1', 'create_terminal', 'terminal_id');

/** Sets a shell variable, prints it with the shell's pid; returns what the shell printed. */
async function converse(client: Client, value: number, handle: Record<string, string>): Promise<{ printed: string; pid: number }> {
  const run = async (command: string) => textOf((await client.callTool({ name: 'run_command', arguments: { ...handle, command } })) as ToolResult);
  expect(await run(`X=${value}`)).toBe('command 1 sent');
  expect(await run('echo "x=$X pid=$$"')).toBe('command 2 sent');
  const printed = await outputUntil(client, 'read_output', handle, /pid=\d+/);
  return { printed, pid: Number(/pid=(\d+)/.exec(printed)?.[1]) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50 && alive(pid); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  return !alive(pid);
}

describe('shutdown-helper-cleanup-v1: a shell a helper stops, for a tool and for SIGTERM', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces, the helper call moved into the record cleanup', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/shell.ts']).toMatch(/cleanup: async \(record\): Promise<void> => \{\n\s+await closeShell\(\);/);
    expect(running().migrated.files['src/index.ts']).toContain('await terminals.disposeAll();');
  });

  it('answers the original conversation the same way, twice at once on one process, each with its own shell', async () => {
    const original = await converse(running().before, 1, {});
    expect(original.printed).toContain('x=1 pid=');
    const [first, second] = await Promise.all([running().create(), running().create()]);
    const [one, two] = await Promise.all([converse(running().after, 1, { terminal_id: first }), converse(running().after, 2, { terminal_id: second })]);
    expect(one.printed).toContain('x=1 pid=');
    expect(two.printed).toContain('x=2 pid=');
    expect(one.pid).not.toBe(two.pid);

    // close_shell still stops the shell of the record it is given, and only that one.
    const closed = textOf((await running().after.callTool({ name: 'close_shell', arguments: { terminal_id: second } })) as ToolResult);
    expect(closed).toBe('shell stopped');
    expect(await gone(two.pid)).toBe(true);
    expect(alive(one.pid)).toBe(true);

    // Destroying a record runs the helper for it: its shell ends.
    const ended = (await running().after.callTool({ name: 'destroy_terminal', arguments: { terminal_id: first } })) as ToolResult;
    expect(ended.isError).toBeFalsy();
    expect(await gone(one.pid)).toBe(true);
  });
});
