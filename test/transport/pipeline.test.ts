import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSPORT_KEPT } from '../../src/rules/marker-messages.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { FIXTURES_ROOT } from '../helpers/fixtures.js';

/**
 * The transport transform runs after the state transforms. Factory state they turned into records no longer keeps
 * the transport on sessions, nor do per-connection objects session-scope holds whole in a record.
 */
const fixture = (name: string) => readFileSync(join(FIXTURES_ROOT, 'stateless-transport', `${name}.input.ts`), 'utf8');

function migrate(text: string) {
  const result = transformFiles({ 'index.ts': text }, { transforms: TRANSFORMS });
  return { text: result.changed['index.ts'] ?? text, result };
}

describe('stateless-transport after the state transforms', () => {
  it('serves a factory whose closure state session-scope moved into records, per request', () => {
    const { text } = migrate(fixture('factory-trap'));
    expect(text).toContain('createMcpHandler(buildServer)');
    expect(text).not.toContain(TRANSPORT_KEPT);
    expect(text).not.toContain('sessionIdGenerator');
  });

  it('serves per request once session-scope holds a per-connection object no fine handle can split in a record', () => {
    const { text } = migrate(fixture('per-connection-object-v1'));
    expect(text).toContain("const browsing = browsers.instance('browsing', () => new Browsing());");
    expect(text).not.toContain(TRANSPORT_KEPT);
    expect(text).toContain('sessionIdGenerator: undefined');
    expect(text).not.toContain('@mcp-sessionless-todo');
  });
});
