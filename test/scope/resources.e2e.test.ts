/**
 * Resources served from a conversation's record, run for real: the migrated lowlevel-screenshots-v1 fixture as
 * a stdio child of the real v1 Client, and the migrated mcpserver-screenshots-v1 factory over stateless HTTP
 * on 127.0.0.1 behind bearer auth. Two conversations each take a screenshot and read back only their own
 * through the templated resource; resources/list stays the same whatever the calls did; an unknown id, another
 * principal's id, or a URI without one, is a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sessionScopeTransform as transform } from '../../transforms/session-scope.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from '@modelcontextprotocol/client';
import { buildCase, handleOf, startHttp, type Built, type E2ECase, type HttpServer, type ToolResult } from '../handles/e2e/support.js';
import { connectStdio, outputDifferences } from './stdio-pair.js';

const CASE: E2ECase = {
  transform,
  fixture: 'lowlevel-screenshots-v1',
  sdk: 'v1',
  stdio: { entry: 'src/index.ts' },
  creator: { tool: 'create_browser', expect: 'browser_id' },
  idParam: 'browser_id',
  kindName: 'browser',
  steps: [],
  probe: { tool: 'navigate', expect: 'Navigated' },
  shared: false,
};

const decode = (blob: string) => Buffer.from(blob, 'base64').toString();

for (const [fixture, links] of [
  ['lowlevel-screenshots-v1', 'resource_link'],
  // Pinned to @modelcontextprotocol/sdk 1.0.1 and run on it: no resource_link content, so the link is its URI as text.
  ['lowlevel-screenshots-sdk-1.0.1', 'text'],
  // Tool classes keep the items in their fields and a request-handler module reads them through helpers.
  ['tool-classes-resources-v1', undefined],
] as const) describe(`${fixture}: screenshots and console logs served per conversation`, () => {
  let built: Built;
  let client: Client;
  beforeAll(async () => {
    built = buildCase({ ...CASE, fixture });
    ({ client } = await connectStdio(built));
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    built?.remove();
  });

  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolResult;
  const create = async () => handleOf(await call('create_browser', {}), 'browser_id') as string;

  it('the committed output is what the transform produces', () => {
    expect(outputDifferences(built)).toEqual([]);
  });

  it('two conversations each read back only their own screenshot and logs', async () => {
    const listedBefore = await client.listResources();
    const templatesBefore = await client.listResourceTemplates();
    expect(templatesBefore.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['console://{browser_id}/logs', 'screenshot://{browser_id}/{name}']);

    const first = await create();
    const second = await create();
    expect(first).not.toBe(second);
    await call('navigate', { browser_id: first, url: 'https://one.example' });
    await call('navigate', { browser_id: second, url: 'https://two.example' });
    const shotOne = await call('screenshot', { browser_id: first, name: 'home' });
    const shotTwo = await call('screenshot', { browser_id: second, name: 'home' });

    // The tool links to what it made, under its own conversation's id.
    const linkOf = (result: ToolResult) => {
      if (links === 'text') return result.content?.find((item) => item.type === 'text' && item.text?.startsWith('screenshot://'))?.text;
      return (result.content?.find((item) => item.type === 'resource_link') as { uri: string } | undefined)?.uri;
    };
    if (links) {
      expect(linkOf(shotOne)).toBe(`screenshot://${first}/home`);
      expect(linkOf(shotTwo)).toBe(`screenshot://${second}/home`);
    }

    const readOne = await client.readResource({ uri: `screenshot://${first}/home` });
    const readTwo = await client.readResource({ uri: `screenshot://${second}/home` });
    expect(readOne.contents[0]).toMatchObject({ uri: `screenshot://${first}/home`, mimeType: 'image/png' });
    expect(decode((readOne.contents[0] as { blob: string }).blob)).toBe('png of https://one.example');
    expect(decode((readTwo.contents[0] as { blob: string }).blob)).toBe('png of https://two.example');

    const logsOne = await client.readResource({ uri: `console://${first}/logs` });
    const logsTwo = await client.readResource({ uri: `console://${second}/logs` });
    expect(logsOne.contents[0]).toMatchObject({ uri: `console://${first}/logs`, text: '[log] loaded https://one.example' });
    expect(logsTwo.contents[0]).toMatchObject({ text: '[log] loaded https://two.example' });

    // A name only the other conversation used is not found in this one.
    await call('screenshot', { browser_id: second, name: 'only-two' });
    await expect(client.readResource({ uri: `screenshot://${first}/only-two` })).rejects.toThrow(/Resource not found/);
    expect(decode(((await client.readResource({ uri: `screenshot://${second}/only-two` })).contents[0] as { blob: string }).blob)).toBe('png of https://two.example');

    // The lists do not vary with the calls made.
    expect(await client.listResources()).toEqual(listedBefore);
    expect(await client.listResourceTemplates()).toEqual(templatesBefore);
  });

  it('an unknown id in the URI, or a URI without one, is a clear error', async () => {
    const unknown = `browser_${'A'.repeat(22)}`;
    await expect(client.readResource({ uri: `screenshot://${unknown}/home` })).rejects.toThrow(/browser `browser_A+` is unknown or has expired; call create_browser\(\) again/);
    await expect(client.readResource({ uri: `console://${unknown}/logs` })).rejects.toThrow(/unknown or has expired/);
    await expect(client.readResource({ uri: 'console://logs' })).rejects.toThrow(/console:\/\/logs belongs to a browser: read console:\/\/\{browser_id\}\/logs with the browser_id create_browser\(\) returns/);
    const destroyed = await create();
    await call('screenshot', { browser_id: destroyed, name: 'gone' });
    await call('destroy_browser', { browser_id: destroyed });
    await expect(client.readResource({ uri: `screenshot://${destroyed}/gone` })).rejects.toThrow(/unknown or has expired/);
  });
});

/** What the HTTP tests use of a client, on either SDK line. */
interface ResourceClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  readResource(params: { uri: string }): Promise<{ contents: Array<Record<string, unknown>> }>;
  listResources(): Promise<unknown>;
  listResourceTemplates(): Promise<{ resourceTemplates: Array<{ uriTemplate: string }> }>;
  close(): Promise<void>;
}

for (const sdk of ['v1', 'v2'] as const) describe(`mcpserver-screenshots-${sdk}: resource()/registerResource() served per conversation over HTTP`, () => {
  const HTTP_CASE: E2ECase = { ...CASE, sdk, fixture: `mcpserver-screenshots-${sdk}`, stdio: undefined, http: { module: 'src/server.ts', factory: 'createServer' } };
  let built: Built;
  let server: HttpServer;
  const clients: ResourceClient[] = [];
  beforeAll(async () => {
    built = buildCase(HTTP_CASE);
    server = await startHttp(built, HTTP_CASE, { MCP_HANDLE_STORE: 'memory' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server?.stop();
    built?.remove();
  });
  const connect = async (token: string): Promise<ResourceClient> => {
    const requestInit = { headers: { Authorization: `Bearer ${token}` } };
    if (sdk === 'v2') {
      const client = new ClientV2({ name: 'resources-e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransportV2(server.url, { requestInit }));
      clients.push(client as unknown as ResourceClient);
      return client as unknown as ResourceClient;
    }
    const client = new Client({ name: 'resources-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(server.url, { requestInit }));
    clients.push(client);
    return client;
  };
  const call = async (client: ResourceClient, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolResult;

  it('the committed output is what the transform produces', () => {
    expect(outputDifferences(built)).toEqual([]);
  });

  it("alice and bob each read back only their own screenshot; the other principal's id is refused as unknown", async () => {
    const alice = await connect('token-alice');
    const bob = await connect('token-bob');
    const listed = await alice.listResources();
    expect((await alice.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['console://{browser_id}/logs', 'screenshot://{browser_id}/{name}']);

    const aliceId = handleOf(await call(alice, 'create_browser', {}), 'browser_id') as string;
    const bobId = handleOf(await call(bob, 'create_browser', {}), 'browser_id') as string;
    await call(alice, 'navigate', { browser_id: aliceId, url: 'https://alice.example' });
    await call(bob, 'navigate', { browser_id: bobId, url: 'https://bob.example' });
    const shotAlice = await call(alice, 'screenshot', { browser_id: aliceId, name: 'home' });
    await call(bob, 'screenshot', { browser_id: bobId, name: 'home' });
    const link = shotAlice.content?.find((item) => item.type === 'resource_link') as { uri: string } | undefined;
    expect(link?.uri).toBe(`screenshot://${aliceId}/home`);

    const mine = await alice.readResource({ uri: link!.uri });
    expect(mine.contents[0]).toMatchObject({ uri: link!.uri, mimeType: 'image/png' });
    expect(decode((mine.contents[0] as { blob: string }).blob)).toBe('png of https://alice.example');
    const theirs = await bob.readResource({ uri: `screenshot://${bobId}/home` });
    expect(decode((theirs.contents[0] as { blob: string }).blob)).toBe('png of https://bob.example');
    expect((await alice.readResource({ uri: `console://${aliceId}/logs` })).contents[0]).toMatchObject({ text: '[log] loaded https://alice.example' });

    // Possession is not enough: bob presenting alice's id gets the unknown-handle error.
    await expect(bob.readResource({ uri: link!.uri })).rejects.toThrow(/browser `browser_[\w-]+` is unknown or has expired; call create_browser\(\) again/);
    await expect(bob.readResource({ uri: `console://${aliceId}/logs` })).rejects.toThrow(/unknown or has expired/);
    await expect(alice.readResource({ uri: `screenshot://browser_${'B'.repeat(22)}/home` })).rejects.toThrow(/unknown or has expired/);
    // A URI without an id matches no template: the SDK itself answers that the resource is not found.
    await expect(alice.readResource({ uri: 'screenshot://home' })).rejects.toThrow(/screenshot:\/\/home/);

    expect(await bob.listResources()).toEqual(listed);
  });
});

describe("lowlevel-mixed-resources-v1: the server's own resources stay as they were beside the record's", () => {
  let built: Built;
  let client: Client;
  beforeAll(async () => {
    built = buildCase({ ...CASE, fixture: 'lowlevel-mixed-resources-v1' });
    ({ client } = await connectStdio(built));
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    built?.remove();
  });

  it("lists and reads its fixed resources without an id, and each conversation's frames under its own", async () => {
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['app://readme']);
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['docs://{topic}', 'frames://{browser_id}/{id}']);
    expect((await client.readResource({ uri: 'app://readme' })).contents[0]).toMatchObject({ text: 'Records frames of pages.' });
    expect((await client.readResource({ uri: 'docs://setup' })).contents[0]).toMatchObject({ text: '# setup' });

    const ids: string[] = [];
    for (const url of ['https://one.example', 'https://two.example']) {
      const id = handleOf((await client.callTool({ name: 'create_browser', arguments: {} })) as ToolResult, 'browser_id') as string;
      await client.callTool({ name: 'open', arguments: { browser_id: id, url } });
      const captured = (await client.callTool({ name: 'capture_frame', arguments: { browser_id: id } })) as ToolResult;
      expect(captured.content?.find((item) => item.type === 'resource_link')).toMatchObject({ uri: `frames://${id}/frame-1` });
      ids.push(id);
    }
    expect((await client.readResource({ uri: `frames://${ids[0]}/frame-1` })).contents[0]).toMatchObject({ uri: `frames://${ids[0]}/frame-1`, text: 'frame of https://one.example' });
    expect((await client.readResource({ uri: `frames://${ids[1]}/frame-1` })).contents[0]).toMatchObject({ text: 'frame of https://two.example' });
    await expect(client.readResource({ uri: 'frames://frame-1' })).rejects.toThrow(/frames:\/\/frame-1 belongs to a browser/);
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['app://readme']);
  });
});
