/**
 * What the record rewrite writes into the modules that import its scope: the scope's name is free there too (a
 * module importing a `sessions` of its own keeps it), and an import list written one name per line stays so.
 */
import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSFORMS } from '../../transforms/index.js';

const STATE = `let note: string | undefined;
export function keep(text: string) { note = text; return 'kept'; }
export function recall() { return note ?? 'nothing kept'; }
`;

const INDEX = `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import {
  keep,
  recall,
} from './state.js';
import { sessions } from './shells.js';

const server = new McpServer({ name: 'notes', version: '1.0.0' });
server.tool('keep', 'Keep a note', { text: z.string() }, async ({ text }) => ({ content: [{ type: 'text', text: keep(text) + sessions.size }] }));
server.tool('recall', 'The kept note', {}, async () => ({ content: [{ type: 'text', text: recall() }] }));
await server.connect(new StdioServerTransport());
`;

const SHELLS = `export const sessions = new Map<string, string>();\n`;

describe('modules importing the scope', () => {
  const result = transformFiles({ 'src/state.ts': STATE, 'src/index.ts': INDEX, 'src/shells.ts': SHELLS }, { transforms: TRANSFORMS });
  const index = result.changed['src/index.ts']!;
  const state = result.changed['src/state.ts']!;

  it('names the scope with a name the importing module does not use', () => {
    expect(state).toContain('export const sessionsState = defineScope({');
    expect(index).toContain("import { sessions } from './shells.js';");
    expect(index).toContain('sessionsState.tool(');
    expect(index).toContain('sessions.size');
  });

  it('adds the scope to an import list written one name per line, one per line', () => {
    expect(index).toContain("import {\n  keep,\n  recall,\n  sessionsState,\n} from './state.js';");
  });

  it('changes nothing on a second run', () => {
    const again = transformFiles({ 'src/shells.ts': SHELLS, ...result.changed, 'src/state.ts': state, 'src/index.ts': index }, { transforms: TRANSFORMS });
    expect(Object.keys(again.changed).filter((path) => !path.startsWith('src/handle-'))).toEqual([]);
  });
});
