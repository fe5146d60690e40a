/** The batch's rows and totals as a markdown table, plus the grouped reasons migrate declined. */

export const COLUMNS = [
  ['server', (r) => r.name],
  ['state sites', (r) => r.stateSites],
  ['migrated', (r) => r.migrated],
  ['left', (r) => r.stateSitesLeft],
  ['markers', (r) => r.markers],
  ['tsc before', (r) => tscCell(r, 'before')],
  ['tsc after', (r) => tscCell(r, 'after')],
  ['introduced', (r) => tscCell(r, 'introduced')],
  ['idempotent', (r) => (r.idempotent ? 'yes' : 'no')],
  ['transport migrated', (r) => (r.transport === 'none' ? 'n/a (none)' : r.transport)],
  ['verify', (r) => liveCell(r.verify)],
  ['replay', (r) => liveCell(r.replay ?? { status: 'n/a' })],
];

/** A live check's cell: n/a, or its status with why (a replay's pass says how many steps matched). */
function liveCell(check) {
  if (check.status === 'n/a' || (check.status === 'pass' && !check.reason?.includes('steps'))) return check.status;
  return `${check.status} (${oneLine(check.reason ?? '')})`;
}

function tscCell(row, which) {
  if (row.tsc.error) return `n/a (${row.tsc.error})`;
  const figure = which === 'introduced' ? row.tsc.introduced.length : row.tsc[which];
  return row.tsc.modules === 'harness' ? `${figure}†` : figure;
}

export function totals(rows) {
  const done = rows.filter((r) => r.ok);
  const sum = (pick) => done.reduce((acc, r) => acc + pick(r), 0);
  const typed = done.filter((r) => !r.tsc.error);
  return {
    servers: rows.length,
    failed: rows.length - done.length,
    stateSites: sum((r) => r.stateSites),
    migrated: sum((r) => r.migrated),
    stateSitesLeft: sum((r) => r.stateSitesLeft),
    markers: sum((r) => r.markers),
    tscBefore: typed.reduce((a, r) => a + r.tsc.before, 0),
    tscAfter: typed.reduce((a, r) => a + r.tsc.after, 0),
    introduced: typed.reduce((a, r) => a + r.tsc.introduced.length, 0),
    idempotent: done.filter((r) => r.idempotent).length,
    transportMigrated: done.filter((r) => r.transport === 'yes').length,
    transportSessionful: done.filter((r) => r.transport !== 'none').length,
    verifyPassed: done.filter((r) => r.verify.status === 'pass').length,
    verifyRun: done.filter((r) => r.verify.status !== 'n/a').length,
    replayPassed: done.filter((r) => r.replay?.status === 'pass').length,
    replayRun: done.filter((r) => r.replay && r.replay.status !== 'n/a').length,
  };
}

export function toMarkdown(rows) {
  const lines = [`| ${COLUMNS.map(([h]) => h).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const row of rows) {
    if (!row.ok) lines.push(`| ${row.name} | error: ${oneLine(row.error)} |${' |'.repeat(COLUMNS.length - 2)}`);
    else lines.push(`| ${COLUMNS.map(([, cell]) => String(cell(row))).join(' | ')} |`);
  }
  const t = totals(rows);
  // One decimal, rounded down: a share just under a bar must not print as the bar.
  const share = t.stateSites ? ` (${(Math.floor((1000 * t.migrated) / t.stateSites) / 10).toFixed(1)}%)` : '';
  lines.push(
    `| **total** (${t.servers} servers, ${t.failed} failed) | ${t.stateSites} | ${t.migrated}${share} | ${t.stateSitesLeft} | ${t.markers} | ${t.tscBefore} | ${t.tscAfter} | ${t.introduced} | ${t.idempotent}/${t.servers - t.failed} | ${t.transportMigrated}/${t.transportSessionful} | ${t.verifyRun > 0 ? `${t.verifyPassed}/${t.verifyRun} pass` : ''} | ${t.replayRun > 0 ? `${t.replayPassed}/${t.replayRun} pass` : ''} |`,
  );
  return `${lines.join('\n')}\n`;
}

export function reasonsMarkdown(rows) {
  const out = [];
  for (const row of rows.filter((r) => r.ok && r.markerReasons.length > 0)) {
    out.push(`### ${row.name}`, '');
    for (const group of row.markerReasons) out.push(`- ${group.count}× ${group.rule}: ${group.reason}  \n  e.g. \`${group.example.file}:${group.example.line}\`: ${group.example.text}`);
    out.push('');
  }
  return out.join('\n');
}

export function introducedMarkdown(rows) {
  const out = [];
  for (const row of rows.filter((r) => r.ok && !r.tsc.error && r.tsc.introduced.length > 0)) {
    out.push(`### ${row.name}`, '');
    for (const d of row.tsc.introduced.slice(0, 15)) out.push(`- \`${d.file}:${d.line}\` ${d.code}: ${oneLine(d.message)}`);
    if (row.tsc.introduced.length > 15) out.push(`- … ${row.tsc.introduced.length - 15} more`);
    out.push('');
  }
  return out.join('\n');
}

const oneLine = (text) => String(text).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').slice(0, 300);

/** One line per server: the gate's verdict on the write, what it would hold back, and its time. */
export function gateMarkdown(rows) {
  const out = ['| server | gate | errors introduced | files held back | files checked | ms |', '|---|---|---|---|---|---|'];
  for (const row of rows.filter((r) => r.ok && r.gate)) {
    const { status, reason, introduced, heldBack, checkedFiles, ms } = row.gate;
    out.push(`| ${row.name} | ${status}${reason ? ` (${oneLine(reason)})` : ''} | ${introduced} | ${heldBack} | ${checkedFiles} | ${ms} |`);
  }
  return `${out.join('\n')}\n`;
}
