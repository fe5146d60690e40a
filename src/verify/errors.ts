/** verify could not run (server did not start, refused to connect, bad recording): the CLI exits 1. */
export class VerifyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifyError';
  }
}

/** The message of anything thrown, for reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
