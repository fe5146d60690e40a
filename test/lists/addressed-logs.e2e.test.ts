/**
 * Log messages a v1 tool addressed to its session (`sendLoggingMessage(params, extra.sessionId)`), served per
 * request: before the migration they have no stream to travel on and the client never sees them; after it, they
 * go out on the request and the real v1 client receives every one during the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectV1Http, importFixture, serveV1, textOf, type Served } from './harness.js';

type Factories = { createServer: () => McpServer; createQuietServer: () => McpServer };

describe('addressed log messages (v1, served per request)', () => {
  const served: Served[] = [];
  let before: Served;
  let after: Served;
  let quiet: Served;
  beforeAll(async () => {
    const [input, output] = await Promise.all([
      importFixture<Factories>('per-request-context/addressed-logs-v1.input.ts'),
      importFixture<Factories>('per-request-context/addressed-logs-v1.output.ts'),
    ]);
    [before, after, quiet] = await Promise.all([serveV1(input.createServer), serveV1(output.createServer), serveV1(output.createQuietServer)]);
    served.push(before, after, quiet);
  });
  afterAll(async () => {
    await Promise.all(served.map((s) => s.close()));
  });

  const logsOf = async (server: Served, tool: string, args: Record<string, unknown>) => {
    const client = await connectV1Http(server.url, 'reader-token');
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(`${notification.params.level}: ${String(notification.params.data)}`);
    });
    const result = await client.callTool({ name: tool, arguments: args });
    await client.close();
    return { text: textOf(result), logs };
  };

  it('the migrated tool answers as before and its log messages reach the client', async () => {
    const [old, now] = await Promise.all([logsOf(before, 'multi-greet', { name: 'Ada' }), logsOf(after, 'multi-greet', { name: 'Ada' })]);
    expect(now.text).toBe(old.text);
    expect(old.logs).toEqual([]);
    expect(now.logs).toEqual(['debug: Starting multi-greet for Ada', 'info: Sent 3 greetings']);
  });

  it('a server without the logging capability still sends none', async () => {
    const { text, logs } = await logsOf(quiet, 'ping', {});
    expect(text).toBe('pong');
    expect(logs).toEqual([]);
  });
});
