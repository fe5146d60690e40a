/** Stable exit codes, documented in README.md. */
export const EXIT = {
  ok: 0,
  /** A run could not start, or some file failed (the rest of the run still completed). */
  error: 1,
  /** --check: findings remain / changes are pending. */
  pending: 2,
  /** Ctrl-C at a prompt (128 + SIGINT, as shells report it). */
  cancelled: 130,
} as const;
