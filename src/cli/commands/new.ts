import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { unifiedDiff } from '../../engine/diff.js';
import { ScaffoldError } from '../../scaffold/errors.js';
import { NEW_QUESTIONS, toNewProjectOptions } from '../../scaffold/new-options.js';
import { planNewProject, type NewProjectPlan } from '../../scaffold/new-project.js';
import { initGit, installDependencies } from '../../scaffold/post.js';
import { inquirerPrompter } from '../../scaffold/prompter.js';
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
    .argument('[name]', 'project name (npm package name)');
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
  if (name !== undefined) {
    if (given.name !== undefined && given.name !== name) throw new ScaffoldError('invalid-option', `two names given: "${name}" and --name "${String(given.name)}"`);
    given.name = name;
  }
  const interactive = !flags.yes && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const answers = await resolveAnswers(NEW_QUESTIONS, given, { interactive, prompter: interactive ? inquirerPrompter() : undefined });
  const options = toNewProjectOptions(answers);
  const plan = planNewProject(options, { directory: flags.dir, force: flags.force });

  if (flags.dryRun) return printDryRun(plan, flags.diff !== false);

  await writeChanges(plan.root, plan.changes);
  const shown = relative(process.cwd(), plan.root) || '.';
  process.stderr.write(`Created ${options.name} in ${shown} (${plan.changes.length} files)\n`);
  const pm = PACKAGE_MANAGERS[options.packageManager];
  if (options.install) {
    process.stderr.write(`Installing dependencies with ${options.packageManager}…\n`);
    const installed = await installDependencies(plan.root, options.packageManager);
    if (!installed.ok) throw new ScaffoldError('command-failed', `${pm.install} failed (${installed.detail}); the files are written, run it again in ${shown}`);
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
  const steps = [shown === '.' ? undefined : `cd ${shown}`, options.install ? undefined : pm.install, `${pm.run} test`, options.transport === 'stdio' ? `${pm.run} start:stdio` : `${pm.run} start`];
  process.stdout.write(`\nNext:\n${steps.filter(Boolean).map((step) => `  ${step}\n`).join('')}`);
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
