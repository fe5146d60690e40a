/**
 * Where start-up code uses an object a server factory builds (transforms/scope/instances.ts usesOutsideCalls):
 * handing it to a function or to another object's constructor is no use of it, a tool's own use is not outside,
 * and a call on it while the server starts is.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../src/analysis/index.js';
import { factoryInstances, usesOutsideCalls } from '../../transforms/scope/instances.js';

const CLIENT = `export class Client {
  private rows: string[] = [];
  async open(): Promise<void> { this.rows = []; }
  add(row: string): number { this.rows.push(row); return this.rows.length; }
}
export class Report { constructor(readonly client: Client) {} }
`;

function usesIn(body: string): string[] {
  const { model } = analyzeSources({
    'src/client.ts': CLIENT,
    'src/index.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Client, Report } from './client.js';
function register(server: McpServer, client: Client) {
  server.tool('add', { row: z.string() }, async ({ row }) => ({ content: [{ type: 'text', text: String(client.add(row)) }] }));
}
export async function start() {
  const client = new Client();
  const server = new McpServer({ name: 't', version: '1.0.0' });
  register(server, client);
${body}
  return server;
}
`,
  });
  const [instance] = factoryInstances(model);
  expect(instance?.name).toBe('client');
  return usesOutsideCalls(instance!, model, () => false).map((node) => node.getParent()!.getText());
}

describe('usesOutsideCalls', () => {
  it('handing the object to a function or a constructor is no use of it', () => {
    expect(usesIn('  const report = new Report(client);\n  void report;')).toEqual([]);
  });

  it('a call on it while the server starts is', () => {
    expect(usesIn('  await client.open();')).toEqual(['client.open']);
  });
});
