/**
 * State sites: the audit findings a migration is meant to remove, counted the same way before and after.
 * Lines move when code is rewritten, so a site is identified by rule, file and the state it names
 * (or, for findings without a named state, its kind and message), and counted as a multiset.
 */

/** Rules whose findings are application state or list/context dependence (not transport plumbing). */
export const STATE_RULES = ['SL003', 'SL004', 'SL005', 'SL006'];
/**
 * Findings about the session transport itself (the serving code: session maps, sessionIdGenerator, session
 * callbacks, header reads, initialize routing, session errors and routes, HTTP+SSE, a framework's sessions):
 * none left after the migration means the transport migrated. The kinds come from the library
 * (TRANSPORT_KINDS); an application's own read of the session id (SL001) is counted with the markers, not here.
 * @param {{kind?: string}[]} findings
 * @param {ReadonlySet<string>} transportKinds
 */
export function transportFindings(findings, transportKinds) {
  return findings.filter((finding) => finding.kind !== undefined && transportKinds.has(finding.kind)).length;
}

/** @param {{rule: string, file: string, state?: string, kind?: string, message: string}} finding */
export function siteKey(finding) {
  return finding.state !== undefined
    ? `${finding.rule}|${finding.file}|state:${finding.state}`
    : `${finding.rule}|${finding.file}|${finding.kind ?? ''}:${finding.message}`;
}

/** Multiset of state-site keys. */
export function stateSites(findings) {
  const sites = new Map();
  for (const finding of findings) {
    if (!STATE_RULES.includes(finding.rule)) continue;
    const key = siteKey(finding);
    sites.set(key, (sites.get(key) ?? 0) + 1);
  }
  return sites;
}

/**
 * Sites found before that the migration removed without leaving a marker behind for them.
 * A site that vanished from the audit but has a marker of its rule in its file naming its state (beyond the
 * markers the remaining sites account for) was declined, not migrated.
 * @param {Map<string, number>} before
 * @param {Map<string, number>} after
 * @param {{rule: string, file: string, text: string}[]} markers markers in the migrated tree
 */
export function migratedSites(before, after, markers) {
  let migrated = 0;
  for (const [key, count] of before) {
    const left = after.get(key) ?? 0;
    const gone = Math.max(0, count - left);
    if (gone === 0) continue;
    const [rule, file, what] = key.split('|');
    const state = what.startsWith('state:') ? what.slice('state:'.length) : undefined;
    const matching = markers.filter((m) => m.rule === rule && m.file === file && (state === undefined || mentions(m.text, state))).length;
    // A site with no state name can only be matched by rule and file: the markers every remaining site of that rule
    // in the file accounts for are not this site's.
    const accounted = state === undefined ? leftIn(after, rule, file) : left;
    const markedGone = Math.min(gone, Math.max(0, matching - accounted));
    migrated += gone - markedGone;
  }
  return migrated;
}

/** Sites of one rule left in one file. */
function leftIn(after, rule, file) {
  let sum = 0;
  for (const [key, count] of after) {
    const [r, f] = key.split('|');
    if (r === rule && f === file) sum += count;
  }
  return sum;
}

function mentions(text, state) {
  // `this.cells` is named `cells` in many messages; match the last segment as a word.
  const name = state.split('.').pop() ?? state;
  return new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text);
}

export function total(sites) {
  let sum = 0;
  for (const count of sites.values()) sum += count;
  return sum;
}

export function countByRule(findings) {
  const byRule = {};
  for (const finding of findings) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
  return byRule;
}
