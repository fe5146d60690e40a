#!/usr/bin/env node
/**
 * Recreate the batch checkouts from batch/manifest.json, outside the repository:
 *
 *   node scripts/batch-fetch.mjs <checkouts> [--manifest batch/manifest.json] [--git-dir '<template>'] [--no-install] [--only a,b]
 *
 * For each server: find a git directory holding its repository (the template's {owner} and {repo} are filled in;
 * without --git-dir a blobless clone from GitHub is made under <checkouts>/.git/), `git archive` the pinned commit's
 * `extract` paths into <checkouts>/<name>/, then install its dependencies once with the manifest's commands (argv lists, run in the server folder).
 * The harness symlinks those node_modules into its scratch copies, so installs happen here and only here.
 * Existing server folders are left as they are (delete one to fetch it again).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    manifest: { type: 'string', default: 'batch/manifest.json' },
    'git-dir': { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const [checkouts] = positionals;
if (!checkouts) {
  console.error('usage: node scripts/batch-fetch.mjs <checkouts> [--manifest file] [--git-dir template] [--no-install] [--only a,b]');
  process.exit(1);
}
const root = resolve(checkouts);
const { servers } = JSON.parse(readFileSync(values.manifest, 'utf8'));
const only = values.only ? new Set(values.only.split(',')) : undefined;
mkdirSync(root, { recursive: true });

for (const server of servers) {
  if (only && !only.has(server.name)) continue;
  const dest = join(root, server.name);
  if (existsSync(dest)) {
    console.log(`${server.name}: already there, left as is`);
    continue;
  }
  const gitDir = gitDirFor(server.repository);
  mkdirSync(dest, { recursive: true });
  const paths = server.extract ?? [server.folder];
  const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', server.commit, ...paths], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) {
    console.log(`${server.name}: git archive failed: ${archive.stderr.toString().trim()}`);
    rmSync(dest, { recursive: true, force: true });
    continue;
  }
  execFileSync('tar', ['-x', '-C', dest], { input: archive.stdout });
  console.log(`${server.name}: ${server.repository}@${server.commit.slice(0, 10)} ${paths.join(' ')}`);
  if (values['no-install']) continue;
  for (const [command, ...args] of server.install?.commands ?? []) {
    const installed = spawnSync(command, args, { cwd: join(dest, server.folder), stdio: 'inherit' });
    if (installed.status === 0) continue;
    console.log(`${server.name}: \`${[command, ...args].join(' ')}\` failed (exit ${installed.status}); tsc figures will count missing modules`);
    break;
  }
}

/** A git directory for owner/name: the template when given, else a blobless clone kept under <checkouts>/.git/. */
function gitDirFor(repository) {
  const [owner, repo] = repository.split('/');
  if (values['git-dir']) return values['git-dir'].replaceAll('{owner}', owner).replaceAll('{repo}', repo);
  const dir = join(root, '.git', `${owner}+${repo}`);
  if (!existsSync(dir)) execFileSync('git', ['clone', '--bare', '--filter=blob:none', `https://github.com/${repository}.git`, dir], { stdio: 'inherit' });
  return dir;
}
