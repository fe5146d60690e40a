/**
 * A class that builds its own McpServer, keeps a plan in its fields and releases them in a `cleanup()` method only
 * the entry's signal handler calls, which also closes the server: the original and the migrated
 * server-class-release-method-v1 fixture as stdio children of the real v1 Client. Migrated, each conversation has
 * its own plan; `cleanup()`'s statements about the plan are the record's cleanup, and `cleanup()` disposes every
 * record before it closes the server, as before.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callText, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('server-class-release-method-v1', 'create_session', 'session_id');

const call = callText;

describe('server-class-release-method-v1: a server class whose cleanup() the entry calls at shutdown', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: cleanup() disposes the records, then closes the server', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const { files } = running().migrated;
    expect(files['src/server.ts']).toContain('    await sessions.disposeAll();\n    await this.server.close();\n');
    expect(files['src/server.ts']).toContain('  cleanup: async (): Promise<void> => {\n    clearTimeout(session.timer);\n    session.plan = undefined;\n  },');
    // The entry still calls cleanup() on SIGINT.
    expect(files['src/index.ts']).toContain('await server.cleanup();');
  });

  it('answers the original conversation the same way, and keeps conversations apart', async () => {
    const conversation = async (client: Client, id: Record<string, unknown>) => [
      await call(client, 'start_plan', { ...id, goal: 'ship' }),
      await call(client, 'add_step', { ...id, description: 'write' }),
      await call(client, 'add_step', { ...id, description: 'test' }),
      await call(client, 'complete_step', { ...id, number: 1 }),
      await call(client, 'show_plan', id),
    ];
    const original = await conversation(running().before, {});
    expect(original).toEqual(['Planning: ship', '1. write', '2. test', 'Done: write', 'Goal: ship\n1. [x] write\n2. [ ] test']);
    const after = running().after;
    const [first, second] = await Promise.all([running().create(), running().create()]);
    expect(await conversation(after, { session_id: first })).toEqual(original);
    expect(await call(after, 'show_plan', { session_id: second })).toBe('No plan yet: call start_plan first');
    await call(after, 'start_plan', { session_id: second, goal: 'rest' });
    expect(await call(after, 'show_plan', { session_id: first })).toBe(original[4]);
  });
});
