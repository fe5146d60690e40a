import { spawn, spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CART_SERVER, REPO_ROOT, scratchProject } from './project.js';

/**
 * SIGKILL in the middle of `migrate --write` on a 2,000-file tree (1,000 cart servers, each with a helper
 * module), then a second run: it completes the migration, and the tree ends exactly as one uninterrupted
 * run leaves it, with no staged file behind.
 */

const CLI = join(REPO_ROOT, 'bin/mcp-sessionless.js');
const SERVERS = 1000;
const name = (n: number) => `pkg${String(n).padStart(4, '0')}`;
const files: Record<string, string> = {};
for (let n = 0; n < SERVERS; n++) {
  files[`${name(n)}/server.ts`] = CART_SERVER.replace("name: 'cart-v2'", `name: 'cart-${n}'`);
  files[`${name(n)}/prices.ts`] = `export const PRICE_${n} = ${n};\n`;
}
const killed = scratchProject('kill', files);
const reference = scratchProject('kill-reference', { [`${name(0)}/server.ts`]: files[`${name(0)}/server.ts`]! });
afterAll(() => {
  killed.remove();
  reference.remove();
});

function runToEnd(dir: string): { code: number; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'migrate', dir, '--write', '--no-diff'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  return { code: result.status ?? -1, stderr: result.stderr };
}

it('finishes on a re-run what a SIGKILL interrupted', async () => {
  expect(killed.files()).toHaveLength(2 * SERVERS);
  const child = spawn(process.execPath, [CLI, 'migrate', killed.dir, '--write', '--no-diff'], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  // Kill it a moment after the first file is staged: some groups are in place, others not yet.
  const watcher = watch(killed.dir, { recursive: true });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    watcher.on('change', (_event, file) => {
      if (String(file).includes('.mcp-sessionless-')) resolve();
    });
    child.once('exit', () => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  child.kill('SIGKILL');
  watcher.close();
  expect(await exited).toBe('SIGKILL');

  const migratedAfterKill = Array.from({ length: SERVERS }, (_, n) => killed.text(`${name(n)}/server.ts`)).filter((text) => text.includes('handles.update')).length;
  expect(migratedAfterKill).toBeGreaterThan(0);
  expect(migratedAfterKill).toBeLessThan(SERVERS);

  const rerun = runToEnd(killed.dir);
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(runToEnd(reference.dir).code).toBe(0);
  const expectedServer = reference.text(`${name(0)}/server.ts`);
  const expectedStore = reference.text(`${name(0)}/handle-store.ts`);
  for (let n = 0; n < SERVERS; n++) {
    expect(killed.text(`${name(n)}/server.ts`)).toBe(expectedServer.replace("name: 'cart-v2'", `name: 'cart-${n}'`).replace("name: 'cart-0'", `name: 'cart-${n}'`));
    expect(killed.text(`${name(n)}/handle-store.ts`)).toBe(expectedStore);
  }
  expect(killed.files().filter((path) => path.includes('.mcp-sessionless-'))).toEqual([]);
  expect(killed.files()).toHaveLength(3 * SERVERS);
}, 600_000);
