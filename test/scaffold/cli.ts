import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/fixtures.js';
import type { CliRun } from '../helpers/cli.js';

const require = createRequire(import.meta.url);

/**
 * Run `new` / `add` as a separate process, the way a user runs them: no TTY, real stdout/stderr,
 * the exit code. The commands come from the build (`npm test` builds first), registered on a
 * commander program exactly as the CLI registers them.
 */
export function runScaffoldCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): CliRun {
  const url = (path: string) => JSON.stringify(pathToFileURL(path).href);
  const script = `
    const { Command } = await import(${url(require.resolve('commander'))});
    const { registerNewCommand } = await import(${url(join(REPO_ROOT, 'dist/src/cli/commands/new.js'))});
    const { registerAddCommand } = await import(${url(join(REPO_ROOT, 'dist/src/cli/commands/add.js'))});
    const program = new Command('mcp-sessionless').exitOverride();
    registerNewCommand(program);
    registerAddCommand(program);
    try {
      await program.parseAsync(process.argv.slice(1), { from: 'user' });
    } catch (error) {
      process.exitCode = error.exitCode ?? 1;
    }
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', npm_config_user_agent: '', ...options.env },
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
