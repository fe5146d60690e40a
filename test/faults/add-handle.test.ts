import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kindError } from '../../src/scaffold/names.js';
import { runScaffoldCli } from '../scaffold/cli.js';
import { scratchProject, type Scratch } from './project.js';

/** `add handle` refuses names every object already has, and a dirty work tree, like migrate. */

const SERVER = `import { McpServer } from '@modelcontextprotocol/server';

export function buildServer(): McpServer {
  const server = new McpServer({ name: 'plain', version: '1.0.0' });
  return server;
}
`;
const PACKAGE = JSON.stringify({ name: 'plain', type: 'module', dependencies: { '@modelcontextprotocol/server': '^2.4.0' } });

let scratch: Scratch | undefined;
afterEach(() => scratch?.remove());

describe('add handle', () => {
  for (const kind of ['constructor', 'to_string', 'has_own_property', 'value_of', 'is_prototype_of']) {
    it(`refuses the kind "${kind}", which Object.prototype already answers to`, () => {
      expect(kindError(kind)).toMatch(/which every JavaScript object already has \(Object\.prototype\); choose another/);
    });
  }

  it('refuses through the CLI before writing anything', () => {
    scratch = scratchProject('add-constructor', { 'package.json': PACKAGE, 'src/server.ts': SERVER });
    const run = runScaffoldCli(['add', 'handle', 'constructor', '--yes', '--write', '--dir', scratch.dir], { cwd: scratch.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: the handle kind "constructor" gives the name "constructor"');
    expect(scratch.files()).toEqual(['package.json', 'src/server.ts']);
  });

  it('refuses a dirty git tree with --write unless --allow-dirty', () => {
    scratch = scratchProject('add-dirty', { 'package.json': PACKAGE, 'src/server.ts': SERVER });
    const git = (...args: string[]) => spawnSync('git', ['-C', scratch!.dir, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'start');
    scratch.write('src/server.ts', `${SERVER}// an edit not committed yet\n`);
    const refused = runScaffoldCli(['add', 'handle', 'notebook', '--yes', '--write', '--dir', scratch.dir], { cwd: scratch.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the git work tree has uncommitted changes \(src\/server\.ts\); commit or stash them, or pass --allow-dirty/);
    expect(scratch.files()).toEqual(['package.json', 'src/server.ts']);
    const allowed = runScaffoldCli(['add', 'handle', 'notebook', '--yes', '--write', '--allow-dirty', '--dir', scratch.dir], { cwd: scratch.dir });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(readFileSync(join(scratch.dir, 'src/server.ts'), 'utf8')).toContain('registerNotebookHandles(server)');
  });
});
