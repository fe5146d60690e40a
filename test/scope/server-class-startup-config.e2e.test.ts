/**
 * A low-level server class whose settings start from the environment and which a tool replaces from its arguments
 * (`use_bucket`), with a client opened lazily from them: the original and the migrated
 * server-class-startup-config-v1 fixture as stdio children of the real v1 Client. Every conversation starts from
 * the bucket the environment names and switches only its own.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf, type ToolResult } from '../handles/e2e/support.js';
import { outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('server-class-startup-config-v1', 'create_connection', 'connection_id');

async function converse(client: Client, bucket: string, handle: Record<string, string> = {}) {
  const call = async (name: string, args: Record<string, unknown> = {}) => textOf((await client.callTool({ name, arguments: { ...handle, ...args } })) as ToolResult);
  return {
    start: await call('bucket_info'),
    stored: await call('put_object', { key: `${bucket}-notes`, body: 'x' }),
    missing: await call('use_bucket', { bucket: `missing-${bucket}` }),
    switched: await call('use_bucket', { url: `bucket://${bucket}?region=us-east-1` }),
    put: await call('put_object', { key: 'a', body: 'y' }),
    listed: await call('list_objects'),
    info: await call('bucket_info'),
  };
}

describe('server-class-startup-config-v1: settings from the environment that a tool replaces', () => {
  const running = stdioPairFor(CASE, { env: { WAREHOUSE_BUCKET: `shared-${process.pid}` } });

  it('the committed output is what the transform produces, with no marker', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const index = running().migrated.files['src/index.ts']!;
    expect(index).not.toContain('@mcp-sessionless-todo');
    // The constructor still sets the settings, on start-up's record, which every new record starts from.
    expect(index).toContain("startup: ['settings'],");
    expect(index).toContain('connection.settings = { bucket: process.env.WAREHOUSE_BUCKET');
  });

  it('answers the original conversation the same way, twice at once on one process', async () => {
    const shared = `shared-${process.pid}`;
    const expected = await converse(running().before, `home${process.pid}`);
    expect(expected).toEqual({
      start: `${shared} (eu-west-1) after 0 request(s)`,
      stored: `stored home${process.pid}-notes`,
      missing: `cannot open: bucket missing-home${process.pid} does not exist`,
      switched: `using home${process.pid}`,
      put: 'stored a',
      listed: `home${process.pid}: a`,
      info: `home${process.pid} (us-east-1) after 2 request(s)`,
    });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([
      converse(running().after, `home${process.pid}m`, { connection_id: one }),
      converse(running().after, `office${process.pid}m`, { connection_id: two }),
    ]);
    const renamed = (bucket: string) => JSON.parse(JSON.stringify(expected).replaceAll(`home${process.pid}`, bucket));
    expect(a).toEqual(renamed(`home${process.pid}m`));
    expect(b).toEqual(renamed(`office${process.pid}m`));
  });
});
