import type { SurveyCategory } from '../audit/types.js';

/** One row of the SEP-2567 survey table, and how a fleet summary names it. */
export interface SurveyRow {
  category: SurveyCategory;
  label: string;
  /** Share of the SEP's survey of 1,000 open-source servers; absent where the survey did not count it. */
  sepShare?: number;
}

/**
 * The survey's categories in the order the SEP lists them (most servers first). Process-lifetime state (stdio)
 * was not one of its categories: the SEP notes it comes on top, so it has no share of its own here.
 */
export const SURVEY_ROWS: readonly SurveyRow[] = [
  { category: 'no-session-use', label: 'No session use', sepShare: 0.9 },
  { category: 'routing-map-only', label: 'Routing map only', sepShare: 0.035 },
  { category: 'generator-set-unused', label: 'Generator set but unused', sepShare: 0.028 },
  { category: 'session-keyed-app-state', label: 'Session-keyed app state', sepShare: 0.025 },
  { category: 'gateway-sticky-routing', label: 'Gateway sticky routing', sepShare: 0.007 },
  { category: 'auth-bound-to-session', label: 'Auth bound to session', sepShare: 0.005 },
  { category: 'process-lifetime-state', label: 'Process-lifetime state (stdio)' },
];
