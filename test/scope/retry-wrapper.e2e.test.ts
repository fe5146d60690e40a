/**
 * A lazily made client whose tools run through a wrapper that reconnects and retries (`const addWithReconnect =
 * withReconnect(add)`, the retry closure calling `getClient().reconnect()` in another module): the original and the
 * migrated retry-wrapper-v1 fixture as stdio children of the real v1 Client. The wrapper's closure runs inside the
 * tool that calls the wrapped function, so the client is one conversation's, and the retry reconnects that
 * conversation's client only.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('retry-wrapper-v1', 'create_connection', 'connection_id');

async function converse(client: Client, counter: string, id?: string) {
  const handle = id ? { connection_id: id } : {};
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    used: await call('use_counter', { name: counter }),
    totals: [await call('add', { amount: 1 }), await call('add', { amount: 2 }), await call('add', { amount: 4 })],
    reconnects: await call('reconnects'),
  };
}

describe('retry-wrapper-v1: tools that run through a reconnecting wrapper', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; the wrapper module is untouched', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/retry.ts']).toBe(running().original.files['src/retry.ts']);
    expect(running().migrated.files['src/counter-client.ts']).toContain('connection.client = new CounterClient(');
  });

  it('answers the original conversation the same way (the third add drops and is retried), twice at once on one process', async () => {
    const expected = await converse(running().before, 'a');
    expect(expected).toEqual({ used: 'counting on a', totals: ['total 1', 'total 3', 'total 7'], reconnects: '1' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'a', one), converse(running().after, 'b', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ ...expected, used: 'counting on b' });
  });
});
