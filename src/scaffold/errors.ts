/** Why a scaffold request was refused; the CLI prints the message and exits 1. */
export type ScaffoldErrorCode =
  | 'invalid-option'
  | 'missing-value'
  | 'target-not-empty'
  | 'not-a-project'
  | 'server-not-found'
  | 'ambiguous-server'
  | 'command-failed'
  | 'dirty-tree';

export class ScaffoldError extends Error {
  constructor(
    readonly code: ScaffoldErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScaffoldError';
  }
}
