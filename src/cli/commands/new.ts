import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { unifiedDiff } from '../../engine/diff.js';
import { ScaffoldError } from '../../scaffold/errors.js';
import { NEW_QUESTIONS, toNewProjectOptions } from '../../scaffold/new-options.js';
import { planNewProject, type NewProjectPlan } from '../../scaffold/new-project.js';
import { initGit, installDependencies } from '../../scaffold/post.js';
import { inquirerPrompter } from '../../scaffold/prompter.js';
import { packageNameFromFolder, projectNameError } from '../../scaffold/names.js';
import { flagProperty, helpText, type Answers } from '../../scaffold/questions.js';
import { PACKAGE_MANAGERS } from '../../scaffold/render-new.js';
import { resolveAnswers } from '../../scaffold/resolve.js';
import { formatTree } from '../../scaffold/tree.js';
import { writeChanges } from '../../scaffold/writer.js';
import { EXIT } from '../exit-codes.js';
import { colorDiff, colorsFor } from '../output.js';

interface NewFlags extends Record<string, unknown> {
  dir?: string;
  yes?: boolean;
  dryRun?: boolean;
  diff?: boolean;
  force?: boolean;
}

/** `new [name]`: every question of the table becomes a flag; --yes or no terminal means no prompts. */
export function registerNewCommand(program: Command): void {
  const command = program
    .command('new')
    .description('create a sessionless MCP server project (@modelcontextprotocol/server v2, handle store, tests)')
    .argument('[name-or-folder]', 'npm package name, or a folder (./servers/Weather-Server) whose base name gives it');
  for (const question of NEW_QUESTIONS) {
    if (question.type === 'confirm') {
      command.addOption(new Option(question.flag, helpText(question)));
      command.addOption(new Option(question.flag.replace(/^--/, '--no-'), `do not ${question.help}`));
    } else {
      command.addOption(new Option(question.flag, helpText(question)));
    }
  }
  command
    .option('--dir <path>', 'folder to create the project in (default: ./<name>)')
    .option('-y, --yes', 'use the default for every value not given as a flag; never prompt')
    .option('--dry-run', 'print the file tree and the diffs; write nothing, run nothing')
    .option('--no-diff', 'with --dry-run, print only the file tree')
    .option('--force', 'write into a non-empty folder (files with the same path are overwritten)')
    .action(async (name: string | undefined, flags: NewFlags) => {
      try {
        await runNew(name, flags);
      } catch (error) {
        if (!(error instanceof ScaffoldError)) throw error;
        process.stderr.write(`${colorsFor(process.stderr).red('error')}: ${error.message}\n`);
        process.exitCode = EXIT.error;
      }
    });
}

async function runNew(name: string | undefined, flags: NewFlags): Promise<void> {
  const given: Answers = {};
  for (const question of NEW_QUESTIONS) {
    const value = flags[flagProperty(question)];
    if (typeof value === 'string' || typeof value === 'boolean') given[question.key] = value;
  }
  let directory = flags.dir;
  if (name !== undefined && projectNameError(name) === undefined) {
    if (given.name !== undefined && given.name !== name) throw new ScaffoldError('invalid-option', `two names given: "${name}" and --name "${String(given.name)}"`);
    given.name = name;
  } else if (name !== undefined) {
    // Not a package name, so a folder (as create-vite takes it): the name comes from its base name unless
    // --name gives one; when none can be derived, the name question is asked (or its flag named).
    if (directory !== undefined) throw new ScaffoldError('invalid-option', `two folders given: "${name}" and --dir "${directory}"`);
    directory = name;
    given.name ??= packageNameFromFolder(resolve(name));
  }
  const interactive = !flags.yes && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const answers = await resolveAnswers(NEW_QUESTIONS, given, { interactive, prompter: interactive ? inquirerPrompter() : undefined });
  const options = toNewProjectOptions(answers);
  const plan = planNewProject(options, { directory, force: flags.force });

  if (flags.dryRun) return printDryRun(plan, flags.diff !== false);

  await writeChanges(plan.root, plan.changes);
  const shown = relative(process.cwd(), plan.root) || '.';
  process.stderr.write(`Created ${options.name} in ${shown} (${plan.changes.length} files)\n`);
  const pm = PACKAGE_MANAGERS[options.packageManager];
  const cd = shown === '.' ? undefined : `cd ${shellWord(shown)}`;
  let installed = false;
  if (options.install) {
    process.stderr.write(`Installing dependencies with ${options.packageManager}…\n`);
    const outcome = await installDependencies(plan.root, options.packageManager);
    installed = outcome.ok;
    // The files are written either way: say what failed and the exact command, then still set up git.
    if (!outcome.ok) {
      const why = outcome.notFound ? `${options.packageManager} is not installed (not found on PATH)` : `${pm.install} failed (${outcome.detail})`;
      process.stderr.write(`${colorsFor(process.stderr).red('error')}: ${why}; the files are written. To install, run:\n  ${[cd, pm.install].filter(Boolean).join(' && ')}\n`);
      process.exitCode = EXIT.error;
    }
  }
  if (options.git) {
    const outcome = await initGit(plan.root, 'Initial commit from mcp-sessionless new');
    const notes = {
      committed: 'Initialized a git repository with a first commit',
      initialized: 'Initialized a git repository (no commit: set git user.name and user.email, then commit)',
      'inside-repository': 'Skipped git init: the folder is already inside a git repository',
      unavailable: 'Skipped git init: git is not available',
    } as const;
    process.stderr.write(`${notes[outcome]}\n`);
  }
  const start = options.transport === 'stdio' ? `${pm.run} start:stdio` : `${pm.run} start`;
  const steps = [
    cd,
    installed ? undefined : pm.install,
    `${pm.run} test`,
    // The bearer server refuses to start without tokens (or an introspection endpoint): show how to give one.
    options.auth === 'bearer' ? `MCP_TOKENS="dev-token=alice" ${start}    # bearer tokens as token=principal pairs; see .env.example` : start,
  ];
  process.stdout.write(`\nNext:\n${steps.filter(Boolean).map((step) => `  ${step}\n`).join('')}`);
}

/** A path as one shell word (quoted only when it needs to be). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function printDryRun(plan: NewProjectPlan, withDiffs: boolean): void {
  const c = colorsFor(process.stdout);
  const changed = new Set(plan.changes.map((change) => change.path));
  const label = relative(process.cwd(), plan.root) || '.';
  const tree = formatTree(label, Object.keys(plan.files), (path) => (changed.has(path) ? '' : c.dim('(unchanged)')));
  process.stdout.write(`${tree}\n`);
  if (withDiffs) {
    for (const change of plan.changes) process.stdout.write(`\n${colorDiff(unifiedDiff(change.path, change.before, change.after), c)}`);
  }
  const steps = [plan.options.install ? 'install dependencies' : undefined, plan.options.git ? 'initialize git' : undefined].filter(Boolean);
  process.stderr.write(`\nDry run: ${plan.changes.length} files would be written to ${label}${steps.length ? `; would then ${steps.join(' and ')}` : ''}. Nothing was written.\n`);
}
