/**
 * Where a transport's session ids come from (transforms/shared/minted-ids.ts): fresh randomness (the SDK's sessions,
 * nothing of the application's behind them) or the application's own session registry, whose state a handle's id
 * cannot stand in for.
 */
import { describe, expect, it } from 'vitest';
import { Node, SyntaxKind } from 'ts-morph';
import { createMemoryProject } from '../../src/engine/parse.js';
import { appSessionIdOrigin } from '../../transforms/shared/minted-ids.js';

function sourceIn(code: string): string | undefined {
  const file = createMemoryProject().createSourceFile('/server.ts', code);
  const generators = file.getDescendantsOfKind(SyntaxKind.PropertyAssignment).filter((p) => p.getName() === 'sessionIdGenerator');
  expect(generators.length).toBeGreaterThan(0);
  return appSessionIdOrigin(generators.filter(Node.isPropertyAssignment))?.text;
}

const transport = (generator: string, before = '') => `import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
${before}
export const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: ${generator} });
`;

describe('session ids', () => {
  it('are fresh from randomUUID, crypto.randomBytes(…).toString(…), a template around one, or a local holding one', () => {
    expect(sourceIn(transport('() => randomUUID()'))).toBeUndefined();
    expect(sourceIn(transport("() => crypto.randomBytes(16).toString('hex')"))).toBeUndefined();
    expect(sourceIn(transport('() => `sess-${randomUUID()}`'))).toBeUndefined();
    expect(sourceIn(transport('() => id', 'const id = randomUUID();'))).toBeUndefined();
  });

  it('are fresh from a function of the project that answers a random id', () => {
    expect(sourceIn(transport('() => newSessionId()', 'function newSessionId(): string {\n  return `s_${randomUUID()}`;\n}'))).toBeUndefined();
  });

  it('are the ones a client sent back when a session is rebuilt from its header', () => {
    const code = `import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
function rebuild(sessionId: string) {
  return new StreamableHTTPServerTransport({ sessionIdGenerator: () => sessionId });
}
export function handle(req: { headers: Record<string, string | undefined> }) {
  return rebuild(req.headers['mcp-session-id']!);
}
`;
    expect(sourceIn(code)).toBeUndefined();
  });

  it("are the application's own when its registry opens the session first", () => {
    const code = `import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { sessionManager } from './sessions.js';
function createTransport(sessionId: string) {
  return new StreamableHTTPServerTransport({ sessionIdGenerator: () => sessionId });
}
export function open() {
  let sessionId = 'none';
  sessionId = sessionManager.createSession();
  return createTransport(sessionId);
}
`;
    expect(sourceIn(code)).toBe('`sessionManager.createSession()`');
  });
});
