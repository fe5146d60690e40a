/**
 * Tools keyed by session ids the application's own registry mints (transforms/scope/session-ids.ts): a record can
 * hold one where the creator can open it with the same call (app-session-registry-v1, run for real in
 * session-ids.e2e.test.ts); where it cannot (the registry lives only in the transport's module), the tools keep
 * their session id with a marker, and so does the transport: no handle's id stands in for the application's.
 */
import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

const fixture = loadFixtureCases('session-scope').find((c) => c.name === 'app-session-registry-v1')!;

/** The fixture with its tools moved into a module of their own, which cannot reach the registry main.ts makes. */
function toolsApart(): Record<string, string> {
  const main = fixture.input['src/main.ts']!;
  const start = main.indexOf('function buildServer()');
  const end = main.indexOf('const transports');
  const tools = [
    "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
    "import { z } from 'zod';",
    "import { listHistory, runCommand } from './handlers.js';",
    "import type { SessionRegistry } from './registry.js';",
    '',
    main.slice(start, end).replace('function buildServer(): McpServer {', 'export function buildServer(registry: SessionRegistry): McpServer {'),
  ].join('\n');
  const entry = main
    .replace(main.slice(start, end), '')
    .replace("import { listHistory, runCommand } from './handlers.js';", "import { buildServer } from './tools.js';")
    .replace('buildServer().connect', 'buildServer(registry).connect');
  return { ...fixture.input, 'src/main.ts': entry, 'src/tools.ts': tools };
}

describe('tools keyed by the application session ids', () => {
  it('are left their session id, with one marker per tool, and the transport stays', () => {
    const input = toolsApart();
    const { changed } = transformFiles(input, { transforms: TRANSFORMS });
    const tools = changed['src/tools.ts'] ?? input['src/tools.ts']!;
    const main = changed['src/main.ts'] ?? input['src/main.ts']!;
    expect(tools.match(/@mcp-sessionless-todo\(SL001\): the tools key what they keep by the session id, and the session ids here are the application's own/g)).toHaveLength(2);
    expect(tools).toContain('sessionId: extra.sessionId');
    expect(tools).not.toContain('create_session');
    expect(main).toMatch(/@mcp-sessionless-todo\(SL002\): session transport kept: the session ids are the application's own .*`registry\.openSession\(\)`/);
    expect(main).toContain('sessionIdGenerator: () => sessionId');
  });
});
