import pc from 'picocolors';
import type { Diagnostic } from '../engine/diagnostics.js';
import { TODO_MARKER } from '../rules/rules.js';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colors on a terminal, unless the user opted out: NO_COLOR (any non-empty value) turns them off, FORCE_COLOR
 * (any value but 0/false) turns them on even through a pipe (CI logs, `| less -R`). NO_COLOR wins.
 */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Colors {
  const forced = env.FORCE_COLOR;
  const enabled = env.NO_COLOR ? false : forced !== undefined ? !['0', 'false'].includes(forced) : Boolean(stream.isTTY);
  return pc.createColors(enabled);
}

/** For text written to a file: never colored, whatever FORCE_COLOR says. */
export const NO_COLORS: Colors = pc.createColors(false);

export function colorDiff(diff: string, c: Colors): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff --git')) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}

export function formatDiagnostic(d: Diagnostic, c: Colors): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const level = d.level === 'error' ? c.red('error') : d.level === 'warning' ? c.yellow('warning') : c.dim('info');
  return `${where}  ${level}  ${c.dim(d.rule)}  ${d.message}`;
}

/** The command a reviewer runs to find every follow-up marker left in the code. */
export const MARKER_GREP = `git grep -n "${TODO_MARKER}"`;

/** A single self-overwriting progress line on stderr, only when stderr is a terminal. */
export function progressLine(stream: NodeJS.WriteStream): { update(text: string): void; done(): void } {
  let shown = false;
  return {
    update(text) {
      if (!stream.isTTY) return;
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/**
 * `mcp-sessionless migrate | head`: once the reader has gone, writing more fails with EPIPE. Stop quietly then,
 * as Unix tools do, instead of crashing with a stack trace. Everything on disk was done before printing began.
 */
function exitWhenReaderLeaves(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
}

export function exitQuietlyOnClosedPipe(...streams: NodeJS.WriteStream[]): void {
  for (const stream of streams) if (!stream.listeners('error').includes(exitWhenReaderLeaves)) stream.on('error', exitWhenReaderLeaves);
}
