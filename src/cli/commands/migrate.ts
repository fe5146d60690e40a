import { realpathSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { Transform } from '../../engine/transform.js';
import type { MigrateProgress, MigrateResult } from '../../engine/migrate.js';
import type { MigrateOptions } from '../../migrate.js';
import { relative } from 'node:path';
import { patchOf, unifiedDiff } from '../../engine/diff.js';
import { gitTopLevel } from '../../engine/git.js';
import { toMigrateJson, summarize } from '../../report/migrate/json.js';
import { toMigrateMarkdown } from '../../report/migrate/markdown.js';
import { typecheckSummary } from '../../report/migrate/typecheck.js';
import type { FileChange } from '../../engine/vfs.js';
import { packageVersion } from '../../version.js';
import { colorDiff, colorsFor, formatDiagnostic, MARKER_GREP, progressLine } from '../output.js';
import { parseList, parseSetting } from '../options.js';
import { EXIT } from '../exit-codes.js';
import type { CommitRunResult } from '../../review/commits.js';
import { assertWritableOutput, writeOutput } from '../output-files.js';

interface MigrateFlags {
  write?: boolean;
  allowDirty?: boolean;
  check?: boolean;
  list?: boolean;
  transforms?: string[];
  set?: Record<string, Record<string, string | boolean>>;
  /** The report format; `--no-format` (the older spelling of --no-formatter) sets it to false. */
  format?: string | false;
  /** Alias of --format, kept for scripts written before audit and migrate agreed on --format. */
  report?: string;
  output?: string;
  patch?: string;
  include?: string[];
  exclude?: string[];
  includeTests?: boolean;
  formatter?: boolean;
  workers?: string;
  diff?: boolean;
  diffNewFiles?: boolean;
  commit?: boolean;
  interactive?: boolean;
  /** `--no-typecheck` sets it to false. */
  typecheck?: boolean;
  forceWrite?: boolean;
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('rewrite session-dependent server code into sessionless code (dry run unless --write)')
    .argument('[path]', 'project folder or file', '.')
    .option('--write', 'apply the changes to disk (default: dry run that prints diffs)')
    .option('--allow-dirty', 'with --write, run even when the git work tree has uncommitted changes')
    .option('--check', 'dry run that exits 2 when changes are pending (for CI)')
    .option('--list', 'list the available transforms and exit')
    .option('--transforms <ids>', 'comma-separated transform ids to run (default: all, in registry order)', parseList)
    .option('--set <transform.option=value>', 'set a transform option (repeatable)', parseSetting)
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(' | ')} (text: diffs and a summary)`)
    .addOption(new Option('--report <format>', 'alias of --format').hideHelp())
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--patch <file>', 'also write all changes as one unified diff (git apply-able)')
    .option('--include <glob>', 'only files matching this glob (repeatable)', parseList)
    .option('--exclude <glob>', 'skip files matching this glob (repeatable)', parseList)
    .option('--include-tests', 'also migrate tests, fixtures and MCP client code (left alone by default)')
    .option('--no-formatter', "do not run the project's Prettier/Biome over changed files")
    .addOption(new Option('--no-format', 'alias of --no-formatter').hideHelp())
    .option('--no-diff', 'print only the summary, not the diffs')
    .option('--diff-new-files', 'also print the full diff of generated files (the handle-store module); default: one line each')
    .option('--workers <n>', 'worker threads for large trees (default: auto)')
    .option('--commit', 'with --write, make one git commit per transform that changed something')
    .option('-i, --interactive', 'review the changes hunk by hunk on a terminal and write what you accept')
    .option('--no-typecheck', "do not type-check the changed project before writing (the gate is on by default when the project's dependencies are installed)")
    .option('--force-write', 'with --write (or --patch), also write the files whose changes introduce type errors (still reported)')
    .action(async (path: string, flags: MigrateFlags) => {
      // The engine (ts-morph, TypeScript) loads only when a command needs it, so --help stays instant.
      if (flags.list) return listTransforms((await import('../../../transforms/index.js')).TRANSFORMS);
      const given = typeof flags.format === 'string' ? { flag: '--format', value: flags.format } : flags.report ? { flag: '--report', value: flags.report } : undefined;
      if (given && !REPORT_FORMATS.includes(given.value as ReportFormat)) {
        throw new UsageError(`${given.flag} must be one of ${REPORT_FORMATS.join(', ')}; got "${given.value}"`);
      }
      const report = given && given.value !== 'text' ? (given.value as Exclude<ReportFormat, 'text'>) : undefined;
      if (flags.write && flags.check) throw new UsageError('--check is a dry run; it cannot be combined with --write');
      const workers = flags.workers === undefined || flags.workers === 'auto' ? 'auto' : Number(flags.workers);
      if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 1)) throw new UsageError(`--workers must be a positive integer or auto; got "${flags.workers}"`);

      checkWorkflowFlags(flags);
      // Output files are checked before any source is touched: a bad --patch path must not follow a --write.
      if (flags.patch) assertWritableOutput('--patch', flags.patch);
      if (flags.output) assertWritableOutput('--output', flags.output);
      // Output files are checked before any source is touched: a bad --patch path must not follow a --write.
      if (flags.patch) assertWritableOutput('--patch', flags.patch);
      if (flags.output) assertWritableOutput('--output', flags.output);

      const progress = progressLine(process.stderr);
      const runOptions: MigrateOptions = {
        path,
        include: flags.include,
        exclude: flags.exclude,
        includeTests: flags.includeTests,
        transforms: flags.transforms,
        transformOptions: flags.set,
        write: flags.write,
        allowDirty: flags.allowDirty,
        format: flags.formatter !== false && flags.format !== false,
        workers,
        typecheck: flags.typecheck !== false,
        forceWrite: flags.forceWrite === true,
        onProgress: (p: MigrateProgress) => progress.update(`${p.phase} ${p.done}/${p.total}`),
      };
      if (flags.commit) {
        const { migrateWithCommits } = await import('../../review/commits.js');
        const result = await migrateWithCommits(runOptions);
        progress.done();
        printHuman(result, { ...flags, diff: false });
        printCommits(result);
        process.exitCode = exitCodeOf(result, flags);
        return;
      }
      if (flags.interactive) {
        const { reviewInteractively, isCancelledPrompt } = await import('../review.js');
        const outcome = await reviewInteractively(runOptions, progress).catch((error: unknown) => {
          if (!isCancelledPrompt(error)) throw error;
          return undefined;
        });
        if (!outcome) {
          process.stderr.write('\nreview cancelled; nothing was written\n');
          process.exitCode = EXIT.cancelled;
          return;
        }
        if (flags.patch) await writeOutput('--patch', flags.patch, patchOf(patchChanges(outcome.result, flags)));
        process.exitCode = exitCodeOf(outcome.result, flags);
        return;
      }
      const { migrate } = await import('../../migrate.js');
      const result = await migrate(runOptions);
      progress.done();

      // git apply reads paths from the top of the work tree (from the current folder outside a repository).
      if (flags.patch) {
        const base = realpathSync((await gitTopLevel(process.cwd())) ?? process.cwd());
        await writeOutput('--patch', flags.patch, patchOf(patchChanges(result, flags), relative(base, realpathSync(result.root))));
      }
      if (report) await emitReport(result, report, flags.output);
      else printHuman(result, flags);
      process.exitCode = exitCodeOf(result, flags);
    });
}

export class UsageError extends Error {}

/** A patch holds what a write would write: groups the type-check gate holds back stay out unless forced. */
function patchChanges(result: MigrateResult, flags: MigrateFlags): FileChange[] {
  if (flags.forceWrite) return result.changes;
  const held = new Set(result.typecheck.blocked.flatMap((group) => group.files));
  return result.changes.filter((change) => !held.has(change.path));
}

/** --commit and --interactive are ways of writing: they exclude the dry-run outputs and each other. */
function checkWorkflowFlags(flags: MigrateFlags): void {
  if (flags.forceWrite && !flags.write && !flags.patch) throw new UsageError('--force-write overrides the type-check gate of a write: pass it with --write or --patch');
  if (flags.forceWrite && flags.typecheck === false) throw new UsageError('--force-write overrides the type-check gate, which --no-typecheck turns off: pass one of them');
  if (flags.commit && !flags.write) throw new UsageError('--commit applies the changes: pass it with --write');
  if (flags.commit && flags.allowDirty) throw new UsageError('--commit needs a clean work tree, so the commits hold only the migration; it cannot be combined with --allow-dirty');
  if (flags.interactive && flags.commit) throw new UsageError('--interactive and --commit cannot be combined');
  for (const [given, name] of [
    [flags.check, '--check'],
    [flags.report ?? (typeof flags.format === 'string' ? flags.format : undefined), '--format'],
  ] as const) {
    if (given && (flags.commit || flags.interactive)) throw new UsageError(`${name} cannot be combined with ${flags.commit ? '--commit' : '--interactive'}`);
  }
  if (flags.interactive && !(process.stdin.isTTY && process.stdout.isTTY)) {
    throw new UsageError('--interactive needs a terminal (stdin and stdout); without one, review the dry-run diffs and apply them with --write');
  }
}

function printCommits(result: CommitRunResult): void {
  const lines = result.commits.map((c) => `${c.sha.slice(0, 9)}  ${c.message.split('\n')[0]}  (${c.files.length} file(s))`);
  process.stderr.write(`${result.commits.length} commit(s)${lines.length ? `:\n${lines.map((l) => `  ${l}`).join('\n')}` : ''}\n`);
}

const REPORT_FORMATS = ['text', 'json', 'markdown'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

function exitCodeOf(result: MigrateResult, flags: MigrateFlags): number {
  if (result.diagnostics.some((d) => d.level === 'error')) return EXIT.error;
  if (flags.check && result.changes.length > 0) return EXIT.pending;
  return EXIT.ok;
}

async function emitReport(result: MigrateResult, format: 'json' | 'markdown', output: string | undefined) {
  const text = format === 'json' ? `${JSON.stringify(toMigrateJson(result, packageVersion()), null, 2)}\n` : toMigrateMarkdown(result);
  if (output) await writeOutput('--output', output, text);
  else process.stdout.write(text);
}

function printHuman(result: MigrateResult, flags: MigrateFlags) {
  const out = colorsFor(process.stdout);
  const err = colorsFor(process.stderr);
  if (flags.diff !== false) {
    // Edits of the user's code first; generated modules (hundreds of lines of handle store) after them, as one
    // line each unless asked for, so the diff that needs review is not buried.
    const generated = result.changes.filter((change) => change.transforms.length === 0);
    for (const change of result.changes.filter((c) => !generated.includes(c))) {
      process.stdout.write(`${colorDiff(unifiedDiff(change.path, change.before, change.after), out)}\n`);
    }
    for (const change of generated) {
      if (flags.diffNewFiles) process.stdout.write(`${colorDiff(unifiedDiff(change.path, change.before, change.after), out)}\n`);
      else process.stdout.write(`${out.dim(`${change.before === undefined ? 'new' : 'regenerated'} file ${change.path} (${lineCount(change.after)} lines, generated; --diff-new-files prints it)`)}\n`);
    }
  }
  for (const diagnostic of result.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic, err)}\n`);
  const summary = summarize(result);
  const counted = flags.write ? `${result.written.length} file(s) changed` : `${summary.changed} file(s) would change`;
  const lines = [
    counted +
      ` · ${result.stats.discovered} scanned · ${result.stats.parsed} parsed · ${result.stats.durationMs} ms` +
      (result.formatter ? ` · formatted with ${result.formatter}` : ''),
  ];
  const { tests, client } = result.stats.excluded;
  if (tests + client > 0) lines.push(err.dim(`left alone: ${[tests ? `${tests} test file(s)` : '', client ? `${client} MCP client file(s)` : ''].filter(Boolean).join(', ')} (--include-tests to migrate them)`));
  const gate = typecheckSummary(result.typecheck, { write: flags.write === true, forced: flags.forceWrite === true });
  if (gate) lines.push(result.typecheck.status === 'failed' && !flags.forceWrite ? err.red(gate) : result.typecheck.status === 'skipped' ? err.dim(gate) : gate);
  if (summary.errors > 0) lines.push(err.red(`${summary.errors} error(s): the files named above were left unchanged`));
  if (summary.todos > 0) lines.push(`${summary.todos} follow-up marker(s) left for review: ${MARKER_GREP}`);
  if (!flags.write && summary.changed > 0) lines.push(err.dim('dry run: nothing written; re-run with --write to apply'));
  process.stderr.write(`${lines.join('\n')}\n`);
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function listTransforms(TRANSFORMS: readonly Transform[]) {
  const c = colorsFor(process.stdout);
  for (const t of TRANSFORMS) {
    process.stdout.write(`${c.bold(t.id)}  ${c.dim(`[${t.rules.join(', ')}; ${t.patterns.join(', ')}]`)}\n  ${t.title}. ${t.description}\n`);
    for (const option of t.options ?? []) {
      process.stdout.write(`    --set ${t.id}.${option.name}=<${option.choices?.join('|') ?? 'value'}>  ${option.description} (default: ${String(option.default)})\n`);
    }
  }
  if (TRANSFORMS.length === 0) process.stdout.write('no transforms registered\n');
}
