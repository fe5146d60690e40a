// A sessionless HTTP server with 30 tools for the verify benchmark: 10 creators (create_widget_<n> minting
// widget_<n>_id), 10 readers (get_widget_<n>, readOnlyHint) and 10 updaters verify leaves alone by default.
//   node scripts/bench-verify-server.mjs   → prints `LISTENING <port>`
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';

const FAMILIES = 10;
const widgets = new Map();

function buildServer() {
  const server = new McpServer({ name: 'bench-30', version: '1.0.0' });
  for (let n = 1; n <= FAMILIES; n++) {
    const param = `widget_${n}_id`;
    const unknown = (id) => ({ isError: true, content: [{ type: 'text', text: `Unknown ${param} "${id}"; call create_widget_${n} for a new one.` }] });
    server.registerTool(
      `create_widget_${n}`,
      { description: `Create a widget of family ${n}; returns ${param}.`, inputSchema: z.object({ label: z.string() }), outputSchema: z.object({ [param]: z.string() }) },
      async ({ label }) => {
        const id = `widget${n}_${randomBytes(18).toString('base64url')}`;
        widgets.set(id, { label, count: 0 });
        return { content: [{ type: 'text', text: `Created ${id}` }], structuredContent: { [param]: id } };
      },
    );
    server.registerTool(`get_widget_${n}`, { description: `Read a widget of family ${n}.`, inputSchema: z.object({ [param]: z.string() }), annotations: { readOnlyHint: true } }, async (args) => {
      const widget = widgets.get(args[param]);
      return widget ? { content: [{ type: 'text', text: `${widget.label}: ${widget.count}` }] } : unknown(args[param]);
    });
    server.registerTool(`bump_widget_${n}`, { description: `Count a widget of family ${n} up.`, inputSchema: z.object({ [param]: z.string() }) }, async (args) => {
      const widget = widgets.get(args[param]);
      if (!widget) return unknown(args[param]);
      widget.count++;
      return { content: [{ type: 'text', text: String(widget.count) }] };
    });
  }
  return server;
}

const handler = toNodeHandler(createMcpHandler(buildServer));
const http = createServer((req, res) => void handler(req, res));
http.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${http.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
