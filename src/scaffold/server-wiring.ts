import { Node, SyntaxKind, type NewExpression, type SourceFile, type Statement } from 'ts-morph';
import { createMemoryProject, projectPath } from '../engine/parse.js';

/** The v2 server package: only `new McpServer(…)` imported from here is wired. */
const SERVER_MODULE = '@modelcontextprotocol/server';

/** Where a file constructs an McpServer. */
export interface ServerSite {
  line: number;
  /** The variable the server is assigned to, when it is (`const server = new McpServer(…)`). */
  variable: string | undefined;
}

/** Every `new McpServer(…)` in the file whose McpServer comes from the v2 server package. */
export function findServerSites(file: SourceFile): ServerSite[] {
  return serverConstructions(file).map((expression) => {
    const parent = expression.getParent();
    const variable = Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode()) ? parent.getName() : undefined;
    return { line: expression.getStartLineNumber(), variable };
  });
}

function serverConstructions(file: SourceFile): NewExpression[] {
  const named = new Set<string>();
  const namespaces = new Set<string>();
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.getModuleSpecifierValue() !== SERVER_MODULE) continue;
    for (const specifier of declaration.getNamedImports()) {
      if (specifier.getName() === 'McpServer') named.add(specifier.getAliasNode()?.getText() ?? 'McpServer');
    }
    const namespace = declaration.getNamespaceImport();
    if (namespace) namespaces.add(namespace.getText());
  }
  return file
    .getDescendantsOfKind(SyntaxKind.NewExpression)
    .filter((expression) => {
      const callee = expression.getExpression();
      if (Node.isIdentifier(callee)) return named.has(callee.getText());
      return Node.isPropertyAccessExpression(callee) && callee.getName() === 'McpServer' && namespaces.has(callee.getExpression().getText());
    });
}

/** Parse one file into a throwaway in-memory project. */
export function parseSource(path: string, text: string): SourceFile {
  return createMemoryProject().createSourceFile(projectPath(path), text, { overwrite: true });
}

/** What to add to the server file. */
export interface WiringRequest {
  /** `registerCartHandles` */
  registerFn: string;
  /** Module specifier of the family module, relative to the server file. */
  familyImport: string;
}

/** What wiring did: `present` when the file already registers the family. */
export type WiringStatus = 'added' | 'present';

/**
 * Register a handle family in the server factory: import the family, then call
 * `registerXHandles(server)` right after the last statement that sets up the server
 * (its register calls, or an earlier family), in the same block as `new McpServer(…)`.
 * Edits go through the AST; everything else in the file keeps its text. Idempotent: a file that
 * already calls the function is left alone.
 */
export function wireFamily(file: SourceFile, request: WiringRequest): WiringStatus {
  if (callsFunction(file, request.registerFn)) return 'present';
  const declaration = serverConstructions(file)[0]?.getParentIfKind(SyntaxKind.VariableDeclaration);
  const statement = declaration?.getFirstAncestorByKind(SyntaxKind.VariableStatement);
  const container = statement?.getParent();
  if (!declaration || !statement || !container || !(Node.isBlock(container) || Node.isSourceFile(container))) {
    throw new Error('the McpServer is not assigned to a variable in a block (const server = new McpServer(…))');
  }
  const variable = declaration.getName();
  const statements = container.getStatements();
  let anchor = statements.indexOf(statement);
  for (let i = anchor + 1; i < statements.length; i++) {
    if (setsUpServer(statements[i] as Statement, variable)) anchor = i;
  }
  const style = styleOf(file);
  // Plain text insertion at AST positions: the new lines take the indentation of their neighbours and nothing else moves.
  const after = statements[anchor] as Statement;
  file.insertText(endOfLine(after), `\n${indentationOf(after)}${request.registerFn}(${variable})${style.semi}`);
  const line = `import { ${request.registerFn} } from ${style.quote}${request.familyImport}${style.quote}${style.semi}`;
  const lastImport = file.getImportDeclarations().at(-1);
  if (lastImport) file.insertText(lastImport.getEnd(), `\n${line}`);
  else file.insertText(0, `${line}\n\n`);
  return 'added';
}

/** The whitespace before `node` on its line. */
function indentationOf(node: Node): string {
  const text = node.getSourceFile().getFullText();
  const lineStart = text.lastIndexOf('\n', node.getStart() - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** Where to insert after `node`: past a trailing `// comment` on its last line, so the comment stays with it. */
function endOfLine(node: Node): number {
  const text = node.getSourceFile().getFullText();
  const newline = text.indexOf('\n', node.getEnd());
  const lineEnd = newline === -1 ? text.length : newline;
  return /^\s*(\/\/.*)?$/.test(text.slice(node.getEnd(), lineEnd)) ? lineEnd : node.getEnd();
}

function callsFunction(file: SourceFile, name: string): boolean {
  return file.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => call.getExpression().getText() === name);
}

/** `server.registerTool(…)`, `server.tool(…)`, `registerNotebookHandles(server, …)`: a statement that configures the server. */
function setsUpServer(statement: Statement, variable: string): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const expression = statement.getExpression();
  if (!Node.isCallExpression(expression)) return false;
  const callee = expression.getExpression();
  if (Node.isPropertyAccessExpression(callee) && callee.getExpression().getText() === variable) return true;
  return expression.getArguments().some((argument) => argument.getText() === variable);
}

/** Quote and semicolon style of the file, from its first import (single quotes and semicolons when it has none). */
function styleOf(file: SourceFile): { quote: string; semi: string } {
  const first = file.getImportDeclarations()[0];
  if (!first) return { quote: "'", semi: ';' };
  const text = first.getText();
  return { quote: first.getModuleSpecifier().getText().startsWith('"') ? '"' : "'", semi: text.trimEnd().endsWith(';') ? ';' : '' };
}
