import type { SourceFile } from 'ts-morph';

/**
 * One level of indentation as the file writes it: a tab, or its smallest indentation in spaces (two spaces when
 * nothing is indented). The ` * ` lines that continue a block comment (a licence header) are no indentation step.
 */
export function indentUnit(file: SourceFile): string {
  let best: string | undefined;
  for (const line of file.getFullText().split('\n')) {
    if (/^[ \t]+\*/.test(line)) continue;
    const indent = /^([ \t]+)\S/.exec(line)?.[1];
    if (!indent) continue;
    if (indent.startsWith('\t')) return '\t';
    if (!best || indent.length < best.length) best = indent;
  }
  return best ?? '  ';
}
