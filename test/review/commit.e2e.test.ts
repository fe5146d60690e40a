/** `migrate --write --commit` on a real git repository: one commit per transform, and the same tree as --write. */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { TempProject } from '../helpers/temp-project.js';
import { GIT_IDENTITY, reviewProject } from './review-project.js';

const projects: TempProject[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});
function project(options: { prettier?: boolean } = {}): TempProject {
  const created = reviewProject(options);
  projects.push(created);
  return created;
}

/** The project with p9's client-capability cache added, so the run leaves markers. */
function projectWithMarkers(): TempProject {
  const created = project();
  created.write(
    'src/caps.ts',
    [
      "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
      '',
      'export function buildCapsServer(): McpServer {',
      "  const server = new McpServer({ name: 'caps', version: '1.0.0' });",
      '  let sampling = false;',
      '  server.server.oninitialized = () => {',
      '    sampling = Boolean(server.server.getClientCapabilities()?.sampling);',
      '  };',
      "  server.tool('summarize', async () => ({ content: [{ type: 'text', text: sampling ? 'sampling' : 'plain' }] }));",
      '  return server;',
      '}',
      '',
    ].join('\n'),
  );
  created.git('add', '-A');
  created.git('commit', '-qm', 'caps');
  return created;
}

describe('migrate --write --commit', () => {
  it('makes one commit per transform that changed something, naming it, its rules and its files', () => {
    const repo = projectWithMarkers();
    const run = runCli(['migrate', repo.dir, '--write', '--commit'], { env: GIT_IDENTITY });
    expect(run.code, run.stderr).toBe(0);
    // mark-leftovers finds nothing left unmarked here (per-request-context marked what it could not move), so no commit of its own.
    const log = repo.git('log', '--format=%s', 'HEAD~3..HEAD').trim().split('\n').reverse();
    expect(log).toEqual([
      'mcp-sessionless: session-state-to-handles (SL003)',
      'mcp-sessionless: per-request-context (SL005)',
      'mcp-sessionless: stateless-transport (SL001, SL002)',
    ]);
    expect(repo.git('log', '--format=%s', '-1', 'HEAD~3').trim()).toBe('caps');
    const files = (rev: string) => repo.git('show', '--name-only', '--format=', rev).trim().split('\n');
    expect(files('HEAD~2')).toEqual(['src/carts.ts', 'src/handle-store.ts', 'src/server.ts']);
    expect(repo.git('show', '-s', '--format=%b', 'HEAD~2')).toBe('Session state → explicit handles.\n\nFiles:\n  src/carts.ts\n  src/handle-store.ts (new)\n  src/server.ts\n\n');
    expect(files('HEAD~1')).toEqual(['src/caps.ts']);
    expect(files('HEAD')).toEqual(['src/admin.ts', 'src/server.ts']);
    // Each commit holds its own step: the handle commit still routes by session, the transport commit no longer does.
    expect(repo.git('show', 'HEAD~2:src/server.ts')).toContain('sessionIdGenerator: () => randomUUID()');
    expect(repo.git('show', 'HEAD~2:src/server.ts')).toContain('handles.resolve(carts, cart_id');
    expect(repo.git('show', 'HEAD:src/server.ts')).not.toContain('sessionIdGenerator: () => randomUUID()');
    // The markers, with the lines they stand on, are listed in the last commit's body.
    const body = repo.git('show', '-s', '--format=%b', 'HEAD');
    expect(body).toContain('Markers left for review (git grep -n "@mcp-sessionless-todo"):');
    const grep = repo.git('grep', '-n', '@mcp-sessionless-todo').trim().split('\n');
    expect(grep.length).toBeGreaterThan(0);
    for (const hit of grep) {
      const [file, line] = hit.split(':');
      expect(body).toContain(`  ${file}:${line} SL0`);
    }
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('ends on exactly the tree a plain --write produces', () => {
    const committed = project();
    const written = project();
    expect(runCli(['migrate', committed.dir, '--write', '--commit'], { env: GIT_IDENTITY }).code).toBe(0);
    expect(runCli(['migrate', written.dir, '--write']).code).toBe(0);
    expect(committed.hash()).toBe(written.hash());
    expect(committed.git('status', '--porcelain')).toBe('');
  });

  it('keeps CRLF line ends and a BOM in every commit, and ends on the --write tree', () => {
    const crlf = () => {
      const created = project();
      for (const file of ['src/server.ts', 'src/carts.ts']) {
        const text = created.read(file).replace(/\n/g, '\r\n');
        created.write(file, file === 'src/carts.ts' ? `\uFEFF${text}` : text);
      }
      created.git('add', '-A');
      created.git('commit', '-qm', 'crlf');
      return created;
    };
    const committed = crlf();
    const written = crlf();
    expect(runCli(['migrate', committed.dir, '--write', '--commit'], { env: GIT_IDENTITY }).code).toBe(0);
    expect(runCli(['migrate', written.dir, '--write']).code).toBe(0);
    expect(committed.hash()).toBe(written.hash());
    for (const rev of ['HEAD~1', 'HEAD']) {
      const server = committed.git('show', `${rev}:src/server.ts`);
      expect(server.split('\n').slice(0, -1).every((line) => line.endsWith('\r')), `${rev}:src/server.ts`).toBe(true);
    }
    expect(committed.git('show', 'HEAD:src/carts.ts').startsWith('\uFEFF')).toBe(true);
  });

  it("formats every commit with the project's Prettier, and still ends on the --write tree", () => {
    const committed = project({ prettier: true });
    const written = project({ prettier: true });
    expect(runCli(['migrate', committed.dir, '--write', '--commit'], { env: GIT_IDENTITY }).code).toBe(0);
    expect(runCli(['migrate', written.dir, '--write']).code).toBe(0);
    expect(committed.hash()).toBe(written.hash());
    // The first commit's files are formatted too (no semicolons), though a later transform changes server.ts again.
    const first = committed.git('show', 'HEAD~1:src/server.ts');
    expect(first).toContain("} from './handle-store.js'\n");
    expect(first).toContain('sessionIdGenerator: () => randomUUID(),');
    expect(first).not.toMatch(/;\n/);
  });

  it('refuses a dirty tree and a folder outside git, and needs --write', () => {
    const dirty = project();
    dirty.write('src/admin.ts', `${dirty.read('src/admin.ts')}// local edit\n`);
    const hash = dirty.hash();
    const head = dirty.git('rev-parse', 'HEAD');
    const refused = runCli(['migrate', dirty.dir, '--write', '--commit'], { env: GIT_IDENTITY });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: the git work tree has uncommitted changes; commit or stash them before migrate --commit\n  src/admin.ts\n');
    expect(dirty.hash()).toBe(hash);
    expect(dirty.git('rev-parse', 'HEAD')).toBe(head);

    const plain = project();
    plain.git('init', '-q');
    expect(runCli(['migrate', plain.dir, '--commit'])).toMatchObject({ code: 1, stderr: 'error: --commit applies the changes: pass it with --write\n' });
    expect(runCli(['migrate', plain.dir, '--write', '--commit', '--allow-dirty']).stderr).toContain('--commit needs a clean work tree');
  });
});
