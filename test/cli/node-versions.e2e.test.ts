import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

// The toolkit supports Node 20 (this machine's), 22 and 24: run the real CLI on the newer ones too, with the
// `node` package from the npm registry as the runtime.
const bin = join(REPO_ROOT, 'bin/mcp-sessionless.js');
const onNode = (major: number, args: string[]) =>
  spawnSync('npx', ['--yes', '-p', `node@${major}`, 'node', bin, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // A Node already in the npm cache is run from it without asking the registry again.
    env: { ...process.env, NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
    timeout: 300_000,
  });

describe.each([22, 24])('on Node %i', (major) => {
  it('audits and migrates the bundled examples', () => {
    const audit = onNode(major, ['audit', 'examples/cart-server', '--format', 'json']);
    expect(audit.status, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout).summary.findings).toBeGreaterThan(0);
    const migrate = onNode(major, ['migrate', 'examples', '--report', 'json']);
    expect(migrate.status, migrate.stderr).toBe(0);
    const report = JSON.parse(migrate.stdout) as { files: Array<{ path: string }>; summary: { errors: number } };
    expect(report.summary.errors).toBe(0);
    expect(report.files.map((f) => f.path)).toEqual(expect.arrayContaining(['cart-server/src/server.ts', 'db-stdio/src/index.ts']));
  }, 300_000);
});
