import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { unifiedDiff } from '../../engine/diff.js';
import { addHandleQuestions } from '../../scaffold/add-options.js';
import { ScaffoldError } from '../../scaffold/errors.js';
import { familyTools } from '../../scaffold/family.js';
import { kindError } from '../../scaffold/names.js';
import type { StoreChoice } from '../../scaffold/new-options.js';
import { inquirerPrompter } from '../../scaffold/prompter.js';
import { flagProperty, helpText, type Answers } from '../../scaffold/questions.js';
import { resolveAnswers } from '../../scaffold/resolve.js';
import { writeChanges } from '../../scaffold/writer.js';
import { EXIT } from '../exit-codes.js';
import { colorDiff, colorsFor } from '../output.js';

interface AddHandleFlags extends Record<string, unknown> {
  dir: string;
  server?: string;
  write?: boolean;
  allowDirty?: boolean;
  yes?: boolean;
  diff?: boolean;
  format?: boolean;
}

/** `add handle <kind>`: a dry run that prints diffs unless --write, like migrate. */
export function registerAddCommand(program: Command): void {
  const add = program.command('add').description('add building blocks to an existing v2 server');
  const handle = add
    .command('handle')
    .description('add a handle family: create_<kind> → <kind>_id, add_<item>, list_<items>, destroy_<kind> (dry run unless --write)')
    .argument('<kind>', 'snake_case handle kind, e.g. notebook or shopping_cart');
  // The questions are the same for every kind; only their wording mentions it.
  for (const question of addHandleQuestions('<kind>')) handle.addOption(new Option(question.flag, helpText(question)));
  handle
    .option('--dir <path>', 'project root (holds package.json)', '.')
    .option('--server <file>', 'project-relative file that constructs the McpServer (default: found automatically)')
    .option('--write', 'apply the changes (default: dry run that prints diffs)')
    .option('--allow-dirty', 'with --write, run even when the git work tree has uncommitted changes')
    .option('-y, --yes', 'use the default for every value not given as a flag; never prompt')
    .option('--no-diff', 'print only the summary, not the diffs')
    .option('--no-format', "do not run the project's Prettier/Biome over the written files")
    .action(async (kind: string, flags: AddHandleFlags) => {
      try {
        await runAddHandle(kind, flags);
      } catch (error) {
        if (!(error instanceof ScaffoldError)) throw error;
        process.stderr.write(`${colorsFor(process.stderr).red('error')}: ${error.message}\n`);
        process.exitCode = EXIT.error;
      }
    });
}

/** Like migrate: never mix generated edits with uncommitted ones, and fail closed when git cannot tell. */
async function refuseDirtyTree(root: string): Promise<void> {
  const { workTreeState } = await import('../../engine/git.js');
  const state = await workTreeState(root);
  if (state.kind === 'dirty') {
    const shown = state.files.slice(0, 10).join(', ');
    throw new ScaffoldError('dirty-tree', `the git work tree has uncommitted changes (${shown}); commit or stash them, or pass --allow-dirty`);
  }
  if (state.kind === 'unknown') throw new ScaffoldError('dirty-tree', `cannot tell whether the git work tree is clean (${state.reason}); fix git, or pass --allow-dirty to write anyway`);
}

async function runAddHandle(kind: string, flags: AddHandleFlags): Promise<void> {
  const invalid = kindError(kind);
  if (invalid) throw new ScaffoldError('invalid-option', invalid);
  // Loaded on use: it brings ts-morph and TypeScript, which `new`, --help and --version never need.
  const { findHandleStore, planAddHandle } = await import('../../scaffold/add-handle.js');
  const root = resolve(flags.dir);
  const questions = addHandleQuestions(kind, (await findHandleStore(root)) !== undefined);
  const given: Answers = {};
  for (const question of questions) {
    const value = flags[flagProperty(question)];
    if (typeof value === 'string') given[question.key] = value;
  }
  const interactive = !flags.yes && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const answers = await resolveAnswers(questions, given, { interactive, prompter: interactive ? inquirerPrompter() : undefined });
  const plan = await planAddHandle({
    root,
    family: { kind, item: String(answers.item) },
    server: flags.server,
    store: answers.store as StoreChoice | undefined,
    format: flags.format,
  });

  const c = colorsFor(process.stdout);
  if (flags.diff !== false && !flags.write) {
    for (const change of plan.changes) process.stdout.write(colorDiff(unifiedDiff(change.path, change.before, change.after), c));
  }
  for (const note of plan.notes) process.stderr.write(`note: ${note}\n`);
  if (plan.changes.length === 0) {
    process.stderr.write(`The ${kind} handle family is already in place (${plan.server}); nothing to change.\n`);
    return;
  }
  const summary = `${familyTools(plan.family).join(', ')} registered in ${plan.server}`;
  if (!flags.write) {
    process.stderr.write(`\nDry run: ${plan.changes.length} files would change (${summary}). Run again with --write to apply.\n`);
    return;
  }
  if (!flags.allowDirty) await refuseDirtyTree(plan.root);
  await writeChanges(plan.root, plan.changes);
  process.stderr.write(`Wrote ${plan.changes.length} files: ${plan.changes.map((change) => change.path).join(', ')}\n`);
  process.stderr.write(`${summary}.${plan.generated ? ' Run the tests to check it.' : ''}\n`);
}

