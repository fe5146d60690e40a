import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { openDatabase, type Database } from './database.js';

// The one open connection: set by connect_database, used by every other tool until disconnect.
let db: Database | null = null;

const server = new McpServer({ name: 'db-stdio', version: '1.0.0' });

server.registerTool(
  'connect_database',
  {
    description: 'Open a connection to a database',
    inputSchema: z.object({ url: z.string().describe('Database URL, e.g. memory://demo') }),
  },
  async ({ url }) => {
    db = await openDatabase(url);
    return { content: [{ type: 'text', text: `Connected to ${url}` }] };
  },
);

server.registerTool('list_tables', { description: 'List the tables of the connected database' }, async () => {
  if (!db) return { isError: true, content: [{ type: 'text', text: 'Not connected; call connect_database first' }] };
  return { content: [{ type: 'text', text: db.tables().join('\n') }] };
});

server.registerTool(
  'read_table',
  {
    description: 'Read every row of a table',
    inputSchema: z.object({ table: z.string() }),
  },
  async ({ table }) => {
    if (!db) return { isError: true, content: [{ type: 'text', text: 'Not connected; call connect_database first' }] };
    return { content: [{ type: 'text', text: JSON.stringify(db.rows(table), null, 2) }] };
  },
);

server.registerTool('disconnect', { description: 'Close the database connection' }, async () => {
  await db?.close();
  db = null;
  return { content: [{ type: 'text', text: 'Disconnected' }] };
});

await server.connect(new StdioServerTransport());
