/**
 * Log messages addressed to the session (v1): `await server.sendLoggingMessage(params, extra.sessionId)` inside
 * a handler. Served per request there is no session to address and no standalone stream to carry the message,
 * so it goes out on the request it belongs to, as the request's own notification:
 *
 *   await extra.sendNotification({ method: 'notifications/message', params });
 *
 * The SDK only sends a log message when the server declared the `logging` capability; where the server's
 * construction says it did not, the call stays and only the session id goes (it was, and stays, a no-op).
 * Where the construction cannot be read, or the SDK release has no request notifications, nothing changes and
 * the audit's marker stays.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { LOG_NOTIFICATION } from '../../src/rules/context-sdk.js';
import { declarationOf, methodCall, quote, rootIdentifier } from './ast.js';
import type { ContextScan } from './context-cached.js';
import { enclosingSite } from './handlers.js';
import { indentAt } from './edit.js';
import type { Edit, Findings } from './steps.js';
import { nodesOfKind } from '../shared/file-index.js';
import { unwrap } from '../../src/analysis/syntax.js';

/**
 * What sending on the request changes: `sendLoggingMessage` dropped messages below the level the session's client
 * set with `logging/setLevel`; a request served alone has no such level, so the client gets every message.
 */
const LEVEL_NOTE =
  "log messages now go out on the request that produced them, unfiltered: the level a client set with logging/setLevel lived in its session; 2026-07-28 clients send their level with each request (params._meta['io.modelcontextprotocol/logLevel']), which a handler can check before sending";

export function analyseAddressedLogs(scan: ContextScan, requestNotifications: boolean): Findings {
  const edits: Edit[] = [];
  if (scan.sdk !== 'v1') return { edits, marks: [] };
  for (const call of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const edit = addressedLog(call, scan, requestNotifications);
    if (edit) edits.push(edit);
  }
  return { edits, marks: [] };
}

function addressedLog(call: CallExpression, scan: ContextScan, requestNotifications: boolean): Edit | undefined {
  const parts = methodCall(call);
  const [params, address] = call.getArguments();
  if (!parts || parts.method !== 'sendLoggingMessage' || !params || !address || call.getArguments().length !== 2) return undefined;
  const id = unwrap(address);
  if (!Node.isPropertyAccessExpression(id) || id.getName() !== 'sessionId' || !Node.isIdentifier(id.getExpression())) return undefined;
  const context = id.getExpression().getText();
  // The session id must be the handler's own context parameter (`extra`), not some other object's field.
  const site = enclosingSite(call, scan.sites);
  const parameter = site?.fn.getParameters()[site.ctxIndex];
  if (!site || !parameter || parameter.getName() !== context) return undefined;
  const logging = declaresLogging(parts.receiver);
  if (logging === undefined) return undefined;
  if (!logging) {
    return { what: 'drop the session id from a log message the server never sends', splices: [{ start: params.getEnd(), end: address.getEnd(), text: '' }] };
  }
  if (!requestNotifications) return undefined;
  const method = quote(scan.file, LOG_NOTIFICATION);
  // Arguments written one per line keep their lines: the params object moves into the notification unchanged.
  const text = params.getText().includes('\n')
    ? `${context}.sendNotification({\n${indentAt(scan.file, params.getStart())}method: ${method},\n${indentAt(scan.file, params.getStart())}params: ${params.getText()},\n${indentAt(scan.file, call.getStart())}})`
    : `${context}.sendNotification({ method: ${method}, params: ${params.getText()} })`;
  return { what: 'send a log message on the request instead of to the session', splices: [{ start: call.getStart(), end: call.getEnd(), text }], note: { rule: 'SL005', message: LEVEL_NOTE } };
}

/**
 * Whether the server a `sendLoggingMessage` goes through declared the `logging` capability, from its
 * construction (`new McpServer(info, { capabilities: { logging: {} } })`, `server.server` of such a server, or
 * `registerCapabilities({ logging: {} })` on it); undefined when the construction cannot be read.
 */
function declaresLogging(receiver: Node): boolean | undefined {
  const root = rootIdentifier(receiver);
  const declaration = root && declarationOf(root);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return undefined;
  const built = declaration.getInitializer() && unwrap(declaration.getInitializer()!);
  if (!built || !Node.isNewExpression(built)) return undefined;
  const options = built.getArguments()[1];
  const registered = nodesOfKind(declaration.getSourceFile(), SyntaxKind.CallExpression).some((c) => {
    const parts = methodCall(c);
    return parts?.method === 'registerCapabilities' && rootIdentifier(parts.receiver)?.getText() === root.getText() && /\blogging\b/.test(c.getArguments()[0]?.getText() ?? '');
  });
  if (registered) return true;
  if (!options) return false;
  if (!Node.isObjectLiteralExpression(options)) return undefined;
  const capabilities = options.getProperty('capabilities');
  if (!capabilities) return false;
  if (!Node.isPropertyAssignment(capabilities)) return undefined;
  const value = capabilities.getInitializer();
  if (!value || !Node.isObjectLiteralExpression(value)) return undefined;
  return value.getProperty('logging') !== undefined;
}
