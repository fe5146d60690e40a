import pc from 'picocolors';
import type { Diagnostic } from '../engine/diagnostics.js';
import { TODO_MARKER } from '../rules/rules.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colors only when the stream is a terminal and the user has not opted out (NO_COLOR / FORCE_COLOR=0). */
export function colorsFor(stream: NodeJS.WriteStream): Colors {
  const enabled = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.FORCE_COLOR !== '0';
  return pc.createColors(enabled);
}

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
