import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

/**
 * The built CLI on a project of several unconnected servers: with worker threads, each worker loads the
 * transforms from the module the registry names, and the result is the same as in one thread.
 */
describe('migrate on worker threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-sessionless-workers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of ['a', 'b', 'c']) cpSync(join(REPO_ROOT, 'examples/cart-server/src'), join(dir, name), { recursive: true });
  cpSync(join(REPO_ROOT, 'examples/db-stdio/src'), join(dir, 'd'), { recursive: true });

  const run = (workers: string) => {
    const result = runCli(['migrate', dir, '--workers', workers, '--format', 'json', '--no-formatter']);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as { stats: { groups: number; workers: number }; files: Array<{ path: string; diff: string }>; diagnostics?: unknown[] };
  };

  it('loads the built-in registry in each worker and changes what one thread changes', () => {
    const threaded = run('2');
    const single = run('1');
    expect(threaded.stats.groups).toBeGreaterThan(1);
    expect(threaded.stats.workers).toBe(2);
    expect(single.stats.workers).toBe(1);
    // Every server of the four changed, each with its own handle store.
    expect(threaded.files.filter((file) => file.path.endsWith('handle-store.ts'))).toHaveLength(4);
    expect(threaded.files).toEqual(single.files);
    expect(JSON.stringify(threaded)).not.toContain('worker failed');
  });
});
