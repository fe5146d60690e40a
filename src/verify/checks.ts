import type { RuleId } from '../rules/rules.js';

/**
 * Every check `verify` runs against a live server, as data: the id used in reports, the SEP-2567 rule it
 * proves, how bad a failure is, and a title for JUnit test cases. Levels follow the rules: MUST-level rules
 * fail as errors, SHOULD-level ones as warnings.
 */
export const VERIFY_CHECKS = {
  'session-id': { rule: 'SL001', level: 'error', title: 'no Mcp-Session-Id is issued' },
  'get-delete-405': { rule: 'SL002', level: 'warning', title: 'GET and DELETE on the endpoint answer 405' },
  'lists-across-connections': { rule: 'SL004', level: 'error', title: 'lists are identical across fresh connections' },
  'lists-after-calls': { rule: 'SL004', level: 'error', title: 'lists are identical before and after every call' },
  'lists-cache-scope': { rule: 'SL010', level: 'error', title: 'lists that differ by principal carry cacheScope "private"' },
  'implicit-state': { rule: 'SL006', level: 'error', title: 'state created in one conversation is not visible implicitly in another' },
  'handle-entropy': { rule: 'SL007', level: 'error', title: 'handles are random, opaque and at least 128 bits' },
  'handle-other-connection': { rule: 'SL003', level: 'error', title: 'a handle works from a second connection' },
  'handle-replica': { rule: 'SL003', level: 'error', title: 'a handle works on a second replica' },
  'handle-principal': { rule: 'SL008', level: 'error', title: "another principal's handle is refused exactly like an unknown id" },
  'handle-unknown': { rule: 'SL009', level: 'error', title: 'an unknown handle gives a tool error naming the creator tool' },
  'tool-call': { rule: undefined, level: 'warning', title: 'tools verify calls answer without a protocol error' },
  'replay': { rule: undefined, level: 'error', title: 'the replayed conversation answers as recorded' },
} as const satisfies Record<string, { rule: RuleId | undefined; level: 'error' | 'warning'; title: string }>;

export type VerifyCheckId = keyof typeof VERIFY_CHECKS;
