/**
 * A file path set while the server starts (from the environment, then a `--file=` argument) that a tool switches
 * later: the original and the migrated startup-path-from-env-v1 fixture as stdio children of the real v1 Client.
 * Its type is unknown to the migration (no Node types in the fixture), so the value written decides that it is a
 * plain string; each record starts from the start-up value, and one conversation's switch leaves the other's alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { buildCase, buildInput, handleOf, textOf, type Built, type ToolResult } from '../handles/e2e/support.js';
import { connectStdio, outputDifferences, scopeCase } from './stdio-pair.js';

const CASE = scopeCase('startup-path-from-env-v1', 'create_session', 'session_id');

describe('startup-path-from-env-v1: a path set at start-up that a tool switches', () => {
  let dir: string;
  let original: Built;
  let migrated: Built;
  const clients: Client[] = [];

  async function start(built: Built, name: string): Promise<Client> {
    const { client } = await connectStdio(built, { env: { NOTES_FILE: join(dir, `${name}-env.txt`) }, args: [`--file=${join(dir, `${name}-start.txt`)}`] });
    clients.push(client);
    return client;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'notes-file-'));
    original = buildInput(CASE);
    migrated = buildCase(CASE);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    original?.remove();
    migrated?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the committed output is what the transform produces; each record starts from the start-up value', () => {
    expect(outputDifferences(migrated)).toEqual([]);
    const entry = migrated.files['src/index.ts']!;
    expect(entry).toContain("startup: ['NOTES_FILE'],");
    expect(entry).toContain("session.NOTES_FILE = fileArg.replace('--file=', '');");
    expect(entry).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way; a switch in one conversation leaves the other on its file', async () => {
    const call = async (client: Client, name: string, args: Record<string, unknown>) => textOf((await client.callTool({ name, arguments: args })) as ToolResult);
    const before = await start(original, 'before');
    const expected = [
      await call(before, 'add_note', { text: 'milk' }),
      await call(before, 'list_notes', {}),
      await call(before, 'use_file', { path: join(dir, 'before-other.txt') }),
      await call(before, 'list_notes', {}),
    ];
    expect(expected).toEqual(['1 note(s)', 'milk', `notes now go to ${join(dir, 'before-other.txt')}`, '(none)']);

    const after = await start(migrated, 'after');
    const [a, b] = await Promise.all([0, 1].map(async () => handleOf((await after.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string));
    expect(await call(after, 'add_note', { session_id: a, text: 'milk' })).toBe('1 note(s)');
    expect(await call(after, 'list_notes', { session_id: b })).toBe('milk');
    expect(await call(after, 'use_file', { session_id: b, path: join(dir, 'after-other.txt') })).toBe(`notes now go to ${join(dir, 'after-other.txt')}`);
    expect(await call(after, 'list_notes', { session_id: b })).toBe('(none)');
    // The switch was b's alone: a still writes to the file start-up chose.
    expect(await call(after, 'add_note', { session_id: a, text: 'eggs' })).toBe('2 note(s)');
    expect(await call(after, 'list_notes', { session_id: a })).toBe('milk; eggs');
  });
});
