import { VERIFY_CHECKS } from '../checks.js';
import type { VerifyReport } from '../types.js';

/**
 * JUnit XML for CI dashboards: one test suite per check, one test case per subject. Errors are failures;
 * warnings are failures too only with `warningsFail`, otherwise they pass with the message in system-out.
 */
export function toVerifyJunit(report: VerifyReport, options: { warningsFail?: boolean } = {}): string {
  const byCheck = new Map<string, VerifyReport['outcomes']>();
  for (const outcome of report.outcomes) byCheck.set(outcome.check, [...(byCheck.get(outcome.check) ?? []), outcome]);
  const failed = (o: VerifyReport['outcomes'][number]) => o.status === 'fail' && (o.level === 'error' || options.warningsFail === true);
  const suites = [...byCheck].map(([check, outcomes]) => {
    const meta = VERIFY_CHECKS[check as keyof typeof VERIFY_CHECKS];
    const cases = outcomes.map((o) => {
      const name = `${meta.title}: ${o.subject}`;
      const body =
        failed(o)
          ? `<failure message="${xml(o.message ?? '')}" type="${xml(meta.rule ?? check)}">${xml(o.message ?? '')}</failure>`
          : o.status === 'skip'
            ? `<skipped message="${xml(o.message ?? '')}"/>`
            : o.status === 'fail'
              ? `<system-out>${xml(`warning: ${o.message ?? ''}`)}</system-out>`
              : '';
      return `    <testcase classname="verify.${xml(check)}" name="${xml(name)}">${body}</testcase>`;
    });
    const failures = outcomes.filter(failed).length;
    const skipped = outcomes.filter((o) => o.status === 'skip').length;
    return `  <testsuite name="${xml(check)}" tests="${outcomes.length}" failures="${failures}" errors="0" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = report.outcomes.length;
  const totalFailures = report.outcomes.filter(failed).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mcp-sessionless verify ${xml(report.target)}" tests="${total}" failures="${totalFailures}" time="${(report.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}
