import type { Node } from 'ts-morph';

/**
 * Where a statement's removal starts: its line, extended over the comments directly above it (own lines,
 * no blank line between), which describe it and go with it. The comments above a file's first statement
 * are the file's header (licence, purpose) and stay; so do comments set apart by a blank line.
 */
export function removalStart(text: string, statement: Node): number {
  const start = statement.getStart();
  let from = lineStart(text, start);
  if (text.slice(from, start).trim() !== '') return start;
  if (statement.getPos() === 0) return from;
  const comments = statement.getLeadingCommentRanges();
  for (let i = comments.length - 1; i >= 0; i--) {
    const comment = comments[i];
    if (!comment) break;
    const commentLine = lineStart(text, comment.getPos());
    if (text.slice(commentLine, comment.getPos()).trim() !== '' || /\n[ \t]*\n/.test(text.slice(comment.getEnd(), from))) break;
    from = commentLine;
  }
  return from;
}

/** Offset of the first character of the line holding `pos`. */
export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}
