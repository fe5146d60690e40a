import { ANALYSIS_VOCABULARY } from './vocabulary.js';

/**
 * The cheap text test run before parsing: a file without any MCP or session vocabulary is never parsed,
 * unless a file that passes imports it (then it is parsed as part of that file's project).
 */
export function mayNeedAnalysis(text: string): boolean {
  return ANALYSIS_VOCABULARY.test(text);
}
