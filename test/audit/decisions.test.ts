/**
 * One decision, one marker: findings a person settles with one change are grouped (src/audit/decisions.ts), and
 * what the group's marker says.
 */
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/index.js';
import { planDecisions } from '../../src/audit/decisions.js';

const decisionsOf = (files: Record<string, string>) =>
  planDecisions(auditFiles(files).findings).map((d) => ({ rule: d.rule, line: d.at.line, covers: d.covers.length, message: d.message }));

describe('decisions', () => {
  it('the fields of one class are one decision, named after the class', () => {
    const decisions = decisionsOf({
      'src/index.ts': `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
class Editor {
  private files: string[] = [];
  private current = '';
  open(path: string) { this.files.push(path); this.current = path; }
  show() { return \`\${this.current} of \${this.files.length}\`; }
}
function connect(): Server {
  const editor = new Editor();
  const server = new Server({ name: 'e', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    switch (request.params.name) {
      case 'open':
        editor.open(String(request.params.arguments?.path));
        return { content: [] };
      case 'show':
        return { content: [{ type: 'text', text: editor.show() }] };
      default:
        throw new Error('unknown');
    }
  });
  return server;
}
await connect().connect(new StdioServerTransport());
`,
    });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ rule: 'SL006', line: 5, covers: 2 });
    expect(decisions[0]!.message).toMatch(/^Editor keeps state between calls in this\.files and this\.current/);
  });

  it('the fields of objects a class holds go with that class', () => {
    const decisions = decisionsOf({
      'src/doc.ts': `export class Doc {
  private lines: string[] = [];
  constructor(readonly name: string) {}
  append(text: string) { this.lines.push(text); return this.lines.length; }
}
`,
      'src/index.ts': `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Doc } from './doc.js';
class Workspace {
  private docs: Doc[] = [];
  open(name: string) { const doc = new Doc(name); this.docs.push(doc); return doc; }
  append(text: string) {
    const doc: Doc | undefined = this.docs[this.docs.length - 1];
    if (!doc) throw new Error('open a doc first');
    return doc.append(text);
  }
}
function connect(): Server {
  const workspace = new Workspace();
  const server = new Server({ name: 'w', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    switch (request.params.name) {
      case 'open':
        workspace.open(String(request.params.arguments?.name));
        return { content: [] };
      case 'append':
        return { content: [{ type: 'text', text: String(workspace.append(String(request.params.arguments?.text))) }] };
      default:
        throw new Error('unknown');
    }
  });
  return server;
}
await connect().connect(new StdioServerTransport());
`,
    });
    expect(decisions.map((d) => [d.rule, d.line, d.covers])).toEqual([['SL006', 6, 2]]);
    expect(decisions[0]!.message).toMatch(/^Workspace keeps state between calls in this\.docs and this\.lines/);
  });

  it("a handler's reads of the session id are one change, counted on the first", () => {
    const decisions = decisionsOf({
      'src/index.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
const server = new McpServer({ name: 'g', version: '1' });
server.tool('greet', 'Greet twice', async (extra) => {
  await server.sendLoggingMessage({ level: 'info', data: 'one' }, extra.sessionId);
  await server.sendLoggingMessage({ level: 'info', data: 'two' }, extra.sessionId);
  return { content: [] };
});
await server.connect(new StdioServerTransport());
`,
    });
    expect(decisions).toEqual([
      {
        rule: 'SL001',
        line: 5,
        covers: 2,
        message:
          "application code reads the session id (extra.sessionId) to address a log message; send it on the request instead: extra.sendNotification({ method: 'notifications/message', params }) (2 reads in greet, this one and the 1 below)",
      },
    ]);
  });

  it('a tool registered at initialize when the client can elicit is one decision with the capability it reads', () => {
    const decisions = decisionsOf({
      'src/index.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
const server = new McpServer({ name: 'c', version: '1' });
function registerAsk(target: McpServer) {
  const capabilities = target.server.getClientCapabilities() || {};
  if (capabilities.elicitation) {
    target.registerTool('ask', { description: 'Ask the user' }, async () => ({ content: [] }));
  }
}
server.server.oninitialized = () => registerAsk(server);
await server.connect(new StdioServerTransport());
`,
    });
    expect(decisions.map((d) => [d.rule, d.line, d.covers])).toEqual([['SL005', 5, 2]]);
  });

  it('session id reads that key resource subscriptions go with the subscriptions', () => {
    const decisions = decisionsOf({
      'src/index.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { SubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
const server = new McpServer({ name: 's', version: '1' });
const subscribers = new Map<string, Set<string | undefined>>();
server.server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
  const sessionId = extra.sessionId;
  const set = subscribers.get(request.params.uri) ?? new Set<string | undefined>();
  set.add(sessionId);
  subscribers.set(request.params.uri, set);
  return {};
});
await server.connect(new StdioServerTransport());
`,
    });
    expect(decisions.map((d) => [d.rule, d.covers])).toEqual([['SL005', 2]]);
  });
});
