import { placeOf } from '../shared/place.js';
import { Node, SyntaxKind } from 'ts-morph';
import { V2_ENTRY_IMPORTS } from '../../src/rules/transport-symbols.js';
import { factoryReference, movedStatements, resolveFactory, resolveFactoryFunction } from './factory.js';
import { projectLookup } from './followed.js';
import { blocked, type PhaseInput, type PhaseOutput } from './phase.js';
import { analysePlumbing, findConstructions } from './plumbing.js';
import { factoryFunction } from './snippets.js';
import { indentOf } from './style.js';
import { referencesIn } from '../shared/declarations.js';
import { nodesOfKind, wrap } from '../shared/file-index.js';
import { freshName, markerPosition, Resolver, statementOf, within } from './syntax.js';
import { applyStatementActions, TextEdits, type StatementAction } from './text-edits.js';

/**
 * stdio on v2: `server.connect(new StdioServerTransport())` becomes `serveStdio(factory)`, which serves
 * both protocol eras and answers `server/discover`. There is no factory trap here: `serveStdio` keeps ONE
 * instance per connection, exactly like the old single connect, so factory state lives as long as before.
 * v1 files are left alone (v1 has no `serveStdio`) unless the v2 output option is set.
 */
export function planStdioEntry(input: PhaseInput): PhaseOutput | undefined {
  const { file, style } = input;
  const resolver = new Resolver();
  const constructions = findConstructions(file, ['stdio']).filter((c) => c.cls.line === 'v2' || input.options.output === 'v2');
  const [construction] = constructions;
  if (!construction) return undefined;
  // Not a decision for a person: the old single connect keeps serving one client over stdio; say why, leave no marker.
  const fail = (reason: string) => blocked(file, [{ pos: markerPosition(construction.node), rule: 'SL001', level: 'info', message: `stdio entry left as it is (serveStdio would also answer 2026-07-28 clients): ${reason}` }]);
  if (constructions.length > 1) return fail('the file builds more than one stdio transport');
  const plumbing = analysePlumbing(file, resolver, [], constructions);
  const connects = nodesOfKind(file, SyntaxKind.CallExpression).filter((call) => {
    const callee = call.getExpression();
    const [arg] = call.getArguments();
    return Node.isPropertyAccessExpression(callee) && callee.getName() === 'connect' && arg !== undefined && plumbing.touches(arg);
  });
  const [connect] = connects;
  if (!connect || connects.length > 1) return fail('the transport is not connected exactly once');
  const statement = statementOf(connect);
  const expression = Node.isExpressionStatement(statement) ? statement.getExpression() : undefined;
  const bare = expression && (expression === connect || (Node.isAwaitExpression(expression) && expression.getExpression() === connect));
  if (!bare) return fail('the connect call is part of a larger expression');

  const transportDeclaration = [...plumbing.seeds].map((seed) => wrap(file, seed)).find((node) => Node.isVariableDeclaration(node));
  const going: Node[] = [statement];
  if (transportDeclaration) {
    const declarationStatement = transportDeclaration.getParentOrThrow().getParentOrThrow();
    if (!Node.isVariableStatement(declarationStatement) || declarationStatement.getDeclarations().length !== 1) return fail('the transport shares its declaration');
    going.push(declarationStatement);
  }
  const stray = referencesIn(file).find((id) => plumbing.touches(id) && !going.some((g) => within(id, g)));
  if (stray) return fail(`the transport is also used outside the connect call (${placeOf(stray)})`);

  const result = resolveFactory(file, plumbing, resolver, [statement], []);
  if ('problem' in result) return fail(result.problem);
  const factory = result.factory;
  if (factory.kind === 'shared') return fail(`the server \`${factory.expression}\` is one object this code cannot build again, and serveStdio needs a function that builds one`);
  if (factory.kind === 'call' && factory.connects !== undefined) return fail(`\`${factory.callee.getText()}\` builds and connects a server itself, and serveStdio needs a function that returns one`);
  const actions = new Map<unknown, { node: Node; action: StatementAction }>();
  const act = (node: Node, action: StatementAction) => actions.set(node.compilerNode, { node, action });
  let factoryRef: string;
  if (factory.kind === 'call') {
    factoryRef = factoryReference(factory, resolver, statement.getStart(), resolveFactoryFunction(factory, resolver, projectLookup(input)));
    if (factory.declaration) going.push(factory.declaration.getParentOrThrow().getParentOrThrow());
  } else {
    const declarationStatement = factory.declaration.getParentOrThrow().getParentOrThrow();
    const moved = [declarationStatement, ...factory.configure];
    const name = freshName(file, ['buildServer', 'buildMcpServer']);
    const indent = indentOf(file.getFullText(), declarationStatement.getStart());
    act(declarationStatement, { kind: 'replace', text: factoryFunction(name, movedStatements(moved, () => indent, `${indent}${style.unit}`), factory.variable, style, indent) });
    for (const configure of factory.configure) act(configure, { kind: 'remove' });
    going.push(...moved);
    factoryRef = name;
  }
  const serverDeclaration = factory.kind === 'call' ? factory.declaration : factory.declaration;
  if (serverDeclaration) {
    const uses = referencesIn(file).filter((id) => resolver.of(id)?.compilerNode === serverDeclaration.compilerNode);
    const other = uses.find((id) => !going.some((g) => within(id, g)));
    // `serveStdio(() => server)` is no way out: a connection whose server/discover probe is discarded for a
    // legacy initialize builds a second instance, and one shared instance keeps the modern-only handlers.
    if (other) {
      return fail(
        `the server is also used outside its set-up (${placeOf(other)}), which cannot move into a factory; serveStdio may build a second instance on one connection (after a discarded server/discover probe), so one shared instance cannot be handed to it`,
      );
    }
  }

  for (const node of going) if (!actions.has(node.compilerNode) && node !== statement) act(node, { kind: 'remove' });
  act(statement, { kind: 'replace', text: `${indentOf(file.getFullText(), statement.getStart())}serveStdio(${factoryRef})${style.semi}` });
  const edits = new TextEdits(file.getFullText());
  applyStatementActions(edits, actions);
  const candidates = new Set(going.flatMap((g) => referencesIn(g).map((id) => id.getText())));
  return { edits, markers: [], candidates, imports: [V2_ENTRY_IMPORTS.serveStdio] };
}

