import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, describe, expect, it } from 'vitest';
import { removeRunnables, runnableFixture } from './e2e-support.js';

/**
 * Migrated stdio servers (`serveStdio(factory)`) run as child processes and serve the real v2 Client,
 * which negotiates the 2026-07-28 era through `server/discover`.
 */
const CASES = ['stdio-v2', 'stdio-v2-factory', 'stdio-v2-tool-classes'];

const SUITE = 'stdio';
afterAll(() => removeRunnables(SUITE));

describe.each(CASES)('%s (migrated)', (name) => {
  it('serves the negotiating v2 Client over stdio', async () => {
    const file = runnableFixture(SUITE, name);
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    const transport = new StdioClientTransport({ command: process.execPath, args: [file], stderr: 'ignore' });
    await client.connect(transport);
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('echo');
      const result = await client.callTool({ name: 'echo', arguments: { message: 'over stdio' } });
      expect(result.content).toEqual([{ type: 'text', text: 'over stdio' }]);
    } finally {
      // Closing the client ends stdin; the server exits on its own and the transport reaps it.
      await client.close();
    }
  });
});
