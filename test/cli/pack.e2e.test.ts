import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

// The published artifact, not the source tree: pack, install the tarball into an empty folder as a user would,
// and run every command from there. Only the package's declared dependencies are installed, so a module the
// CLI imports at run time but declares as a devDependency fails here.
// `npm test` has just built dist/, so packing skips the prepack build (other test files run the CLI meanwhile).
const work = mkdtempSync(join(tmpdir(), 'mcp-sl-pack-'));
const consumer = join(work, 'consumer');
let tarball = '';
let files: string[] = [];

// Packages already in the npm cache are taken from it without asking the registry again (as the scaffold tests do).
const env = { ...process.env, NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
const cli = (args: string[], cwd = consumer) =>
  spawnSync('npx', ['--no-install', 'mcp-sessionless', ...args], { cwd, encoding: 'utf8', env, timeout: 300_000 });

beforeAll(() => {
  const listing = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: REPO_ROOT, encoding: 'utf8', env });
  files = (JSON.parse(listing) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? '');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
  // jscodeshift comes from the user's side: the package's jscodeshift modules must run under the user's runner.
  execFileSync('npm', ['install', '--no-package-lock', tarball, 'jscodeshift@17'], { cwd: consumer, stdio: 'pipe', env });
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed tarball', () => {
  it('ships a license and no source maps (the TypeScript sources they would point at are not shipped)', () => {
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('examples/') && !f.startsWith('templates/'))).toEqual([]);
  });

  it('runs --help and --version, and verify when this version has it', () => {
    const help = cli(['--help']);
    expect(help.stderr).not.toContain('ERR!');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: mcp-sessionless');
    for (const command of ['audit', 'migrate', 'new', 'add']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    if (/^\s+verify\b/m.test(help.stdout)) {
      const verify = cli(['verify', '--help']);
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stdout).toContain('Usage: mcp-sessionless verify');
    }
  }, 300_000);

  it('audits and migrates the bundled example from the installed package', () => {
    const example = join(work, 'cart-server');
    cpSync(join(REPO_ROOT, 'examples/cart-server'), example, { recursive: true });
    const audit = cli(['audit', example, '--format', 'json']);
    expect(audit.status, audit.stderr).toBe(0);
    expect((JSON.parse(audit.stdout) as { summary: { findings: number } }).summary.findings).toBeGreaterThan(0);
    const run = cli(['migrate', example, '--format', 'json']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { stats: { discovered: number }; summary: { errors: number } };
    expect(report.stats.discovered).toBe(3);
    expect(report.summary.errors).toBe(0);
  }, 300_000);

  it('creates a project with new, then adds a handle family to it with add handle', () => {
    const created = cli(['new', join(work, 'demo'), '--yes', '--no-install', '--no-git']);
    expect(created.status, created.stderr).toBe(0);
    expect(existsSync(join(work, 'demo', 'package.json'))).toBe(true);
    const added = cli(['add', 'handle', 'ticket', '--dir', join(work, 'demo'), '--yes', '--write']);
    expect(added.status, added.stderr).toBe(0);
    expect(readdirSync(join(work, 'demo', 'src'), { recursive: true }).join('\n')).toMatch(/ticket/);
  }, 300_000);

  it('runs a transform through jscodeshift from the installed package, as the README shows, and matches migrate', () => {
    // The README's command, run in the consumer folder on the example's entry point; migrate on a copy of it.
    const server = readFileSync(join(REPO_ROOT, 'examples/cart-server/src/server.ts'), 'utf8');
    mkdirSync(join(consumer, 'src'), { recursive: true });
    writeFileSync(join(consumer, 'src/server.ts'), server);
    const copy = join(work, 'migrated');
    mkdirSync(join(copy, 'src'), { recursive: true });
    writeFileSync(join(copy, 'src/server.ts'), server);

    const run = spawnSync(
      'npx',
      ['--no-install', 'jscodeshift', '-t', 'node_modules/mcp-sessionless/dist/jscodeshift/stateless-transport.js', '--parser=ts', '--extensions=ts', 'src/'],
      { cwd: consumer, encoding: 'utf8', env, timeout: 300_000 },
    );
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/\b1 ok/);
    const migrated = cli(['migrate', copy, '--transforms', 'stateless-transport', '--no-format', '--write', '--allow-dirty']);
    expect(migrated.status, migrated.stderr).toBe(0);
    const viaJscodeshift = readFileSync(join(consumer, 'src/server.ts'), 'utf8');
    expect(viaJscodeshift).not.toBe(server);
    expect(viaJscodeshift).toBe(readFileSync(join(copy, 'src/server.ts'), 'utf8'));
  }, 300_000);
});
