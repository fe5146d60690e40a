import { ts } from 'ts-morph';
import { CLIENT_MODULE, SENDS_SESSION_HEADER, SERVER_MODULE, SERVES_HTTP, TEST_FILE, TEST_FOLDER_NAME, TEST_FOLDERS } from '../rules/scope.js';

/** Where a file belongs: server code (audited and migrated by default), a test, or MCP client code. */
export type FileScope = 'server' | 'test' | 'client';

/** Whether a root-relative posix path is a test or test data, by its folders or its name. */
export function isTestPath(path: string): boolean {
  const parts = path.split('/');
  return TEST_FILE.test(parts[parts.length - 1] ?? '') || parts.slice(0, -1).some((folder) => TEST_FOLDERS.includes(folder) || TEST_FOLDER_NAME.test(folder));
}

/** Which side of MCP a file imports: `client` when it imports only the client SDK, `server` when any server module. */
export function mcpSide(text: string): 'client' | 'server' | undefined {
  if (!text.includes('@modelcontextprotocol/')) return undefined;
  let client = false;
  for (const { fileName } of ts.preProcessFile(text, true, false).importedFiles) {
    if (SERVER_MODULE.test(fileName)) return 'server';
    if (CLIENT_MODULE.test(fileName)) client = true;
  }
  return client ? 'client' : undefined;
}

/**
 * A group of connected files is client code when some file imports the MCP client and none imports the server:
 * a CLI, a bridge or a test harness talking to servers, whose session ids are the client's to keep; or when
 * nothing in it imports MCP at all, it sends the session header and serves no HTTP (a client written by hand).
 */
export function isClientGroup(group: readonly string[], texts: ReadonlyMap<string, string>): boolean {
  const sides = group.map((path) => mcpSide(texts.get(path) ?? ''));
  if (sides.includes('client') && !sides.includes('server')) return true;
  // A client written by hand over HTTP (no SDK at all): it sends the session header and serves nothing.
  if (sides.some((side) => side !== undefined)) return false;
  const all = group.map((path) => texts.get(path) ?? '');
  return all.some((text) => SENDS_SESSION_HEADER.test(text)) && !all.some((text) => SERVES_HTTP.test(text));
}

/** Split paths into test files and the rest. */
export function splitTests(paths: Iterable<string>): { tests: string[]; rest: string[] } {
  const tests: string[] = [];
  const rest: string[] = [];
  for (const path of paths) (isTestPath(path) ? tests : rest).push(path);
  return { tests, rest };
}
