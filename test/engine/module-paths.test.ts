import { afterEach, describe, expect, it } from 'vitest';
import { auditProject } from '../../src/audit/audit.js';
import { groupByImports } from '../../src/engine/components.js';
import { migrate } from '../../src/engine/migrate.js';
import { readPathAliases, resolveModule } from '../../src/engine/module-paths.js';
import { BUILT_IN_REGISTRY } from '../../transforms/index.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const KNOWN = new Set(['src/services/browser.ts', 'src/services/index.ts', 'src/tools/base.ts', 'lib/shared.ts', 'src/config.ts']);

describe('readPathAliases', () => {
  it('reads the tsconfig paths from baseUrl, comments and all, as root-relative targets', () => {
    project = tempProject({
      'tsconfig.json': `{
        // the project's own module names
        "compilerOptions": { "baseUrl": "./src", "paths": { "@/*": ["*"], "#config": ["config.ts"], "outside/*": ["../../elsewhere/*"] } }
      }`,
    });
    expect(readPathAliases(project.dir)).toEqual([
      { pattern: '@/*', targets: ['src/*'] },
      { pattern: '#config', targets: ['src/config.ts'] },
    ]);
  });

  it('resolves targets from the tsconfig folder when there is no baseUrl, and reads nothing without a tsconfig', () => {
    project = tempProject({ 'tsconfig.json': '{ "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }' });
    expect(readPathAliases(project.dir)).toEqual([{ pattern: '~/*', targets: ['src/*'] }]);
    project.remove();
    project = tempProject({ 'src/a.ts': '' });
    expect(readPathAliases(project.dir)).toEqual([]);
  });
});

describe('resolveModule', () => {
  const aliases = [
    { pattern: '@/*', targets: ['src/*'] },
    { pattern: '@/services/*', targets: ['lib/*', 'src/services/*'] },
    { pattern: '#config', targets: ['src/config.ts'] },
  ];

  it('follows relative specifiers as before', () => {
    expect(resolveModule('src/tools/base.ts', '../services/browser.js', KNOWN, aliases)).toBe('src/services/browser.ts');
  });

  it('takes the alias with the longest prefix, trying its targets in order, with the usual extensions and index files', () => {
    expect(resolveModule('src/tools/base.ts', '@/services/browser.js', KNOWN, aliases)).toBe('src/services/browser.ts');
    expect(resolveModule('src/tools/base.ts', '@/services/shared', KNOWN, aliases)).toBe('lib/shared.ts');
    expect(resolveModule('src/tools/base.ts', '@/services', KNOWN, aliases)).toBe('src/services/index.ts');
    expect(resolveModule('src/tools/base.ts', '#config', KNOWN, aliases)).toBe('src/config.ts');
  });

  it('leaves packages and names no alias matches unresolved', () => {
    expect(resolveModule('src/tools/base.ts', '@modelcontextprotocol/sdk/server/mcp.js', KNOWN, aliases)).toBeUndefined();
    expect(resolveModule('src/tools/base.ts', 'express', KNOWN, aliases)).toBeUndefined();
    expect(resolveModule('src/tools/base.ts', '@/nowhere', KNOWN, aliases)).toBeUndefined();
  });

  it('groups files that import each other through an alias', () => {
    const texts = new Map([
      ['src/server.ts', "import { browser } from '@/services/browser';\n"],
      ['src/services/browser.ts', 'export const browser = 1;\n'],
    ]);
    expect(groupByImports(['src/server.ts'], texts, [{ pattern: '@/*', targets: ['src/*'] }])).toEqual([['src/server.ts', 'src/services/browser.ts']]);
    expect(groupByImports(['src/server.ts'], texts)).toEqual([['src/server.ts']]);
  });
});

// A server whose modules import each other by the tsconfig's `@/` alias: the app mounts the handler of another module,
// and the tools keep one page per session in a service module. Read without the alias, both go unseen.
const ALIASED = {
  'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
  'src/main.ts': `import express from 'express';
import { handleMcp } from '@/mcp/handler.js';

const app = express();
app.use(express.json());
app.post('/mcp', handleMcp);
app.get('/mcp', handleMcp);
app.delete('/mcp', handleMcp);
app.listen(3000);
`,
  'src/mcp/handler.ts': `import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { buildServer } from '@/server.js';

const transports: Record<string, StreamableHTTPServerTransport> = {};

export async function handleMcp(req: Request, res: Response): Promise<void> {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  let transport = sessionId ? transports[sessionId] : undefined;
  if (!transport) {
    if (!isInitializeRequest(req.body)) {
      res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'No valid session ID' }, id: null });
      return;
    }
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports[id] = created;
      },
    });
    await buildServer().connect(created);
    transport = created;
  }
  await transport.handleRequest(req, res, req.body);
}
`,
  'src/server.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { pageFor } from '@/services/pages.js';

export function buildServer(): McpServer {
  const server = new McpServer({ name: 'aliased', version: '1.0.0' });
  server.registerTool('visit', { description: 'Visit a page', inputSchema: { url: z.string() } }, async ({ url }, extra) => {
    const page = pageFor(extra.sessionId ?? 'default');
    page.visited.push(url);
    return { content: [{ type: 'text', text: String(page.visited.length) }] };
  });
  return server;
}
`,
  'src/services/pages.ts': `const pages = new Map<string, { visited: string[] }>();

export function pageFor(sessionId: string): { visited: string[] } {
  let page = pages.get(sessionId);
  if (!page) pages.set(sessionId, (page = { visited: [] }));
  return page;
}
`,
};

describe('a project whose modules import each other through tsconfig path aliases', () => {
  it('audit follows the aliases: the routes reaching the session handler, and the page map the session id keys', async () => {
    project = tempProject(ALIASED);
    const report = await auditProject(project.dir);
    const kinds = report.findings.map((f) => `${f.file} ${f.kind}`);
    expect(kinds).toContain('src/main.ts session-route');
    expect(report.findings.find((f) => f.file === 'src/services/pages.ts')).toMatchObject({ rule: 'SL003', state: 'pages' });
    project.write('tsconfig.json', '{}');
    const unaliased = (await auditProject(project.dir)).findings.map((f) => f.file);
    expect(unaliased).not.toContain('src/main.ts');
    expect(unaliased).not.toContain('src/services/pages.ts');
  });

  it('migrate rewrites the handler another module mounts through an alias and the state the session kept, and a second run changes nothing', async () => {
    project = tempProject(ALIASED, { git: true });
    const result = await migrate({ path: project.dir, registry: BUILT_IN_REGISTRY, write: true, typecheck: false });
    expect(result.written).toEqual(expect.arrayContaining(['src/mcp/handler.ts', 'src/server.ts']));
    expect(project.read('src/server.ts')).toContain("'create_session'");
    const handler = project.read('src/mcp/handler.ts');
    expect(handler).toContain('sessionIdGenerator: undefined');
    expect(handler).toContain("if (req.method !== 'POST')");
    expect(handler).not.toContain('mcp-session-id');
    expect(project.read('src/main.ts')).toBe(ALIASED['src/main.ts']);
    project.git('add', '-A');
    project.git('commit', '-qm', 'migrated');
    expect((await migrate({ path: project.dir, registry: BUILT_IN_REGISTRY, typecheck: false })).changes).toEqual([]);
  });
});
