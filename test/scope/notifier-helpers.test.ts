/**
 * Which calls announce a changed list through a helper (transforms/lists/gates.ts notifierStatements): only a
 * helper whose whole body sends list_changed of that kind, called as a statement of its own, here or imported;
 * and what the record rewrite makes of them (the committed fixture outputs).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryProject } from '../../src/engine/parse.js';
import { notifierStatements } from '../../transforms/lists/gates.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

const HELPERS = `import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
export function announce(server: Server) {
  server.notification({ method: 'notifications/resources/list_changed' });
}
export const announceTools = (server: Server) => server.sendToolListChanged();
export function announceAndCount(server: Server, counter: { n: number }) {
  counter.n++;
  server.notification({ method: 'notifications/resources/list_changed' });
}
export function touch(server: Server) {
  server.notification({ method: 'notifications/resources/updated', params: { uri: 'a://b' } });
}
`;

function removedIn(body: string, kind: 'resource' | 'tool' = 'resource'): string[] {
  const project = createMemoryProject();
  project.createSourceFile('/src/helpers.ts', HELPERS);
  const file = project.createSourceFile(
    '/src/tools.ts',
    `import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { announce, announceAndCount, announceTools, touch } from './helpers.js';
export async function save(server: Server, counter: { n: number }) {
${body}
}
`,
  );
  const fn = file.getFunctionOrThrow('save');
  return notifierStatements([fn], kind).map(({ statement, name }) => `${name}: ${statement.getText()}`);
}

describe('notifierStatements', () => {
  it('finds an imported helper that only announces, called on its own (awaited or not)', () => {
    expect(removedIn('  announce(server);\n  await announce(server);')).toEqual(['announce: announce(server);', 'announce: await announce(server);']);
  });

  it('follows arrow helpers with an expression body, for their own kind only', () => {
    expect(removedIn('  announceTools(server);', 'tool')).toEqual(['announceTools: announceTools(server);']);
    expect(removedIn('  announceTools(server);', 'resource')).toEqual([]);
  });

  it('leaves helpers that do more, send another notification, or whose result is used', () => {
    expect(removedIn('  announceAndCount(server, counter);\n  touch(server);\n  const sent = announce(server);\n  void sent;')).toEqual([]);
  });

});

describe('a notifier helper in the migrated server', () => {
  it('a list_changed sent through a local helper migrates exactly like one sent inline: call and helper go', () => {
    const cases = loadFixtureCases('session-scope');
    const inline = cases.find((c) => c.name === 'lowlevel-screenshots-v1')!;
    const helper = cases.find((c) => c.name === 'lowlevel-screenshots-notifier-v1')!;
    expect(helper.input['src/index.ts']).toContain('announceScreenshots();');
    expect(helper.output['src/index.ts']).toBe(inline.output['src/index.ts']);
  });
});
