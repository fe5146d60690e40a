import type { NewProjectOptions } from '../../src/scaffold/new-options.js';

/** Options as `new --yes` resolves them, with overrides. */
export function optionsWith(overrides: Partial<NewProjectOptions> = {}): NewProjectOptions {
  const base: NewProjectOptions = {
    name: 'demo-server',
    description: 'A sessionless MCP server',
    transport: 'both',
    framework: 'node',
    store: 'memory',
    auth: 'none',
    example: 'notebook',
    packageManager: 'npm',
    git: false,
    install: false,
  };
  const merged = { ...base, ...overrides };
  // Mirror toNewProjectOptions: stdio-only servers have no framework and no auth.
  return merged.transport === 'stdio' ? { ...merged, framework: undefined, auth: 'none' } : merged;
}

/** The main combinations the scaffold tests cover. */
export const COMBINATIONS: Record<string, NewProjectOptions> = {
  default: optionsWith(),
  expressRedisBearer: optionsWith({ framework: 'express', store: 'redis', auth: 'bearer' }),
  honoHttpBearer: optionsWith({ framework: 'hono', transport: 'http', auth: 'bearer' }),
  nodeHttpRedis: optionsWith({ transport: 'http', store: 'redis' }),
  stdioOnly: optionsWith({ transport: 'stdio' }),
  stdioRedis: optionsWith({ transport: 'stdio', store: 'redis' }),
  noExample: optionsWith({ example: 'none', auth: 'bearer' }),
  expressHttpNoExample: optionsWith({ framework: 'express', transport: 'http', example: 'none' }),
};
