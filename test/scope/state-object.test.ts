/**
 * An object of state a server class builds in its constructor (transforms/scope/instances.ts objectInstances):
 * which of its properties stay the process's. A flag code outside any tool call sets is one; a property released
 * where the server stops is the conversation's; a live value start-up code sets is no flag, and is marked.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../src/analysis/index.js';
import { findCandidates } from '../../transforms/scope/candidates.js';

function candidateFor(outside: string) {
  const { model } = analyzeSources({
    'src/index.ts': `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
interface Desk { open: string | null; drawers: string[]; quiet: boolean }
function createDesk(): Desk {
  return { open: null, drawers: [], quiet: false };
}
function watchQuiet(desk: Desk) {
  setInterval(() => {
    if (!desk.quiet) process.stderr.write('.');
  }, 60_000).unref();
}
function countTicks(desk: Desk) {
  setInterval(() => desk.drawers.push('tick'), 60_000).unref();
}
function registerTools(server: McpServer, desk: Desk) {
  server.registerTool('open', { inputSchema: { name: z.string() } }, async ({ name }) => {
    desk.open = name;
    desk.drawers.push(name);
    return { content: [{ type: 'text', text: desk.quiet ? '' : name }] };
  });
  server.registerTool('which', {}, async () => ({ content: [{ type: 'text', text: desk.open ?? 'none' }] }));
}
class DeskServer {
  private server = new McpServer({ name: 'desk', version: '1.0.0' });
  private desk: Desk;
  constructor() {
    this.desk = createDesk();
    registerTools(this.server, this.desk);
${outside}
  }
}
new DeskServer();
`,
  });
  const { candidates, declines } = findCandidates(model);
  const member = candidates.flatMap((candidate) => candidate.members).find((m) => m.kind === 'factory-instance');
  return { member: member?.kind === 'factory-instance' ? member : undefined, candidate: candidates[0], declines: declines.map((d) => d.message) };
}

describe('an object of state a server class builds', () => {
  it('a flag set where stdout fails stays the process’s', () => {
    const { member, candidate } = candidateFor(`    process.stdout.on('error', () => { this.desk.quiet = true; });`);
    expect(member?.shared).toEqual(['quiet']);
    expect(candidate?.notes).toEqual([]);
  });

  it('a property released in a shutdown handler is each conversation’s, released in its record’s cleanup', () => {
    const { member, candidate } = candidateFor(`    process.on('SIGINT', () => {\n      this.desk.open = null;\n      process.exit(0);\n    });`);
    expect(member?.shared).toEqual([]);
    expect(candidate?.shutdown.map((use) => use.statement.getText())).toEqual(['this.desk.open = null;']);
  });

  it('handed to a timer that only reads the process’s flag: no marker', () => {
    const { member, candidate } = candidateFor(`    process.stdout.on('error', () => { this.desk.quiet = true; });\n    watchQuiet(this.desk);`);
    expect(member?.shared).toEqual(['quiet']);
    expect(candidate?.notes).toEqual([]);
  });

  it('handed to a timer that changes what the tools keep: marked there', () => {
    const { candidate } = candidateFor(`    countTicks(this.desk);`);
    expect(candidate?.notes.map((note) => [note.node.getText(), note.message])).toEqual([['desk', expect.stringContaining('desk is handed to code that runs outside any tool call')]]);
  });

  it('a live value set outside any tool call is no flag: its use there is marked', () => {
    const { member, candidate } = candidateFor(`    setTimeout(() => { this.desk.open = process.env.DESK ?? 'main'; }, 0);`);
    expect(member?.shared).toEqual([]);
    expect(candidate?.notes.map((note) => note.message)).toEqual([expect.stringContaining('desk is used here outside any tool call')]);
  });
});
