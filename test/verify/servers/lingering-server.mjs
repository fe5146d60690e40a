// A stdio server (SDK v2) that, like one holding a browser open, does not exit when its input closes; it writes
// its pid to PID_FILE so a test can tell whether it is still running.
import { writeFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

writeFileSync(process.env.PID_FILE, String(process.pid));
setInterval(() => {}, 1000); // what an open browser does to the event loop

function buildServer() {
  const server = new McpServer({ name: 'lingering', version: '1.0.0' });
  server.registerTool('ping', { description: 'Answer pong.', inputSchema: z.object({}) }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
  return server;
}

serveStdio(buildServer);
