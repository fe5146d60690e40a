/**
 * Where a migrated browser server finds a browser on this machine, for the batch's live checks: the `{chromium}`
 * and `{playwrightBrowsers}` placeholders of a manifest's `verify` entry.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** A Chromium binary: $CHROMIUM_PATH, else the first system one found; undefined when there is none. */
export function chromiumPath() {
  const given = process.env.CHROMIUM_PATH;
  if (given) return existsSync(given) ? given : undefined;
  return CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));
}

/**
 * A PLAYWRIGHT_BROWSERS_PATH folder under `root` in which the Playwright release the server installed finds
 * `chromium` as its own Chromium and headless shell (Playwright cannot download browsers here). Undefined when
 * the server has no playwright-core.
 */
export function playwrightBrowsers(serverDir, chromium, root) {
  const manifest = join(serverDir, 'node_modules', 'playwright-core', 'browsers.json');
  if (!existsSync(manifest)) return undefined;
  const { browsers } = JSON.parse(readFileSync(manifest, 'utf8'));
  const revision = (name) => browsers.find((b) => b.name === name)?.revision;
  const links = [
    [`chromium-${revision('chromium')}`, 'chrome-linux64', 'chrome'],
    [`chromium_headless_shell-${revision('chromium-headless-shell')}`, 'chrome-headless-shell-linux64', 'chrome-headless-shell'],
  ];
  for (const [folder, sub, binary] of links) {
    const dir = join(root, folder, sub);
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, binary))) symlinkSync(chromium, join(dir, binary));
  }
  return root;
}
