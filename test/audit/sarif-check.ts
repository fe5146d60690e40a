/**
 * Structural checks for SARIF 2.1.0 as GitHub code scanning loads it: required fields, ruleId/ruleIndex
 * consistency, 1-based regions, relative artifact URIs. Returns every problem found (empty when valid).
 */
export function sarifProblems(log: unknown): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(log)) return ['log is not an object'];
  if (log.version !== '2.1.0') fail(`version is ${String(log.version)}`);
  if (typeof log.$schema !== 'string' || !log.$schema.includes('sarif')) fail('$schema missing');
  if (!Array.isArray(log.runs) || log.runs.length === 0) return [...problems, 'runs missing'];
  for (const [r, run] of log.runs.entries()) {
    if (!isObject(run)) {
      fail(`runs[${r}] not an object`);
      continue;
    }
    const driver = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : undefined;
    if (!driver || typeof driver.name !== 'string' || !driver.name) fail(`runs[${r}].tool.driver.name missing`);
    const rules = Array.isArray(driver?.rules) ? (driver.rules as unknown[]) : [];
    const ruleIds = rules.map((rule) => (isObject(rule) ? rule.id : undefined));
    if (new Set(ruleIds).size !== ruleIds.length) fail('duplicate rule ids');
    for (const [i, rule] of rules.entries()) {
      if (!isObject(rule) || typeof rule.id !== 'string') fail(`rule ${i} has no id`);
      else if (!isObject(rule.shortDescription) || typeof rule.shortDescription.text !== 'string') fail(`rule ${rule.id} has no shortDescription.text`);
    }
    const artifacts = Array.isArray(run.artifacts) ? run.artifacts : [];
    const checkUri = (uri: unknown, where: string) => {
      if (typeof uri !== 'string' || uri.length === 0) return fail(`${where}: uri missing`);
      if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.startsWith('\\')) fail(`${where}: uri ${uri} is not relative`);
      if (uri.includes('\\')) fail(`${where}: uri ${uri} uses backslashes`);
    };
    for (const [i, artifact] of artifacts.entries()) checkUri(isObject(artifact) && isObject(artifact.location) ? artifact.location.uri : undefined, `artifacts[${i}]`);
    if (!Array.isArray(run.results)) {
      fail(`runs[${r}].results missing`);
      continue;
    }
    for (const [i, result] of run.results.entries()) {
      const where = `results[${i}]`;
      if (!isObject(result)) {
        fail(`${where} not an object`);
        continue;
      }
      if (!isObject(result.message) || typeof result.message.text !== 'string' || !result.message.text) fail(`${where}: message.text missing`);
      if (typeof result.ruleId !== 'string' || !ruleIds.includes(result.ruleId)) fail(`${where}: ruleId ${String(result.ruleId)} not among the rules`);
      if (typeof result.ruleIndex !== 'number' || ruleIds[result.ruleIndex] !== result.ruleId) fail(`${where}: ruleIndex ${String(result.ruleIndex)} does not point at ${String(result.ruleId)}`);
      if (result.level !== undefined && !['none', 'note', 'warning', 'error'].includes(String(result.level))) fail(`${where}: bad level ${String(result.level)}`);
      const locations = Array.isArray(result.locations) ? result.locations : [];
      if (locations.length === 0) fail(`${where}: no locations`);
      for (const location of locations) {
        const physical = isObject(location) && isObject(location.physicalLocation) ? location.physicalLocation : undefined;
        const artifact = physical && isObject(physical.artifactLocation) ? physical.artifactLocation : undefined;
        checkUri(artifact?.uri, where);
        if (artifact && typeof artifact.index === 'number') {
          const indexed = artifacts[artifact.index];
          if (!isObject(indexed) || !isObject(indexed.location) || indexed.location.uri !== artifact.uri) fail(`${where}: artifact index ${artifact.index} does not match ${String(artifact.uri)}`);
        }
        const region = physical && isObject(physical.region) ? physical.region : undefined;
        if (!region || typeof region.startLine !== 'number' || region.startLine < 1) fail(`${where}: region.startLine must be >= 1`);
        if (region && region.startColumn !== undefined && (typeof region.startColumn !== 'number' || region.startColumn < 1)) fail(`${where}: region.startColumn must be >= 1`);
      }
    }
  }
  return problems;
}
