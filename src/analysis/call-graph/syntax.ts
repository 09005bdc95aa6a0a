// Which syntax makes an edge. One visitor per function body, split by syntax
// family as a scope manager's referencer is: calls (and `f.call`/`f.apply`/
// `f.bind`), `new` and `super()`, property reads and writes (getters and
// setters, destructuring included), function values passed as arguments, and
// class bodies (what runs where the class is defined, what runs when it is
// constructed). Each family asks resolve.ts and dispatch.ts for the targets.
import ts from 'typescript';
import { resolveAlias } from '../declarations.js';
import { isFunctionLikeWithBody } from '../directives.js';
import { outermostOf, skipOuterExpressions } from '../expressions.js';
import { isRuntimeFile } from '../offheap-files.js';
import { symbolAt } from '../program-analysis.js';
import { abstractPropertyTargets, accessorTargets, memberFunctions, targetsOfDeclaration, targetsOfDeclarations } from './dispatch.js';
import { typeQueries, type CallEdge, type FunctionFacts, type GraphContext, type GraphNode, type UnresolvedCall } from './graph.js';
import {
  baseClass,
  classOfSymbol,
  explicitConstructor,
  functionOf,
  isConstVariable,
  isStatic,
  isTypeLevelSignature,
  isWriteBarrierDeclaration,
  leaf,
  resolveConstruction,
} from './resolve.js';
import type { Resolution, UnresolvedReason } from './resolve.js';

// ---------------------------------------------------------------------------
// Calls.

const functionMethods = new Set(['call', 'apply', 'bind']);
const functionInterfaces = new Set(['Function', 'CallableFunction', 'NewableFunction']);

/**
 * `f.call(…)`, `f.apply(…)`, `f.bind(…)`: `Function.prototype`'s members,
 * recognised by their declaration in the default library. They run (or, for
 * `bind`, hand on) `f` itself. Returns `f`, or undefined.
 */
function invokedThroughFunctionMethod(ctx: GraphContext, callee: ts.Expression): ts.Expression | undefined {
  if (!ts.isPropertyAccessExpression(callee) || !functionMethods.has(callee.name.text)) return undefined;
  const symbol = symbolAt(ctx.checker, callee.name);
  const decl = symbol?.declarations?.[0];
  if (!decl || !ts.isInterfaceDeclaration(decl.parent) || !functionInterfaces.has(decl.parent.name.text)) return undefined;
  return ctx.program.isSourceFileDefaultLibrary(decl.getSourceFile()) ? callee.expression : undefined;
}

/** `let` variables and parameters hold whatever was last assigned, whatever their initializer. */
function holdsFunctionValue(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): boolean {
  const holder = symbol && resolveAlias(checker, symbol).valueDeclaration;
  return holder !== undefined && (ts.isParameter(holder) || (ts.isVariableDeclaration(holder) && !isConstVariable(holder)));
}

const primitive = ts.TypeFlags.NumberLike | ts.TypeFlags.StringLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Null;

/**
 * A variable, parameter or property whose declared type is a primitive, an intersection with one (the branded
 * numbers `Ptr<T>` and `HeapRef<T>`), or a union of those: whatever a use narrows it to, its value is a primitive,
 * never a function a callee could run.
 */
function neverCallable(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  if (!(symbol.flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Property)) || symbol.flags & ts.SymbolFlags.Alias) return false;
  const type = checker.getTypeOfSymbol(symbol);
  const plain = (t: ts.Type): boolean => (t.flags & primitive) !== 0 || (t.isIntersection() && t.types.some((m) => (m.flags & primitive) !== 0));
  return plain(type) || (type.isUnion() && type.types.every(plain));
}

function isUnionReceiver(ctx: GraphContext, callee: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return false;
  const receiver = ctx.checker.getNonNullableType(ctx.checker.getTypeAtLocation(callee.expression));
  return receiver.isUnion();
}

/** What a reference to a function runs when called: `f`, `o.m`, `(function () {})`. */
function resolveReference(ctx: GraphContext, ref: ts.Expression): Resolution {
  const { checker } = ctx;
  const expr = skipOuterExpressions(ref);
  if (isFunctionLikeWithBody(expr)) return { targets: [expr] };
  if (checker.getTypeAtLocation(expr).flags & ts.TypeFlags.Any) return { targets: [], unresolved: 'any' };
  const symbol = symbolAt(checker, ts.isPropertyAccessExpression(expr) ? expr.name : expr);
  if (!symbol || holdsFunctionValue(checker, symbol)) return { targets: [], unresolved: 'function-value' };
  const viaSuper = ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.SuperKeyword;
  return targetsOfDeclarations(ctx, resolveAlias(checker, symbol).declarations ?? [], viaSuper);
}

function resolveCall(ctx: GraphContext, call: ts.CallExpression | ts.TaggedTemplateExpression): Resolution {
  const { checker } = ctx;
  const callee = skipOuterExpressions(ts.isCallExpression(call) ? call.expression : call.tag);
  if (callee.kind === ts.SyntaxKind.SuperKeyword) {
    const cls = ts.findAncestor(call, ts.isClassLike);
    const base = cls && baseClass(checker, cls);
    return base ? resolveConstruction(base) : leaf;
  }
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return leaf;
  const invoked = ts.isCallExpression(call) ? invokedThroughFunctionMethod(ctx, callee) : undefined;
  if (invoked) return resolveReference(ctx, invoked);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  // The symbol through the program's memo: the flow rules ask for the same callee names.
  const symbol = symbolAt(checker, nameNode);
  const viaSuper = ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.SuperKeyword;
  // A callee that names functions or methods of one declaration list directly is one function or one overload set, and an
  // overload set is dispatched as a whole whichever signature the checker would pick: no overload resolution,
  // which type-checks every argument (most calls). Decided before any type is asked for: such a callee is never
  // `any`, and on a union receiver every member's method is this one declaration list, so the union's answer is the same.
  const declared = symbol && !holdsFunctionValue(checker, symbol) ? resolveAlias(checker, symbol).declarations : undefined;
  if (declared && declared.length > 0 && declared.every((d) => d.kind === declared[0].kind && d.parent === declared[0].parent && (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isMethodSignature(d)))) {
    return targetsOfDeclaration(ctx, declared.length === 1 ? declared[0] : (declared.find((d) => !(d as { body?: ts.Node }).body) ?? declared[0]), viaSuper);
  }
  typeQueries.callees++;
  if (checker.getTypeAtLocation(callee).flags & ts.TypeFlags.Any) return { targets: [], unresolved: 'any' };
  if (holdsFunctionValue(checker, symbol)) return { targets: [], unresolved: 'function-value' };
  // A union-typed receiver runs the method of whichever member it holds: every one of them.
  if (symbol && isUnionReceiver(ctx, callee)) return targetsOfDeclarations(ctx, symbol.declarations ?? [], viaSuper);
  ctx.stats.signatureResolutions++;
  const decl = checker.getResolvedSignature(call)?.declaration;
  if (decl && !ts.isJSDocSignature(decl) && !isTypeLevelSignature(decl)) return targetsOfDeclaration(ctx, decl, viaSuper);
  // Union signatures and function-typed names: take the functions the callee names.
  if (!symbol) return { targets: [], unresolved: 'function-value' };
  return targetsOfDeclarations(ctx, resolveAlias(checker, symbol).declarations ?? [], viaSuper);
}

function resolveNew(ctx: GraphContext, expr: ts.NewExpression): Resolution {
  const { checker } = ctx;
  const callee = skipOuterExpressions(expr.expression);
  const cls = classOfSymbol(checker, symbolAt(checker, callee));
  if (cls) return resolveConstruction(cls);
  if (checker.getTypeAtLocation(callee).flags & ts.TypeFlags.Any) return { targets: [], unresolved: 'any' };
  ctx.stats.signatureResolutions++;
  const decl = checker.getResolvedSignature(expr)?.declaration;
  if (decl && !ts.isJSDocSignature(decl)) {
    if (decl.getSourceFile().isDeclarationFile) return isWriteBarrierDeclaration(decl) ? { targets: [decl] } : leaf;
    return targetsOfDeclaration(ctx, decl, false);
  }
  return { targets: [], unresolved: 'function-value' };
}

/**
 * A function value passed as an argument: the callee may run it (Go's systemstack edge). A name is followed to the
 * functions it declares (a shorthand `{ put }` or `{ put: put }` property to `put`), else to the declarations of its
 * type's call signatures. A value no declaration names (a parameter, a `let`, a function-typed field) handed to
 * library code (`xs.forEach(cb)`) is unresolved: the library runs it where the graph cannot see; a callee with a body
 * reports its own call of the value instead.
 */
function resolveFunctionValue(ctx: GraphContext, arg: ts.Expression, toLibrary: boolean): Resolution {
  const { checker } = ctx;
  const expr = skipOuterExpressions(arg);
  if (!ts.isIdentifier(expr) && !ts.isPropertyAccessExpression(expr)) return leaf;
  const symbol = symbolAt(checker, ts.isPropertyAccessExpression(expr) ? expr.name : expr);
  if (!symbol) return leaf;
  const targets: ts.Node[] = [];
  const add = (t: ts.Node): void => void (targets.includes(t) || targets.push(t));
  if (!holdsFunctionValue(checker, symbol)) {
    for (const decl of resolveAlias(checker, symbol).declarations ?? []) {
      if (ts.isShorthandPropertyAssignment(decl) || (ts.isPropertyAssignment(decl) && ts.isIdentifier(skipOuterExpressions(decl.initializer)))) {
        const named = ts.isShorthandPropertyAssignment(decl) ? checker.getShorthandAssignmentValueSymbol(decl) : checker.getSymbolAtLocation(skipOuterExpressions(decl.initializer));
        if (!named || holdsFunctionValue(checker, named)) continue;
        for (const d of resolveAlias(checker, named).declarations ?? []) {
          if (isWriteBarrierDeclaration(d)) add(d);
          else if (functionOf(d)) add(functionOf(d)!);
        }
        continue;
      }
      if (isWriteBarrierDeclaration(decl)) add(decl);
      else if (functionOf(decl)) add(functionOf(decl)!);
    }
    if (targets.length > 0) return { targets };
  }
  // Only a value whose type can be called is a function value (not `xs.push(p)`). For a name declared as a
  // primitive or branded number the declared type answers, without the checker typing the use (flow narrowing at
  // every argument).
  if (neverCallable(checker, symbol)) return leaf;
  typeQueries.values++;
  const signatures = checker.getTypeAtLocation(expr).getCallSignatures();
  let named = false;
  for (const sig of signatures) {
    const decl = sig.declaration;
    if (!decl || ts.isJSDocSignature(decl) || isTypeLevelSignature(decl) || holdsFunctionValue(checker, symbol)) continue;
    if (isWriteBarrierDeclaration(decl)) add(decl);
    else if (functionOf(decl)) add(functionOf(decl)!);
    else continue;
    named = true;
  }
  if (signatures.length > 0 && !named && toLibrary) return { targets, unresolved: 'passed-to-library' };
  return { targets };
}

/** `[Symbol.iterator]` / `[Symbol.asyncIterator]` as the checker names the property. */
function iteratorProperty(checker: ts.TypeChecker, type: ts.Type, key: string): ts.Symbol | undefined {
  return checker.getPropertiesOfType(type).find((p) => {
    const name = p.escapedName as string;
    return name === key || name.startsWith(`${key}@`);
  });
}

/**
 * The iterator protocol run by `for (… of v)`, `[...v]`, `f(...v)`, `yield* v` and `const [a] = v`: the
 * `[Symbol.iterator]` (`[Symbol.asyncIterator]` for `for await`) of the program's own classes and literals, and the
 * `next` of what it returns. Library iterables (arrays, Maps, strings) run no user code: their types are skipped
 * before any property is asked for.
 */
function resolveIteration(ctx: GraphContext, iterated: ts.Expression, isAsync: boolean): Resolution {
  const { checker } = ctx;
  const own = (t: ts.Type): boolean => (t.getSymbol()?.declarations ?? []).some((d) => !d.getSourceFile().isDeclarationFile);
  const type = checker.getNonNullableType(checker.getTypeAtLocation(iterated));
  const targets: ts.Node[] = [];
  let unresolved: UnresolvedReason | undefined;
  const add = (r: Resolution): void => {
    for (const t of r.targets) if (!targets.includes(t)) targets.push(t);
    unresolved ??= r.unresolved;
  };
  for (const t of type.isUnion() ? type.types : [type]) {
    if (!own(t)) continue;
    const method = (isAsync ? iteratorProperty(checker, t, '__@asyncIterator') : undefined) ?? iteratorProperty(checker, t, '__@iterator');
    if (!method) continue;
    add(targetsOfDeclarations(ctx, method.declarations ?? [], false));
    // An iterator class (`[Symbol.iterator]() { return this; }` with a `next()`): its `next` runs on every step.
    for (const sig of checker.getTypeOfSymbolAtLocation(method, iterated).getCallSignatures()) {
      const result = sig.getReturnType();
      for (const r of result.isUnion() ? result.types : [result]) {
        const next = own(r) ? r.getProperty('next') : undefined;
        if (next) add(targetsOfDeclarations(ctx, next.declarations ?? [], false));
      }
    }
  }
  return { targets, unresolved };
}

// ---------------------------------------------------------------------------
// Property reads and writes.

/**
 * Whether a node is a destructuring target (`[o.x] = a`,
 * `({ k: o.x } = src)`, `for (o.x of xs)`).
 */
function destructuringTarget(node: ts.Node): boolean {
  let child = node;
  let parent = node.parent;
  let nested = false;
  for (;;) {
    if (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent)) {
      // transparent
    } else if (ts.isArrayLiteralExpression(parent) || ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) {
      nested = true;
    } else if (ts.isPropertyAssignment(parent) && parent.initializer === child) {
      nested = true;
      child = parent;
      parent = parent.parent; // the object literal
      continue;
    } else if (ts.isObjectLiteralExpression(parent)) {
      nested = true;
    } else break;
    child = parent;
    parent = parent.parent;
  }
  if (ts.isBinaryExpression(parent) && parent.left === child && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return nested;
  return (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) && parent.initializer === child;
}

/** Reads and writes of a property access, from its syntactic position. */
function accessKind(node: ts.Expression): { read: boolean; write: boolean } {
  if (destructuringTarget(node)) return { read: false, write: true };
  const child = outermostOf(node);
  const parent = child.parent;
  if (ts.isBinaryExpression(parent) && parent.left === child) {
    const op = parent.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) return { read: false, write: true };
    if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) return { read: true, write: true };
  }
  if (
    (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) &&
    (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)
  ) {
    return { read: true, write: true };
  }
  if (ts.isDeleteExpression(parent)) return { read: false, write: false };
  return { read: true, write: false };
}

/** The getters a destructuring reads: `const { x } = o`, `({ x: y } = o)`. */
function resolveDestructuredReads(ctx: GraphContext, pattern: ts.ObjectBindingPattern | ts.ObjectLiteralExpression, source: ts.Node): Resolution {
  const { checker } = ctx;
  const type = checker.getTypeAtLocation(source);
  const targets: ts.Node[] = [];
  const elements: readonly ts.Node[] = ts.isObjectBindingPattern(pattern) ? pattern.elements : pattern.properties;
  for (const element of elements) {
    let key: ts.Node | undefined;
    if (ts.isBindingElement(element)) key = element.dotDotDotToken ? undefined : (element.propertyName ?? element.name);
    else if (ts.isPropertyAssignment(element) || ts.isShorthandPropertyAssignment(element)) key = element.name;
    if (!key || !(ts.isIdentifier(key) || ts.isStringLiteral(key) || ts.isNumericLiteral(key))) continue;
    for (const decl of type.getProperty(key.text)?.declarations ?? []) {
      if (ts.isGetAccessorDeclaration(decl)) memberFunctions(checker, decl, 'get', targets);
    }
  }
  return { targets };
}

/**
 * Getters and setters a property access runs, on every member of a union
 * receiver; an interface or abstract property leads to the accessors that
 * implement it.
 */
function resolveAccess(ctx: GraphContext, access: ts.PropertyAccessExpression | ts.ElementAccessExpression): Resolution {
  const nameNode = ts.isPropertyAccessExpression(access) ? access.name : access.argumentExpression;
  const symbol = symbolAt(ctx.checker, nameNode);
  if (!symbol || !(symbol.flags & (ts.SymbolFlags.Accessor | ts.SymbolFlags.Property))) return leaf;
  const decls = symbol.declarations ?? [];
  const viaSuper = access.expression.kind === ts.SyntaxKind.SuperKeyword;
  const targets = decls.some((d) => ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d))
    ? accessorTargets(ctx, decls, accessKind(access), viaSuper)
    : [];
  for (const t of abstractPropertyTargets(ctx, decls, () => accessKind(access))) if (!targets.includes(t)) targets.push(t);
  return targets.length > 0 ? { targets } : leaf;
}

// ---------------------------------------------------------------------------
// Facts of one function.

export function computeFacts(ctx: GraphContext, node: GraphNode): FunctionFacts {
  const barriers: ts.Node[] = [];
  const barrierDeclarations = new Map<ts.Node, ts.Node>();
  const callees: CallEdge[] = [];
  const unresolved: UnresolvedCall[] = [];
  const nested: GraphNode[] = [];

  const inRuntime = isRuntimeFile(node.getSourceFile());
  const record = (site: ts.Node, resolution: Resolution): void => {
    for (const target of resolution.targets) {
      if (isWriteBarrierDeclaration(target)) {
        if (!barrierDeclarations.has(site)) {
          barriers.push(site);
          barrierDeclarations.set(site, target);
        }
      } else if ((isFunctionLikeWithBody(target) || ts.isClassLike(target)) && (inRuntime || !isRuntimeFile(target.getSourceFile()))) {
        callees.push({ target, site });
      }
    }
    if (resolution.unresolved && !(resolution.inRuntime && !inRuntime)) unresolved.push({ site, reason: resolution.unresolved });
  };

  // An explicit stack, never recursion: a body nested thousands deep (a long `a + b + …` chain) costs no stack.
  // Nodes are handled in source order, before their children, as a recursive walk would.
  const stack: ts.Node[] = [];
  const later: ts.Node[] = [];
  const visit = (n: ts.Node): void => void later.push(n);
  const flush = (): void => {
    for (let i = later.length - 1; i >= 0; i--) stack.push(later[i]);
    later.length = 0;
  };

  const visitClass = (cls: ts.ClassLikeDeclaration): void => {
    // Evaluated where the class is defined: decorators, heritage, computed names, static parts.
    for (const d of ts.canHaveDecorators(cls) ? (ts.getDecorators(cls) ?? []) : []) visit(d);
    for (const clause of cls.heritageClauses ?? []) for (const t of clause.types) visit(t.expression);
    const ctor = explicitConstructor(cls);
    nested.push(ctor ?? cls);
    for (const member of cls.members) {
      if (member.name && ts.isComputedPropertyName(member.name)) visit(member.name.expression);
      if (ts.isClassStaticBlockDeclaration(member)) visit(member.body);
      else if (ts.isPropertyDeclaration(member) && isStatic(member) && member.initializer) visit(member.initializer);
      else if (isFunctionLikeWithBody(member) && !ts.isConstructorDeclaration(member)) nested.push(member);
    }
  };

  /** `call` resolved to library code (no target, nothing unresolved): it runs what it is given out of sight. */
  const visitArguments = (args: ts.NodeArray<ts.Expression> | undefined, call: Resolution): void => {
    const toLibrary = call.targets.length === 0 && !call.unresolved;
    for (const arg of args ?? []) {
      const inner = skipOuterExpressions(arg);
      if (isFunctionLikeWithBody(inner)) callees.push({ target: inner, site: arg });
      else record(arg, resolveFunctionValue(ctx, arg, toLibrary));
    }
  };

  const handle = (n: ts.Node): void => {
    if (isFunctionLikeWithBody(n)) {
      nested.push(n);
      return;
    }
    if (ts.isClassLike(n)) {
      visitClass(n);
      return;
    }
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return;
    if (ts.isCallExpression(n)) {
      const call = resolveCall(ctx, n);
      record(n, call);
      visitArguments(n.arguments, call);
    } else if (ts.isTaggedTemplateExpression(n)) {
      record(n, resolveCall(ctx, n));
    } else if (ts.isNewExpression(n)) {
      const made = resolveNew(ctx, n);
      record(n, made);
      visitArguments(n.arguments, made);
    } else if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) {
      record(n, resolveAccess(ctx, n));
    } else if (ts.isForOfStatement(n)) {
      record(n.expression, resolveIteration(ctx, n.expression, n.awaitModifier !== undefined));
    } else if (ts.isSpreadElement(n)) {
      record(n, resolveIteration(ctx, n.expression, false));
    } else if (ts.isYieldExpression(n) && n.asteriskToken && n.expression) {
      const fn = ts.findAncestor(n, ts.isFunctionLike);
      const isAsync = fn !== undefined && (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
      record(n, resolveIteration(ctx, n.expression, isAsync));
    } else if (ts.isArrayBindingPattern(n) && ts.isVariableDeclaration(n.parent) && n.parent.initializer) {
      record(n, resolveIteration(ctx, n.parent.initializer, false));
    } else if (ts.isBindingElement(n) && n.initializer) {
      // A destructuring default (`{ run = put }`) runs wherever the binding is called: a function value.
      record(n.initializer, resolveFunctionValue(ctx, n.initializer, false));
    } else if (ts.isObjectBindingPattern(n) && (ts.isVariableDeclaration(n.parent) || ts.isParameter(n.parent))) {
      const source = ts.isVariableDeclaration(n.parent) ? n.parent.initializer : n.parent;
      if (source) record(n, resolveDestructuredReads(ctx, n, source));
    } else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isObjectLiteralExpression(skipOuterExpressions(n.left))
    ) {
      record(n.left, resolveDestructuredReads(ctx, skipOuterExpressions(n.left) as ts.ObjectLiteralExpression, n.right));
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isArrayLiteralExpression(skipOuterExpressions(n.left))) {
      record(n.left, resolveIteration(ctx, n.right, false));
    }
    ts.forEachChild(n, visit);
  };

  try {
    if (ts.isClassLike(node)) {
      visitInstanceInitializers(node, visit);
      flush();
      while (stack.length > 0) {
        handle(stack.pop()!);
        flush();
      }
      const base = baseClass(ctx.checker, node);
      if (base) record(node, resolveConstruction(base));
    } else {
      for (const p of node.parameters) {
        // A parameter's default (`cb = put`) runs wherever the parameter is called.
        if (p.initializer) record(p.initializer, resolveFunctionValue(ctx, p.initializer, false));
        ts.forEachChild(p, visit);
      }
      if (ts.isConstructorDeclaration(node)) visitInstanceInitializers(node.parent, visit);
      if (node.body && ts.isBlock(node.body)) ts.forEachChild(node.body, visit);
      else if (node.body) visit(node.body);
      flush();
      while (stack.length > 0) {
        handle(stack.pop()!);
        flush();
      }
    }
  } catch {
    // A checker failure on odd code makes the function unanalyzable ("cannot prove"), not the lint run fail.
    unresolved.push({ site: node, reason: 'unanalyzable' });
  }
  barriers.sort((a, b) => a.getStart() - b.getStart());
  return { node, barriers, barrierDeclarations, callees, unresolved, nested };
}

function visitInstanceInitializers(cls: ts.ClassLikeDeclaration, visit: (n: ts.Node) => void): void {
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && !isStatic(member) && member.initializer) visit(member.initializer);
  }
}
