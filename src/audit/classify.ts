import { CATEGORY_PRECEDENCE, type Classification, type Finding, type SurveyCategory } from './types.js';

/** The survey categories a set of findings puts a project in, heaviest first; `no-session-use` when there are none. */
export function classify(findings: readonly Finding[]): Classification {
  return fromCategories(findings.map((f) => f.category));
}

/** Combine categories (of findings, or of several projects' classifications) into one classification. */
export function fromCategories(categories: Iterable<SurveyCategory>): Classification {
  const present = new Set(categories);
  present.delete('no-session-use');
  const ordered = CATEGORY_PRECEDENCE.filter((c) => present.has(c));
  return ordered.length > 0 ? { primary: ordered[0] as SurveyCategory, categories: ordered } : { primary: 'no-session-use', categories: ['no-session-use'] };
}
