/**
 * Module state a server class releases in a private method that only its signal handlers call
 * (`process.on('SIGINT', () => this.shutdown())`): the original and the migrated class-shutdown-method-v1 fixture
 * as stdio children of the real v1 Client. The state becomes one record per conversation; the method now disposes
 * every record, and each record's cleanup releases in the order the method was written (the reader before the
 * ledger it reads), checked on a real SIGINT.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { handleOf, textOf, type ToolResult } from '../handles/e2e/support.js';
import { connectStdio, interrupt, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('class-shutdown-method-v1', 'create_session', 'session_id');

async function converse(client: Client, name: string, id?: string) {
  const handle = id ? { session_id: id } : {};
  const call = async (tool: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name: tool, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    early: await call('next_entry'),
    opened: await call('open_ledger', { name }),
    balances: [await call('record', { amount: 5, memo: 'coffee' }), await call('record', { amount: 7, memo: 'lunch' })],
    entries: [await call('next_entry'), await call('next_entry'), await call('next_entry')],
  };
}

describe('class-shutdown-method-v1: state released in a class method that signal handlers call', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; the method disposes every record', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const entry = running().migrated.files['src/index.ts']!;
    expect(entry).toContain('await sessions.disposeAll();\n    process.exit(0);');
    expect(entry).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const expected = await converse(running().before, 'march');
    expect(expected).toEqual({
      early: 'Error: No ledger is open. Call open_ledger first.',
      opened: 'opened march',
      balances: ['balance 5', 'balance 12'],
      entries: ['5 coffee', '7 lunch', 'end of ledger'],
    });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'march', one), converse(running().after, 'april', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ ...expected, opened: 'opened april' });
  });

  it('on SIGINT releases every open record, the reader before its ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
    const log = join(dir, 'audit.log');
    const built = running().migrated;
    const { client, transport } = await connectStdio(built, { env: { LEDGER_AUDIT_LOG: log } });
    try {
      for (const name of ['may', 'june']) {
        const id = handleOf((await client.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
        await client.callTool({ name: 'open_ledger', arguments: { session_id: id, name } });
      }
      await interrupt(transport);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines.sort()).toEqual(['closed ledger june', 'closed ledger may', 'closed reader of june', 'closed reader of may']);
      for (const name of ['may', 'june']) {
        const written = readFileSync(log, 'utf8').trim().split('\n');
        expect(written.indexOf(`closed reader of ${name}`)).toBeLessThan(written.indexOf(`closed ledger ${name}`));
      }
    } finally {
      await client.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
