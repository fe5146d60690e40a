/**
 * `migrate --interactive`: the terminal side of a review. The engine runs as for `--write` (same dirty-tree
 * guard, same disk sink); between formatting and writing it hands the pending changes here, and only what the
 * reviewer accepts is written.
 */
import { confirm, expand } from '@inquirer/prompts';
import { TRANSFORMS } from '../../transforms/index.js';
import type { MigrateResult, PendingChanges } from '../engine/migrate.js';
import { migrate, type MigrateOptions } from '../migrate.js';
import type { FileChange } from '../engine/vfs.js';
import { acceptedChanges } from '../review/accept.js';
import { planReview, type ReviewFile, type ReviewHunk, type ReviewUnit } from '../review/plan.js';
import { summarize } from '../report/migrate/json.js';
import { typecheckSummary } from '../report/migrate/typecheck.js';
import { colorDiff, colorsFor, formatDiagnostic, MARKER_GREP, type Colors } from './output.js';

/** The answers to a hunk, as data: the key, what it does, and the words the prompt shows. */
const HUNK_CHOICES = [
  { key: 'y', value: 'accept', name: 'accept this hunk' },
  { key: 'n', value: 'skip', name: 'skip this hunk' },
  { key: 'a', value: 'accept-rest', name: 'accept this hunk and the rest of this file' },
  { key: 'd', value: 'skip-rest', name: 'skip this hunk and the rest of this file' },
  { key: 'q', value: 'quit', name: 'quit: skip this and everything after it (what you accepted is still written)' },
] as const;
const UNIT_CHOICES = [
  { key: 'y', value: 'accept', name: 'accept all of these files' },
  { key: 'n', value: 'skip', name: 'skip all of these files' },
  { key: 'q', value: 'quit', name: 'quit: skip these and everything after them' },
] as const;
const WHOLE_CHOICES = [
  { key: 'y', value: 'accept', name: 'accept the whole file' },
  { key: 'n', value: 'skip', name: 'skip the file' },
] as const;

/** Hunks offered (all of them, once the review starts) and accepted. */
interface Tally {
  total: number;
  accepted: number;
}

type HunkAnswer = (typeof HUNK_CHOICES)[number]['value'];

export interface ReviewOutcome {
  result: MigrateResult;
  hunks: Tally;
}

export async function reviewInteractively(options: MigrateOptions, progress: { done(): void }): Promise<ReviewOutcome> {
  const out = colorsFor(process.stdout);
  const tally: Tally = { total: 0, accepted: 0 };
  const result = await migrate({
    ...options,
    write: true,
    recordSteps: true,
    selectChanges: async (pending) => {
      progress.done();
      return review(pending, out, tally);
    },
  });
  progress.done();
  printOutcome(result, tally);
  return { result, hunks: tally };
}

async function review(pending: PendingChanges, c: Colors, tally: Tally): Promise<FileChange[]> {
  const units = planReview(pending, TRANSFORMS);
  const total = units.reduce((n, u) => n + u.files.reduce((m, f) => m + f.hunks.length, 0), 0);
  tally.total = total;
  if (total === 0) {
    write(`${c.dim('No changes to review: migrate finds nothing to rewrite here.')}\n`);
    return [];
  }
  write(`${c.bold(`${pending.changes.length} file(s), ${total} hunk(s) to review.`)} ${c.dim('Keys: y accept, n skip, a accept the rest of the file, d skip the rest of the file, q quit.')}\n`);
  const decisions = new Map<string, Set<number>>();
  let quit = false;
  for (const unit of units) {
    if (quit) break;
    if (unit.together.length > 0) {
      quit = (await reviewUnit(unit, c, decisions, tally)) === 'quit';
      continue;
    }
    const [file] = unit.files;
    if (file) quit = (await reviewFile(file, c, decisions, tally)) === 'quit';
  }

  const files = units.flatMap((u) => u.files);
  const accepted = acceptedChanges(files, decisions);
  for (const { file, reason } of accepted.wholeOnly) {
    write(`\n${c.yellow(`${file.change.path}: ${reason}.`)} This file can only be taken whole.\n`);
    const answer = await expand({ message: `Accept all of ${file.change.path}?`, choices: WHOLE_CHOICES, default: 'n' });
    if (answer === 'accept') accepted.changes.push(file.change);
  }
  accepted.changes.sort((a, b) => a.path.localeCompare(b.path));
  if (accepted.changes.length === 0) {
    write(`${c.dim('Nothing accepted; nothing written.')}\n`);
    return [];
  }
  const go = await confirm({ message: `Write ${accepted.changes.length} file(s) (${tally.accepted} of ${total} hunk(s) accepted)?`, default: true });
  return go ? accepted.changes : [];
}

/** Files that must change together: show every hunk, then one question for all of them. */
async function reviewUnit(unit: ReviewUnit, c: Colors, decisions: Map<string, Set<number>>, tally: Tally): Promise<'quit' | 'next'> {
  const paths = unit.files.map((f) => f.change.path);
  write(`\n${c.bold(c.underline(`${paths.length} files that must change together: ${paths.join(', ')}`))}\n`);
  for (const file of unit.files) {
    for (const hunk of file.hunks) {
      showHunk(file, hunk, c);
    }
  }
  write(`${c.yellow('These files are accepted or skipped as one group:')}\n${unit.together.map((why) => `  - ${why}\n`).join('')}`);
  const answer = await expand({ message: `Accept this group of ${paths.length} files?`, choices: UNIT_CHOICES, default: 'y' });
  if (answer === 'accept') {
    for (const file of unit.files) {
      decisions.set(file.change.path, new Set(file.hunks.map((_, i) => i)));
      tally.accepted += file.hunks.length;
    }
  }
  return answer === 'quit' ? 'quit' : 'next';
}

async function reviewFile(file: ReviewFile, c: Colors, decisions: Map<string, Set<number>>, tally: Tally): Promise<'quit' | 'next'> {
  const accepted = new Set<number>();
  decisions.set(file.change.path, accepted);
  let rest: 'accept' | 'skip' | undefined;
  let quit = false;
  for (const [index, hunk] of file.hunks.entries()) {
    if (rest) {
      if (rest === 'accept') accepted.add(index);
      continue;
    }
    showHunk(file, hunk, c);
    const answer: HunkAnswer = await expand({ message: `Accept this hunk (${index + 1}/${file.hunks.length} of ${file.change.path})?`, choices: HUNK_CHOICES, default: 'y' });
    if (answer === 'quit') {
      quit = true;
      break;
    }
    if (answer === 'accept' || answer === 'accept-rest') accepted.add(index);
    if (answer === 'accept-rest') rest = 'accept';
    if (answer === 'skip-rest') rest = 'skip';
  }
  tally.accepted += accepted.size;
  return quit ? 'quit' : 'next';
}

function showHunk(file: ReviewFile, hunk: ReviewHunk, c: Colors): void {
  const isNew = file.change.before === undefined;
  const title = `${file.change.path}${isNew ? ' (new file)' : ''}`;
  // A new file is one long hunk; its first lines say what it is, the rest is in the dry run's diff.
  const body = isNew ? [...hunk.lines.slice(0, 12), ...(hunk.lines.length > 12 ? [c.dim(`… ${hunk.lines.length - 12} more line(s)`)] : [])] : hunk.lines;
  write(`\n${c.bold(title)}\n${colorDiff([hunk.header, ...body].join('\n'), c)}\n`);
  write(`${c.dim('transform:')} ${hunk.transforms.join(', ')}  ${c.dim('rules:')} ${hunk.rules.join(', ') || '—'}\n`);
  for (const reason of hunk.reasons) write(`${c.dim('why:')} ${reason}\n`);
}

function printOutcome(result: MigrateResult, tally: Tally): void {
  const err = colorsFor(process.stderr);
  const shown = result.diagnostics.filter((d) => d.level === 'error' || d.rule === 'type-error');
  for (const diagnostic of shown) process.stderr.write(`${formatDiagnostic(diagnostic, err)}\n`);
  const summary = summarize(result);
  const markers = result.changes.reduce((n, change) => n + (change.after.match(/@mcp-sessionless-todo\(/g)?.length ?? 0) - (change.before?.match(/@mcp-sessionless-todo\(/g)?.length ?? 0), 0);
  const lines = [`${result.written.length} file(s) written · ${tally.accepted} of ${tally.total} hunk(s) accepted`];
  const forced = result.typecheck.blocked.some((group) => group.files.some((file) => result.written.includes(file)));
  const gate = typecheckSummary(result.typecheck, { write: true, forced });
  if (gate) lines.push(result.typecheck.status === 'failed' && !forced ? err.red(gate) : gate);
  if (summary.errors > 0) lines.push(err.red(`${summary.errors} error(s): the files named above were left unchanged`));
  if (markers > 0) lines.push(`${markers} follow-up marker(s) written for review: ${MARKER_GREP}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

function write(text: string): void {
  process.stdout.write(text);
}

/** Ctrl-C (or a closed terminal) during a question: inquirer rejects with an ExitPromptError. */
export function isCancelledPrompt(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExitPromptError';
}
