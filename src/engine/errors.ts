/** Why a whole run could not start: the CLI maps these to a message and exit code 1. */
export type RunErrorCode = 'missing-path' | 'unknown-transform' | 'invalid-option' | 'dirty-tree' | 'not-a-directory' | 'not-a-repository' | 'git-failed';

export class RunError extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
    /** Extra lines the CLI may print under the message (e.g. the dirty files). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RunError';
  }
}
