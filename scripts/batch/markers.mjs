/**
 * Follow-up markers left in a tree (`// @mcp-sessionless-todo(SL00x): message`), and their reasons grouped so
 * that the shapes the transforms decline stand out across servers.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'build']);

/** Every marker under `root`: file (root-relative, posix), line (1-based), rule, message. */
export async function findMarkers(root, marker) {
  const pattern = new RegExp(`${marker.replace(/[-]/g, '\\-')}\\((\\w+)\\):?\\s*(.*)$`);
  const found = [];
  for (const path of await sourceFiles(root, root)) {
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines.forEach((line, index) => {
      const match = pattern.exec(line);
      if (!match) return;
      const [, rule, message] = match;
      found.push({ file: relative(root, path).split(sep).join('/'), line: index + 1, rule, text: message.replace(/\s*\*\/\s*$/, '').trim() });
    });
  }
  return found;
}

async function sourceFiles(root, dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink() || SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(root, path)));
    else if (entry.isFile() && SOURCE.test(entry.name)) files.push(path);
  }
  return files;
}

/**
 * A marker's reason with the server's own names taken out (quoted or back-ticked names, and the code snippet in
 * parentheses), so that the same refusal on different states groups together.
 */
export function reasonOf(text) {
  return text
    .replace(/`[^`]*`/g, '`…`')
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\([^()]*\)/g, '(…)')
    .replace(/^[\w$.[\]]+(?= (?:is|are|holds|keeps|reads|writes|lives)\b)/, '<state>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Markers grouped by rule and reason, most frequent first. */
export function groupReasons(markers) {
  const groups = new Map();
  for (const marker of markers) {
    const key = `${marker.rule}: ${reasonOf(marker.text)}`;
    const group = groups.get(key) ?? { rule: marker.rule, reason: reasonOf(marker.text), count: 0, example: marker };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** Markers in `after` that `before` did not have (by file, rule and text; lines move). */
export function addedMarkers(before, after) {
  const left = new Map();
  const key = (m) => `${m.file}|${m.rule}|${m.text}`;
  for (const m of before) left.set(key(m), (left.get(key(m)) ?? 0) + 1);
  return after.filter((m) => {
    const count = left.get(key(m)) ?? 0;
    if (count > 0) left.set(key(m), count - 1);
    return count === 0;
  });
}
