import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { bytes, connectV2, importFixture, serveHandlerV2, serveV2, textOf, type Served } from './harness.js';

/*
 * The migrated per-request-context fixtures, served with createMcpHandler and called by real
 * 2026-07-28 clients: what each request declares is what the handler sees, whichever request came first.
 */

type Factory = () => McpServer;
const bypass = { cacheMode: 'bypass' } as const;

describe('per-request-context e2e (v2 over HTTP)', () => {
  const served: Served[] = [];
  const clients: Client[] = [];
  let forms: Served;
  let formsBefore: Served;
  let sync: Served;
  let sensors: Served;
  let hello: Served;
  beforeAll(async () => {
    const [formsModule, formsInput, syncModule, sensorModule, helloModule] = await Promise.all([
      importFixture<{ createServer: Factory }>('per-request-context/client-capabilities-v2.output.ts'),
      importFixture<{ createServer: Factory }>('per-request-context/client-capabilities-v2.input.ts'),
      importFixture<{ createServer: Factory }>('per-request-context/log-level-v2.output.ts'),
      importFixture<{ handler: ReturnType<typeof createMcpHandler> }>('per-request-context/subscriptions-v2.output.ts'),
      importFixture<{ createServer: Factory }>('per-request-context/client-info-js.output.js'),
    ]);
    [forms, formsBefore, sync, sensors, hello] = await Promise.all([
      serveV2(formsModule.createServer),
      serveV2(formsInput.createServer),
      serveV2(syncModule.createServer),
      serveHandlerV2(sensorModule.handler),
      serveV2(helloModule.createServer),
    ]);
    served.push(forms, formsBefore, sync, sensors, hello);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(served.map((s) => s.close()));
  });
  const open = async (url: URL, options: Parameters<typeof connectV2>[1] = {}) => {
    const client = await connectV2(url, options);
    clients.push(client);
    return client;
  };

  it('client capabilities and identity come from each request', async () => {
    const [alpha, beta] = await Promise.all([
      open(forms.url, { name: 'alpha', capabilities: { elicitation: {} } }),
      open(forms.url, { name: 'beta' }),
    ]);
    // Interleaved on purpose: nothing learned from one client may leak to the other.
    expect(textOf(await alpha.callTool({ name: 'describe_client', arguments: {} }))).toBe('alpha: elicitation yes');
    expect(textOf(await beta.callTool({ name: 'describe_client', arguments: {} }))).toBe('beta: elicitation no');
    expect(textOf(await alpha.callTool({ name: 'ask', arguments: { question: 'ok?' } }))).toBe('Would ask: ok?');
    expect(textOf(await beta.callTool({ name: 'ask', arguments: { question: 'ok?' } }))).toBe('This client cannot ask: ok?');
    expect(bytes(await alpha.listTools(undefined, bypass))).toBe(bytes(await beta.listTools(undefined, bypass)));
  });

  it('the JavaScript helper reads the envelope too', async () => {
    const client = await open(hello.url, { name: 'gamma' });
    expect(textOf(await client.callTool({ name: 'hello', arguments: {} }))).toBe('Hello, gamma');
  });

  it('the unmigrated server never learns them: oninitialized does not run for 2026-07-28 clients', async () => {
    const alpha = await open(formsBefore.url, { name: 'alpha', capabilities: { elicitation: {} } });
    expect(textOf(await alpha.callTool({ name: 'describe_client', arguments: {} }))).toBe('unknown client: elicitation no');
  });

  it('the log level is the one the request carries', async () => {
    const client = await open(sync.url);
    expect(textOf(await client.callTool({ name: 'sync', arguments: {} }))).toBe('synced (log level info)');
    const debug = await client.callTool({ name: 'sync', arguments: {}, _meta: { 'io.modelcontextprotocol/logLevel': 'debug' } });
    expect(textOf(debug)).toBe('synced (log level debug)');
    expect(textOf(await client.callTool({ name: 'sync', arguments: {} }))).toBe('synced (log level info)');
  });

  it('resource updates reach subscriptions/listen streams', async () => {
    const [listener, writer] = await Promise.all([open(sensors.url), open(sensors.url)]);
    const updated: string[] = [];
    const arrived = new Promise<void>((resolve) => {
      listener.setNotificationHandler('notifications/resources/updated', (notification) => {
        updated.push(notification.params.uri);
        resolve();
      });
    });
    const subscription = await listener.listen({ resourceSubscriptions: ['sensor://kitchen'] });
    try {
      expect(subscription.honoredFilter.resourceSubscriptions).toEqual(['sensor://kitchen']);
      await writer.callTool({ name: 'set_temperature', arguments: { room: 'hall', celsius: 18 } });
      await writer.callTool({ name: 'set_temperature', arguments: { room: 'kitchen', celsius: 23 } });
      await arrived;
      expect(updated).toEqual(['sensor://kitchen']);
      expect((await writer.readResource({ uri: 'sensor://kitchen' })).contents[0]).toMatchObject({ text: '23' });
    } finally {
      await subscription.close();
    }
  });
});
