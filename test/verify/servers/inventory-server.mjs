// An inventory server over stdio (SDK v2), in two eras for the replay tests:
//   ERA=old  use_warehouse sets a process-wide current warehouse that count_stock reads (a selection setter)
//   ERA=new  use_warehouse is gone; count_stock takes the warehouse as a parameter
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const STOCK = { berlin: { 'bolt-m4': 120, 'nut-m4': 80 }, lisbon: { 'bolt-m4': 7 } };
const era = process.env.ERA ?? 'new';
let current = null;

const count = (warehouse, sku) => {
  const stock = STOCK[warehouse];
  if (!stock) return { isError: true, content: [{ type: 'text', text: `No warehouse ${warehouse}` }] };
  return { content: [{ type: 'text', text: `${stock[sku] ?? 0} × ${sku} in ${warehouse}` }] };
};

function buildServer() {
  const server = new McpServer({ name: 'inventory', version: era === 'old' ? '1.0.0' : '2.0.0' });
  if (era === 'old') {
    server.registerTool('use_warehouse', { description: 'Select the warehouse later calls use.', inputSchema: z.object({ warehouse: z.string() }) }, async ({ warehouse }) => {
      current = warehouse;
      return { content: [{ type: 'text', text: `Using ${warehouse}` }] };
    });
    server.registerTool('count_stock', { description: 'Units of a SKU in the current warehouse.', inputSchema: z.object({ sku: z.string() }) }, async ({ sku }) =>
      current ? count(current, sku) : { isError: true, content: [{ type: 'text', text: 'No warehouse selected; call use_warehouse first' }] },
    );
  } else {
    server.registerTool('count_stock', { description: 'Units of a SKU in a warehouse.', inputSchema: z.object({ warehouse: z.string(), sku: z.string() }) }, async ({ warehouse, sku }) => count(warehouse, sku));
  }
  return server;
}

serveStdio(buildServer);
