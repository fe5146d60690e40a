// Synthetic server corpus for the benchmark: mostly ordinary TypeScript, about one file in ten
// session-dependent in the shapes real MCP servers use. Deterministic for a given size.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SESSION_SHAPES = [
  (i) => ({
    [`servers/s${i}/entry.ts`]: `import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { registerTools${i} } from './tools.js';

const app = express();
app.use(express.json());
const transports: Record<string, StreamableHTTPServerTransport> = {};

app.post('/mcp', async (req, res) => {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  let transport: StreamableHTTPServerTransport;
  if (sessionId && transports[sessionId]) {
    transport = transports[sessionId];
  } else if (!sessionId && isInitializeRequest(req.body)) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports[id] = transport;
      },
    });
    const server = new McpServer({ name: 'bench-${i}', version: '1.0.0' });
    registerTools${i}(server);
    await server.connect(transport);
  } else {
    res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
    return;
  }
  await transport.handleRequest(req, res, req.body);
});

app.listen(3000 + ${i});
`,
    [`servers/s${i}/tools.ts`]: `import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const baskets = new Map<string, string[]>();

export function registerTools${i}(server: McpServer) {
  server.tool('add_item', 'Add an item', { item: z.string() }, async ({ item }, extra) => {
    const basket = baskets.get(extra.sessionId!) ?? [];
    basket.push(item);
    baskets.set(extra.sessionId!, basket);
    return { content: [{ type: 'text', text: \`added \${item}\` }] };
  });
  server.tool('list_items', 'List items', async (extra) => ({
    content: [{ type: 'text', text: (baskets.get(extra.sessionId!) ?? []).join(', ') }],
  }));
}
`,
  }),
  (i) => ({
    [`servers/db${i}/index.ts`]: `import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

interface Db { query(sql: string): Promise<unknown[]>; close(): Promise<void> }
let db: Db | null = null;
declare function openDatabase(url: string): Promise<Db>;

const server = new McpServer({ name: 'db-${i}', version: '1.0.0' });
server.registerTool('connect', { inputSchema: z.object({ url: z.string() }) }, async ({ url }) => {
  db = await openDatabase(url);
  return { content: [{ type: 'text', text: 'connected' }] };
});
server.registerTool('query', { inputSchema: z.object({ sql: z.string() }) }, async ({ sql }) => {
  if (!db) return { isError: true, content: [{ type: 'text', text: 'call connect first' }] };
  return { content: [{ type: 'text', text: JSON.stringify(await db.query(sql)) }] };
});
await server.connect(new StdioServerTransport());
`,
  }),
];

function ordinaryFile(i) {
  const name = `Service${i}`;
  return `/** Ordinary application code: no MCP, no sessions. */
export interface ${name}Options {
  retries: number;
  timeoutMs: number;
  labels?: Record<string, string>;
}

export class ${name} {
  private readonly cache = new Map<string, number>();

  constructor(private readonly options: ${name}Options) {}

  async compute(input: readonly number[]): Promise<number> {
    let total = 0;
    for (const [index, value] of input.entries()) {
      total += index % 2 === 0 ? value * ${(i % 7) + 1} : value / ${(i % 5) + 1};
    }
    return this.withRetry(async () => Math.round(total));
  }

  remember(key: string, value: number): void {
    if (this.cache.size > 100) this.cache.clear();
    this.cache.set(key, value);
  }

  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      try {
        return await fn();
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }
}

export function format${i}(values: readonly number[]): string {
  return values
    .filter((v) => Number.isFinite(v))
    .map((v) => v.toFixed(2))
    .join(', ');
}
`;
}

/** Write the corpus; returns the number of files and how many carry session-dependent code. */
export function generateCorpus(dir, fileCount) {
  rmSync(dir, { recursive: true, force: true });
  const files = {};
  let sessionFiles = 0;
  let i = 0;
  while (Object.keys(files).length < fileCount) {
    // Shapes average 1.5 files, so one shape every 15 slots keeps session-dependent files near 10%.
    if (i % 15 === 0) {
      const shape = SESSION_SHAPES[(i / 15) % SESSION_SHAPES.length](i);
      for (const [path, text] of Object.entries(shape)) {
        if (Object.keys(files).length >= fileCount) break;
        files[path] = text;
        sessionFiles++;
      }
    } else {
      files[`lib/pkg${i % 40}/service${i}.ts`] = ordinaryFile(i);
    }
    i++;
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { files: Object.keys(files).length, sessionFiles };
}
