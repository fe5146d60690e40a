import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { loadFixtureCases } from '../helpers/fixtures.js';
import { buildProject, textOf } from './harness.js';

/*
 * The fixtures whose servers keep the client's info from initialize (a Connection class copying it in
 * oninitialized, a setter on a session object, an initialize handler of the server's own) or read it outside a
 * handler (a helper handed to the tools as an option), migrated and run
 * with the real v1 SDK over stdio: a 2025-era client (initialize, no _meta) sees what it said at initialize,
 * and a request that carries io.modelcontextprotocol/clientInfo in its _meta is answered for that client,
 * also without any initialize, as a 2026-07-28 client sends it.
 */

const CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
const CASES = loadFixtureCases('per-request-context');

/** Each fixture, the module its stdio entry becomes, and what `whoami` answers for a client. */
const SERVERS = [
  { name: 'connection-class-v1', entry: 'src/stdio.js', answer: (name: string, version: string, plain: boolean) => `${name} ${version}, ${plain ? 'plain text' : 'markdown'}`, unknown: 'an unknown client, markdown' },
  { name: 'session-setter-v1', entry: 'src/stdio.js', answer: (name: string, version: string) => `${name} ${version}`, unknown: 'unknown' },
  { name: 'initialize-handler-v1', entry: 'index.js', answer: (name: string, version: string) => `${name} ${version}`, unknown: 'uninitialized uninitialized' },
  { name: 'helper-option-v1', entry: 'src/stdio.js', answer: (name: string, version: string) => `${name} ${version}`, unknown: 'unknown' },
];

function build(name: string, which: 'input' | 'output'): string {
  const fixture = CASES.find((c) => c.name === name);
  if (!fixture) throw new Error(`no fixture ${name}`);
  return buildProject(`client-info-${name}-${which}`, fixture[which]);
}

const clients: Client[] = [];
const transports: StdioClientTransport[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(transports.map((t) => t.close()));
});

/** A 2025-era v1 client on a fresh stdio child: initialize names it, its requests carry no client info. */
async function connect(root: string, entry: string, info: { name: string; version: string }): Promise<Client> {
  const client = new Client(info);
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(root, entry)], stderr: 'ignore' }));
  clients.push(client);
  return client;
}

/**
 * One tools/call over the SDK's stdio transport with no initialize before it, its _meta carrying the client's
 * info as a 2026-07-28 client sends it with every request.
 */
async function callWithoutInitialize(root: string, entry: string, info: { name: string; version: string }): Promise<string> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [join(root, entry)], stderr: 'ignore' });
  transports.push(transport);
  const answer = new Promise<JSONRPCMessage>((resolve) => {
    transport.onmessage = (message) => {
      if ('id' in message && message.id === 1) resolve(message);
    };
  });
  await transport.start();
  await transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {}, _meta: { [CLIENT_INFO]: info } } });
  return textOf((await answer as { result?: unknown }).result);
}

describe('client info kept from initialize, migrated (v1 over stdio)', () => {
  for (const server of SERVERS) {
    describe(server.name, () => {
      const migrated = build(server.name, 'output');

      it('a 2025-era client sees what it said at initialize', async () => {
        const client = await connect(migrated, server.entry, { name: 'old-editor', version: '1.4.0' });
        expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(server.answer('old-editor', '1.4.0', true));
        expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(server.answer('old-editor', '1.4.0', true));
      });

      it("a request carrying the client's info in _meta is answered for that client", async () => {
        const client = await connect(migrated, server.entry, { name: 'handshake-name', version: '0.0.1' });
        const result = await client.callTool({ name: 'whoami', arguments: {}, _meta: { [CLIENT_INFO]: { name: 'new-client', version: '2026.7.28' } } });
        expect(textOf(result)).toBe(server.answer('new-client', '2026.7.28', false));
      });

      it('a request without any initialize is answered from its _meta', async () => {
        expect(await callWithoutInitialize(migrated, server.entry, { name: 'new-client', version: '2026.7.28' })).toBe(server.answer('new-client', '2026.7.28', false));
      });

      it('the unmigrated server never learns it without initialize', async () => {
        const original = build(server.name, 'input');
        expect(await callWithoutInitialize(original, server.entry, { name: 'new-client', version: '2026.7.28' })).toBe(server.unknown);
      });
    });
  }
});
