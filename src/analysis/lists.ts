/** Changes to tools/list, prompts/list and resources/list: toggles, registrations inside handlers, list_changed. */
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { ListMutation, Registration } from './model.js';
import type { Reach } from './reach.js';
import { literalText, unwrap } from './syntax.js';
import { LIST_CHANGED_NOTIFICATIONS, LIST_CHANGED_SENDERS, NOTIFICATION_SENDERS, TOGGLE_METHODS, type PrimitiveKind, lookup } from './vocabulary.js';

export function findListMutations(ctx: AnalysisContext, reach: Reach, registrations: readonly Registration[]): ListMutation[] {
  const out: ListMutation[] = [];
  for (const registration of registrations) {
    registration.registeredInside = reach.registrationsAt(registration.call).filter((r) => r !== registration);
    const others = reach.othersAt(registration.call);
    if (registration.registeredInside.length > 0 || others.length > 0) {
      out.push({
        kind: 'register-in-handler',
        list: registration.kind,
        node: registration.call,
        file: registration.file,
        target: registration,
        triggeredBy: registration.registeredInside,
        triggeredByOther: others,
      });
    }
  }
  for (const info of ctx.files) {
    for (const call of ctx.nodesOf(info).calls) {
      const callee = unwrap(call.getExpression());
      if (!Node.isPropertyAccessExpression(callee)) continue;
      const method = callee.getName();
      const sender = lookup(LIST_CHANGED_SENDERS, method);
      if (sender) {
        out.push({ kind: 'list-changed', list: sender, node: call, file: info.file, triggeredBy: reach.registrationsAt(call), triggeredByOther: reach.othersAt(call) });
        continue;
      }
      if (NOTIFICATION_SENDERS.includes(method)) {
        const list = notifiedList(call.getArguments()[0]);
        if (list) out.push({ kind: 'list-changed', list, node: call, file: info.file, triggeredBy: reach.registrationsAt(call), triggeredByOther: reach.othersAt(call) });
        continue;
      }
      if (TOGGLE_METHODS.includes(method) && call.getArguments().length <= 1) {
        const receiver = unwrap(callee.getExpression());
        const target = toggledRegistration(ctx, receiver, registrations);
        const list = target?.kind ?? listFromName(receiver.getText());
        if (!list) continue;
        // Only handle-like receivers: a registered handle, or a name that says tool/prompt/resource.
        out.push({ kind: 'toggle', list, method, node: call, file: info.file, target, triggeredBy: reach.registrationsAt(call), triggeredByOther: reach.othersAt(call) });
      }
    }
  }
  return out;
}

function notifiedList(arg: Node | undefined): PrimitiveKind | undefined {
  const literal = arg ? unwrap(arg) : undefined;
  if (!literal || !Node.isObjectLiteralExpression(literal)) return undefined;
  const method = literal.getProperty('method');
  if (!method || !Node.isPropertyAssignment(method)) return undefined;
  return lookup(LIST_CHANGED_NOTIFICATIONS, literalText(method.getInitializer()) ?? '');
}

function listFromName(text: string): PrimitiveKind | undefined {
  if (/tool/i.test(text)) return 'tool';
  if (/prompt/i.test(text)) return 'prompt';
  if (/resource/i.test(text)) return 'resource';
  return undefined;
}

/** The registration whose returned handle a receiver holds (variable, or `this.field`). */
function toggledRegistration(ctx: AnalysisContext, receiver: Node, registrations: readonly Registration[]): Registration | undefined {
  if (Node.isIdentifier(receiver)) {
    const binding = ctx.resolver.resolve(receiver);
    if (binding?.kind !== 'declaration') return undefined;
    return registrations.find((r) => {
      const handle = r.handle?.node;
      if (!handle) return false;
      if (handle === binding.node) return true;
      // `let adminTool; … adminTool = server.tool(…)`: the handle is assigned to a variable declared elsewhere.
      if (!Node.isIdentifier(handle)) return false;
      const assigned = ctx.resolver.resolve(handle);
      return assigned?.kind === 'declaration' && assigned.node === binding.node;
    });
  }
  if (Node.isPropertyAccessExpression(receiver) && receiver.getExpression().getKind() === SyntaxKind.ThisKeyword) {
    const owner = receiver.getFirstAncestor((a): a is ClassDeclaration | ClassExpression => Node.isClassDeclaration(a) || Node.isClassExpression(a));
    return registrations.find((r) => r.ownerClass === owner && r.handle?.name === receiver.getName());
  }
  return undefined;
}
