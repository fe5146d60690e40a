import { VERIFY_CHECKS, type VerifyCheckId } from './checks.js';
import type { CheckOutcome } from './types.js';

/** Collects check outcomes; a check's level comes from the table unless one outcome says otherwise. */
export class Outcomes {
  readonly list: CheckOutcome[] = [];

  pass(check: VerifyCheckId, subject: string): void {
    this.list.push({ check, subject, status: 'pass', level: VERIFY_CHECKS[check].level });
  }

  fail(check: VerifyCheckId, subject: string, message: string, level: 'error' | 'warning' = VERIFY_CHECKS[check].level): void {
    this.list.push({ check, subject, status: 'fail', message, level });
  }

  skip(check: VerifyCheckId, subject: string, message: string): void {
    this.list.push({ check, subject, status: 'skip', message, level: VERIFY_CHECKS[check].level });
  }

  /** Pass when `problem` is undefined, fail with it otherwise. */
  expect(check: VerifyCheckId, subject: string, problem: string | undefined, level?: 'error' | 'warning'): void {
    if (problem === undefined) this.pass(check, subject);
    else this.fail(check, subject, problem, level);
  }
}
