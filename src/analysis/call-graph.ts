// The call graph behind `@nowritebarrierrec`.
//
// Go's checker (cmd/compile/internal/ssagen/nowb.go) records every static call
// after lowering plus an edge from `systemstack(f)` to `f`, then floods from
// the nowritebarrierrec functions. Here the edges come from the type checker:
// calls and `new` resolved across files and re-exports, getter reads and
// setter writes, function values passed as arguments (the systemstack edge,
// generalised), and, where Go stops, every implementation in the program of
// an interface or overridable method. A call that cannot be resolved is kept
// as such so the rule can report it under an option.
//
// The graph is never built whole: a function's facts are computed the first
// time the flood reaches it and cached per program, so code no annotated root
// reaches costs nothing.
import ts from 'typescript';
import { skipOuterExpressions } from './expressions.js';
import { isRuntimeFile } from './offheap-files.js';
import { resolveAlias } from './declarations.js';
import { barrierDirectives, isFunctionLikeWithBody, isWriteBarrierDeclaration, recMarker } from './directives.js';
import type { FunctionLikeWithBody } from './directives.js';

/** A unit of the graph: a function, or a class standing for its implicit constructor. */
export type GraphNode = FunctionLikeWithBody | ts.ClassLikeDeclaration;

export interface CallEdge {
  readonly target: GraphNode;
  /** The call, `new`, property access or argument that makes the edge. */
  readonly site: ts.Node;
}

/** Why a call's target is not known statically. */
export type UnresolvedReason = 'any' | 'function-value' | 'no-implementation' | 'unanalyzable';

export interface UnresolvedCall {
  readonly site: ts.Node;
  readonly reason: UnresolvedReason;
}

/** What one function's own code does; nested functions are separate nodes. */
export interface FunctionFacts {
  readonly node: GraphNode;
  /** Sites that reach a `@writebarrier` declaration, in source order. */
  readonly barriers: readonly ts.Node[];
  readonly callees: readonly CallEdge[];
  readonly unresolved: readonly UnresolvedCall[];
  /** Functions (and implicit constructors) defined directly inside. */
  readonly nested: readonly GraphNode[];
}

/** Work counters, so tests can prove the flood linear without timing it. */
export interface CallGraphStats {
  /** Functions whose facts were computed. */
  functions: number;
  /** Edges the flood examined. */
  edges: number;
  /** Declarations examined while resolving sites (overload sets, implementations). */
  declarations: number;
}

export interface CallGraph {
  readonly program: ts.Program;
  facts(node: GraphNode): FunctionFacts;
  readonly stats: CallGraphStats;
}

interface GraphState extends CallGraph {
  /** Who may implement what; built on the first dispatch. */
  implementers?: ImplementerIndex;
  rec?: RecResult;
}

const graphs = new WeakMap<ts.Program, GraphState>();

/** The lazily built call graph of a program. */
export function callGraphOf(program: ts.Program): CallGraph {
  return state(program);
}

function state(program: ts.Program): GraphState {
  let graph = graphs.get(program);
  if (!graph) {
    const cache = new Map<GraphNode, FunctionFacts>();
    const created: GraphState = {
      program,
      stats: { functions: 0, edges: 0, declarations: 0 },
      facts(node) {
        let found = cache.get(node);
        if (!found) {
          found = computeFacts(created, node);
          cache.set(node, found);
          created.stats.functions++;
        }
        return found;
      },
    };
    graph = created;
    graphs.set(program, graph);
  }
  return graph;
}

export function callGraphStats(program: ts.Program): Readonly<CallGraphStats> {
  return state(program).stats;
}

function isStatic(member: ts.Node): boolean {
  return ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

function explicitConstructor(cls: ts.ClassLikeDeclaration): ts.ConstructorDeclaration | undefined {
  return cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
}

/** The node that runs when a class is constructed. */
function constructorNode(cls: ts.ClassLikeDeclaration): GraphNode {
  return explicitConstructor(cls) ?? cls;
}

function classOfSymbol(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.ClassLikeDeclaration | undefined {
  if (!symbol) return undefined;
  const target = resolveAlias(checker, symbol);
  for (const decl of target.declarations ?? []) {
    if (ts.isClassDeclaration(decl) || ts.isClassExpression(decl)) return decl;
    if (ts.isVariableDeclaration(decl) && decl.initializer) {
      const init = skipOuterExpressions(decl.initializer);
      if (ts.isClassExpression(init)) return init;
    }
  }
  return undefined;
}

function baseClass(checker: ts.TypeChecker, cls: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  for (const clause of cls.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    const expr = clause.types[0]?.expression;
    if (expr) return classOfSymbol(checker, checker.getSymbolAtLocation(expr));
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Resolution: which declarations an invocation reaches.

interface Resolution {
  /** Declarations that run: function-likes with bodies, classes (implicit constructors), or `@writebarrier` declarations. */
  readonly targets: ts.Node[];
  readonly unresolved?: UnresolvedReason;
  /** The unresolved member is the runtime's own (implemented by generated code). */
  readonly inRuntime?: boolean;
}

const leaf: Resolution = { targets: [] };

function isInterfaceMember(decl: ts.Node): boolean {
  return (
    (ts.isMethodSignature(decl) || ts.isPropertySignature(decl)) &&
    (ts.isInterfaceDeclaration(decl.parent) || ts.isTypeLiteralNode(decl.parent))
  );
}

function isAbstract(decl: ts.Node): boolean {
  return ts.canHaveModifiers(decl) && (ts.getModifiers(decl) ?? []).some((m) => m.kind === ts.SyntaxKind.AbstractKeyword);
}

/**
 * The function a declaration names: itself, or the function initializer of a
 * `const`, class field or object property. A `let` may be reassigned, so what
 * it holds is a function value.
 */
function functionOf(decl: ts.Node): FunctionLikeWithBody | undefined {
  if (isFunctionLikeWithBody(decl)) return decl;
  if ((isConstVariable(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) {
    const init = skipOuterExpressions(decl.initializer);
    if (isFunctionLikeWithBody(init)) return init;
  }
  return undefined;
}

/** The symbol a class, interface or type-literal alias is known by. */
function ownerSymbol(checker: ts.TypeChecker, owner: ts.Node): ts.Symbol | undefined {
  if (ts.isTypeLiteralNode(owner)) return ts.isTypeAliasDeclaration(owner.parent) ? ownerSymbol(checker, owner.parent) : undefined;
  const name = (owner as { name?: ts.Node }).name;
  if (name) return checker.getSymbolAtLocation(name);
  if (ts.isClassExpression(owner) && ts.isVariableDeclaration(owner.parent)) return checker.getSymbolAtLocation(owner.parent.name);
  return undefined;
}

interface ImplementerIndex {
  /** Classes and interfaces per type symbol they extend or implement directly. */
  readonly heritage: Map<ts.Symbol, (ts.ClassLikeDeclaration | ts.InterfaceDeclaration)[]>;
  /** Object literals per property name: their contextual types are asked only when a dispatch needs the name. */
  readonly literals: Map<string, ts.ObjectLiteralExpression[]>;
  readonly literalTypes: Map<ts.ObjectLiteralExpression, ts.Symbol[]>;
}

/** One syntactic walk of the program's own files, on the first dispatch only. */
function implementerIndex(graph: GraphState): ImplementerIndex {
  if (graph.implementers) return graph.implementers;
  const checker = graph.program.getTypeChecker();
  const heritage = new Map<ts.Symbol, (ts.ClassLikeDeclaration | ts.InterfaceDeclaration)[]>();
  const literals = new Map<string, ts.ObjectLiteralExpression[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) {
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          const symbol = checker.getSymbolAtLocation(type.expression);
          if (!symbol) continue;
          const base = resolveAlias(checker, symbol);
          let list = heritage.get(base);
          if (!list) heritage.set(base, (list = []));
          list.push(node);
        }
      }
    } else if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        const name = memberName(property);
        if (name === undefined) continue;
        let list = literals.get(name);
        if (!list) literals.set(name, (list = []));
        if (list.at(-1) !== node) list.push(node);
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of graph.program.getSourceFiles()) {
    if (!file.isDeclarationFile) visit(file);
  }
  graph.implementers = { heritage, literals, literalTypes: new Map() };
  return graph.implementers;
}

/** The type symbols an object literal is written against (its contextual type, union members included). */
function literalTypeSymbols(graph: GraphState, index: ImplementerIndex, literal: ts.ObjectLiteralExpression): ts.Symbol[] {
  let symbols = index.literalTypes.get(literal);
  if (!symbols) {
    symbols = [];
    const contextual = graph.program.getTypeChecker().getContextualType(literal);
    for (const t of contextual?.isUnion() ? contextual.types : contextual ? [contextual] : []) {
      if (t.aliasSymbol) symbols.push(t.aliasSymbol);
      const symbol = t.getSymbol();
      if (symbol) symbols.push(symbol);
    }
    index.literalTypes.set(literal, symbols);
  }
  return symbols;
}

/**
 * Every class in the program that implements or extends `owner` (a class,
 * interface or type-literal alias), transitively, and every object literal
 * with a property `name` written against one of those types: the candidates
 * for dynamic dispatch of `name` through it.
 */
function implementersOf(graph: GraphState, owner: ts.Node, name: string): (ts.ClassLikeDeclaration | ts.ObjectLiteralExpression)[] {
  const checker = graph.program.getTypeChecker();
  const start = ownerSymbol(checker, owner);
  const found: (ts.ClassLikeDeclaration | ts.ObjectLiteralExpression)[] = [];
  if (!start) return found;
  const index = implementerIndex(graph);
  const types = new Set<ts.Symbol>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const sub of index.heritage.get(stack.pop()!) ?? []) {
      const symbol = ownerSymbol(checker, sub);
      if (!symbol || types.has(symbol)) continue;
      types.add(symbol);
      stack.push(symbol);
      if (ts.isClassLike(sub)) found.push(sub);
    }
  }
  for (const literal of index.literals.get(name) ?? []) {
    if (literalTypeSymbols(graph, index, literal).some((symbol) => types.has(symbol))) found.push(literal);
  }
  return found;
}

function memberName(decl: ts.Node): string | undefined {
  const name = (decl as { name?: ts.PropertyName }).name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

/** The functions a member declaration runs for `want`: accessors by kind, else the function it names. */
function memberFunctions(checker: ts.TypeChecker, member: ts.Node, want: 'call' | 'get' | 'set', found: ts.Node[]): void {
  if (want === 'get' && !ts.isGetAccessorDeclaration(member)) return;
  if (want === 'set' && !ts.isSetAccessorDeclaration(member)) return;
  if (isWriteBarrierDeclaration(member)) {
    if (!found.includes(member)) found.push(member);
    return;
  }
  const fn = functionOf(member);
  if (fn) {
    if (!found.includes(fn)) found.push(fn);
    return;
  }
  // `{ fire: handler }` and `{ handler }`: the functions the value names.
  let value: ts.Symbol | undefined;
  if (ts.isShorthandPropertyAssignment(member)) value = checker.getShorthandAssignmentValueSymbol(member);
  else if (ts.isPropertyAssignment(member) || ts.isPropertyDeclaration(member)) {
    const init = member.initializer && skipOuterExpressions(member.initializer);
    if (init && (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init))) {
      value = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(init) ? init.name : init);
    }
  }
  for (const d of value ? (resolveAlias(checker, value).declarations ?? []) : []) {
    const target = isWriteBarrierDeclaration(d) ? d : functionOf(d);
    if (target && !found.includes(target)) found.push(target);
  }
}

/**
 * Implementations of a member `decl` (interface member, abstract or
 * overridable method, accessor) in the program's implementers of its owner:
 * on a class's instance type, so inherited bodies count, and in object
 * literals typed by the owner.
 */
function implementationsOf(graph: GraphState, decl: ts.Node, want: 'call' | 'get' | 'set'): ts.Node[] {
  const name = memberName(decl);
  if (!name) return [];
  const checker = graph.program.getTypeChecker();
  const found: ts.Node[] = [];
  for (const impl of implementersOf(graph, decl.parent, name)) {
    graph.stats.declarations++;
    if (ts.isObjectLiteralExpression(impl)) {
      for (const member of impl.properties) if (memberName(member) === name) memberFunctions(checker, member, want, found);
      continue;
    }
    const symbol = ownerSymbol(checker, impl);
    if (!symbol) continue;
    const property = checker.getPropertyOfType(checker.getDeclaredTypeOfSymbol(symbol), name);
    for (const member of property?.declarations ?? []) {
      if (member !== decl) memberFunctions(checker, member, want, found);
    }
  }
  return found;
}

/** The declarations of one overloaded function: a declaration with a body has none besides itself. */
function overloadSet(checker: ts.TypeChecker, decl: ts.Node): readonly ts.Node[] {
  if ((decl as { body?: ts.Node }).body) return [decl];
  if (ts.isConstructorDeclaration(decl)) return decl.parent.members.filter(ts.isConstructorDeclaration);
  if ((ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) && decl.name) {
    const symbol = checker.getSymbolAtLocation(decl.name);
    return symbol?.declarations?.filter((d) => d.kind === decl.kind) ?? [decl];
  }
  return [decl];
}

function isTypeLevelSignature(decl: ts.Node): boolean {
  return ts.isFunctionTypeNode(decl) || ts.isConstructorTypeNode(decl) || ts.isCallSignatureDeclaration(decl) || ts.isConstructSignatureDeclaration(decl);
}

/**
 * The targets of a call whose resolved signature came from `decl`. Overload
 * signatures lead to the implementation; interface and abstract members to
 * every implementation; concrete instance methods also to their overrides,
 * unless called through `super`.
 */
function targetsOfDeclaration(graph: GraphState, decl: ts.Node, viaSuper: boolean): Resolution {
  // An overload set is one function: any tagged signature makes it a barrier.
  const siblings = overloadSet(graph.program.getTypeChecker(), decl);
  graph.stats.declarations += siblings.length;
  for (const sibling of siblings) if (isWriteBarrierDeclaration(sibling)) return { targets: [sibling] };

  const fn = functionOf(decl) ?? siblings.map(functionOf).find((f) => f !== undefined);
  if (fn) {
    const targets: ts.Node[] = [fn];
    const member = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyDeclaration(fn.parent) ? fn.parent : undefined;
    if (!viaSuper && member && ts.isClassLike(member.parent) && !isStatic(member)) {
      for (const impl of implementationsOf(graph, member, 'call')) if (!targets.includes(impl)) targets.push(impl);
    }
    return { targets };
  }
  if (decl.getSourceFile().isDeclarationFile) return leaf; // library code: it calls user code only through arguments
  if (isInterfaceMember(decl) || (isAbstract(decl) && ts.isClassLike(decl.parent))) {
    const targets = implementationsOf(graph, decl, 'call');
    return targets.length > 0 ? { targets } : { targets, unresolved: 'no-implementation', inRuntime: isRuntimeFile(decl.getSourceFile()) };
  }
  if (ts.isClassLike(decl)) return { targets: [constructorNode(decl)] };
  return { targets: [], unresolved: 'function-value' };
}

function isConstVariable(decl: ts.Node): decl is ts.VariableDeclaration {
  return ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

function resolveCall(graph: GraphState, call: ts.CallExpression | ts.TaggedTemplateExpression): Resolution {
  const checker = graph.program.getTypeChecker();
  const callee = skipOuterExpressions(ts.isCallExpression(call) ? call.expression : call.tag);
  if (callee.kind === ts.SyntaxKind.SuperKeyword) {
    const cls = ts.findAncestor(call, ts.isClassLike);
    const base = cls && baseClass(checker, cls);
    return base ? resolveConstruction(base) : leaf;
  }
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return leaf;
  const viaSuper = ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.SuperKeyword;
  if (checker.getTypeAtLocation(callee).flags & ts.TypeFlags.Any) return { targets: [], unresolved: 'any' };
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  const symbol = checker.getSymbolAtLocation(nameNode);
  // A `let` or a parameter holds whatever was last assigned, whatever its initializer was.
  const holder = symbol && resolveAlias(checker, symbol).valueDeclaration;
  if (holder && (ts.isParameter(holder) || (ts.isVariableDeclaration(holder) && !isConstVariable(holder)))) {
    return { targets: [], unresolved: 'function-value' };
  }
  const decl = checker.getResolvedSignature(call)?.declaration;
  if (decl && !ts.isJSDocSignature(decl) && !isTypeLevelSignature(decl)) return targetsOfDeclaration(graph, decl, viaSuper);
  // Union signatures and function-typed names: take the functions the callee names.
  if (!symbol) return { targets: [], unresolved: 'function-value' };
  const targets: ts.Node[] = [];
  let unresolved: UnresolvedReason | undefined;
  for (const d of resolveAlias(checker, symbol).declarations ?? []) {
    // A getter's result is a function value, not the getter (which resolveAccess already counts).
    if (ts.isGetAccessorDeclaration(d)) {
      unresolved ??= 'function-value';
      continue;
    }
    const r = targetsOfDeclaration(graph, d, viaSuper);
    for (const t of r.targets) if (!targets.includes(t)) targets.push(t);
    unresolved ??= r.unresolved;
  }
  return { targets, unresolved };
}

/** What `new C` or `super()` runs: a tagged constructor is a barrier; ambient classes are library code. */
function resolveConstruction(cls: ts.ClassLikeDeclaration): Resolution {
  if (isWriteBarrierDeclaration(cls)) return { targets: [cls] };
  const tagged = cls.members.filter(ts.isConstructorDeclaration).find(isWriteBarrierDeclaration);
  if (tagged) return { targets: [tagged] };
  if (cls.getSourceFile().isDeclarationFile) return leaf;
  return { targets: [constructorNode(cls)] };
}

function resolveNew(graph: GraphState, expr: ts.NewExpression): Resolution {
  const checker = graph.program.getTypeChecker();
  const callee = skipOuterExpressions(expr.expression);
  const cls = classOfSymbol(checker, checker.getSymbolAtLocation(callee));
  if (cls) return resolveConstruction(cls);
  if (checker.getTypeAtLocation(callee).flags & ts.TypeFlags.Any) return { targets: [], unresolved: 'any' };
  const decl = checker.getResolvedSignature(expr)?.declaration;
  if (decl && !ts.isJSDocSignature(decl)) {
    if (decl.getSourceFile().isDeclarationFile) return isWriteBarrierDeclaration(decl) ? { targets: [decl] } : leaf;
    return targetsOfDeclaration(graph, decl, false);
  }
  return { targets: [], unresolved: 'function-value' };
}

/**
 * The assignment a node is a destructuring target of (`[o.x] = a`,
 * `({ k: o.x } = src)`, `for (o.x of xs)`), if any.
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
  let child: ts.Node = node;
  let parent = node.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
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
function resolveDestructuredReads(graph: GraphState, pattern: ts.ObjectBindingPattern | ts.ObjectLiteralExpression, source: ts.Node): Resolution {
  const checker = graph.program.getTypeChecker();
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

/** Getters and setters a property access runs. */
function resolveAccess(graph: GraphState, access: ts.PropertyAccessExpression | ts.ElementAccessExpression): Resolution {
  const checker = graph.program.getTypeChecker();
  const nameNode = ts.isPropertyAccessExpression(access) ? access.name : access.argumentExpression;
  const symbol = checker.getSymbolAtLocation(nameNode);
  if (!symbol) return leaf;
  if (!(symbol.flags & ts.SymbolFlags.Accessor)) return symbol.flags & ts.SymbolFlags.Property ? resolveAbstractProperty(graph, access, symbol) : leaf;
  const { read, write } = accessKind(access);
  const viaSuper = access.expression.kind === ts.SyntaxKind.SuperKeyword;
  const targets: ts.Node[] = [];
  for (const decl of symbol.declarations ?? []) {
    if (!ts.isGetAccessorDeclaration(decl) && !ts.isSetAccessorDeclaration(decl)) continue;
    if (!(ts.isGetAccessorDeclaration(decl) ? read : write)) continue;
    if (isWriteBarrierDeclaration(decl)) {
      targets.push(decl);
      continue;
    }
    if (decl.body) targets.push(decl);
    if (!viaSuper && ts.isClassLike(decl.parent) && !isStatic(decl)) {
      for (const impl of implementationsOf(graph, decl, ts.isGetAccessorDeclaration(decl) ? 'get' : 'set')) {
        if (!targets.includes(impl)) targets.push(impl);
      }
    }
  }
  return { targets };
}

/**
 * An interface or abstract property may be implemented by accessors: the
 * getters a read and the setters a write may run. Library and runtime
 * interfaces are left alone (`length` is not worth a program walk).
 */
function resolveAbstractProperty(graph: GraphState, access: ts.Expression, symbol: ts.Symbol): Resolution {
  const targets: ts.Node[] = [];
  let kind: { read: boolean; write: boolean } | undefined;
  for (const decl of symbol.declarations ?? []) {
    if (!(isInterfaceMember(decl) || (ts.isPropertyDeclaration(decl) && isAbstract(decl)))) continue;
    const file = decl.getSourceFile();
    if (file.isDeclarationFile || isRuntimeFile(file)) continue;
    kind ??= accessKind(access);
    for (const want of ['get', 'set'] as const) {
      if (!(want === 'get' ? kind.read : kind.write)) continue;
      for (const impl of implementationsOf(graph, decl, want)) if (!targets.includes(impl)) targets.push(impl);
    }
  }
  return targets.length > 0 ? { targets } : leaf;
}

/** A function value passed as an argument: the callee may run it (Go's systemstack edge). */
function resolveFunctionValue(graph: GraphState, arg: ts.Expression): Resolution {
  const checker = graph.program.getTypeChecker();
  const expr = skipOuterExpressions(arg);
  if (!ts.isIdentifier(expr) && !ts.isPropertyAccessExpression(expr)) return leaf;
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(expr) ? expr.name : expr);
  if (!symbol) return leaf;
  const targets: ts.Node[] = [];
  for (const decl of resolveAlias(checker, symbol).declarations ?? []) {
    if (isWriteBarrierDeclaration(decl)) targets.push(decl);
    else {
      const fn = functionOf(decl);
      if (fn && !targets.includes(fn)) targets.push(fn);
    }
  }
  return { targets };
}

// ---------------------------------------------------------------------------
// Facts of one function.

function computeFacts(graph: GraphState, node: GraphNode): FunctionFacts {
  const checker = graph.program.getTypeChecker();
  const barriers: ts.Node[] = [];
  const callees: CallEdge[] = [];
  const unresolved: UnresolvedCall[] = [];
  const nested: GraphNode[] = [];

  const inRuntime = isRuntimeFile(node.getSourceFile());
  const record = (site: ts.Node, resolution: Resolution): void => {
    for (const target of resolution.targets) {
      if (isWriteBarrierDeclaration(target)) {
        if (!barriers.includes(site)) barriers.push(site);
      } else if ((isFunctionLikeWithBody(target) || ts.isClassLike(target)) && (inRuntime || !isRuntimeFile(target.getSourceFile()))) {
        callees.push({ target, site });
      }
    }
    if (resolution.unresolved && !(resolution.inRuntime && !inRuntime)) unresolved.push({ site, reason: resolution.unresolved });
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

  const visitArguments = (args: ts.NodeArray<ts.Expression> | undefined): void => {
    for (const arg of args ?? []) {
      const inner = skipOuterExpressions(arg);
      if (isFunctionLikeWithBody(inner)) callees.push({ target: inner, site: arg });
      else record(arg, resolveFunctionValue(graph, arg));
    }
  };

  function visit(n: ts.Node): void {
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
      record(n, resolveCall(graph, n));
      visitArguments(n.arguments);
    } else if (ts.isTaggedTemplateExpression(n)) {
      record(n, resolveCall(graph, n));
    } else if (ts.isNewExpression(n)) {
      record(n, resolveNew(graph, n));
      visitArguments(n.arguments);
    } else if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) {
      record(n, resolveAccess(graph, n));
    } else if (ts.isObjectBindingPattern(n) && (ts.isVariableDeclaration(n.parent) || ts.isParameter(n.parent))) {
      const source = ts.isVariableDeclaration(n.parent) ? n.parent.initializer : n.parent;
      if (source) record(n, resolveDestructuredReads(graph, n, source));
    } else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isObjectLiteralExpression(skipOuterExpressions(n.left))
    ) {
      record(n.left, resolveDestructuredReads(graph, skipOuterExpressions(n.left) as ts.ObjectLiteralExpression, n.right));
    }
    ts.forEachChild(n, visit);
  }

  try {
    if (ts.isClassLike(node)) {
      visitInstanceInitializers(node, visit);
      const base = baseClass(checker, node);
      if (base) record(node, resolveConstruction(base));
    } else {
      for (const p of node.parameters) ts.forEachChild(p, visit);
      if (ts.isConstructorDeclaration(node)) visitInstanceInitializers(node.parent, visit);
      if (node.body) ts.forEachChild(node.body, visit);
      if (node.body && !ts.isBlock(node.body)) visit(node.body);
    }
  } catch {
    // A checker failure on odd code makes the function unanalyzable, not the lint run fail.
    unresolved.push({ site: node, reason: 'unanalyzable' });
  }
  barriers.sort((a, b) => a.getStart() - b.getStart());
  return { node, barriers, callees, unresolved, nested };
}

function visitInstanceInitializers(cls: ts.ClassLikeDeclaration, visit: (n: ts.Node) => void): void {
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && !isStatic(member) && member.initializer) visit(member.initializer);
  }
}

// ---------------------------------------------------------------------------
// Naming, for messages: Go-like `T.m`, `e1.func1`.

const nameCache = new WeakMap<ts.Node, string>();

function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return `[${name.expression.getText()}]`;
  return undefined;
}

function className(cls: ts.ClassLikeDeclaration): string {
  if (cls.name) return cls.name.text;
  const host = cls.parent;
  if (ts.isVariableDeclaration(host) && ts.isIdentifier(host.name)) return host.name.text;
  return '(class)';
}

/** The name a function gets in messages. */
export function functionName(node: GraphNode): string {
  let name = nameCache.get(node);
  if (name === undefined) {
    name = computeName(node);
    nameCache.set(node, name);
  }
  return name;
}

function computeName(node: GraphNode): string {
  if (ts.isClassLike(node) || ts.isConstructorDeclaration(node)) {
    return `new ${className(ts.isClassLike(node) ? node : node.parent)}`;
  }
  if (ts.isFunctionDeclaration(node)) return node.name?.text ?? 'default';
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const member = propertyNameText(node.name) ?? '?';
    const owner = ts.isClassLike(node.parent) ? className(node.parent) : objectName(node.parent);
    const qualified = owner ? `${owner}.${member}` : member;
    return ts.isGetAccessorDeclaration(node) ? `get ${qualified}` : ts.isSetAccessorDeclaration(node) ? `set ${qualified}` : qualified;
  }
  // A function expression or arrow: named by what it is assigned to, else a closure of its encloser.
  let host: ts.Node = node.parent;
  while (ts.isParenthesizedExpression(host) || ts.isAsExpression(host) || ts.isSatisfiesExpression(host)) host = host.parent;
  if (ts.isVariableDeclaration(host) && ts.isIdentifier(host.name)) return host.name.text;
  if (ts.isPropertyDeclaration(host)) {
    const member = propertyNameText(host.name) ?? '?';
    return ts.isClassLike(host.parent) ? `${className(host.parent)}.${member}` : member;
  }
  if (ts.isPropertyAssignment(host)) {
    const member = propertyNameText(host.name) ?? '?';
    const owner = objectName(host.parent);
    return owner ? `${owner}.${member}` : member;
  }
  if (ts.isBinaryExpression(host) && host.operatorToken.kind === ts.SyntaxKind.EqualsToken) return host.left.getText();
  if (ts.isFunctionExpression(node) && node.name) return node.name.text;
  const encloser = ts.findAncestor(node.parent, (n): n is GraphNode => isFunctionLikeWithBody(n) || ts.isClassLike(n));
  if (!encloser) return `func@${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const owner = ts.isClassLike(encloser) ? className(encloser) : functionName(encloser);
  return `${owner}.func${closureIndex(encloser, node)}`;
}

function objectName(literal: ts.Node): string | undefined {
  const host = literal.parent;
  if (host && ts.isVariableDeclaration(host) && ts.isIdentifier(host.name)) return host.name.text;
  return undefined;
}

/** Go numbers closures 1, 2, … in source order within their enclosing function. */
function closureIndex(encloser: ts.Node, target: ts.Node): number {
  let index = 0;
  let found = 0;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionExpression(n) || ts.isArrowFunction(n)) {
      index++;
      if (n === target) found = index;
      return;
    }
    if (isFunctionLikeWithBody(n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(encloser, visit);
  return found || index + 1;
}

// ---------------------------------------------------------------------------
// The nowritebarrierrec flood (nowb.go's check).

/** A function reached from a root. */
export interface RecFinding {
  readonly fn: GraphNode;
  /** The first barrier of `fn` (Go's WBPos), or an unresolved call in it. */
  readonly site: ts.Node;
  /** `[fn, caller, …, root]`, computed on demand (only reports need it). */
  path(): GraphNode[];
}

export interface RecResult {
  readonly roots: readonly GraphNode[];
  /** Reached functions that contain a barrier, each once. Roots are left to the `@nowritebarrier` check. */
  readonly barriers: readonly RecFinding[];
  /** Unresolved calls in reached functions. */
  readonly unresolved: readonly (RecFinding & { readonly reason: UnresolvedReason })[];
}

/** The `@nowritebarrierrec` functions of the program's own (non-declaration) files. */
export function recRoots(program: ts.Program): GraphNode[] {
  const roots: GraphNode[] = [];
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || !file.text.includes(recMarker)) continue;
    const visit = (n: ts.Node): void => {
      if (isFunctionLikeWithBody(n) && barrierDirectives(n).nowritebarrierrec) roots.push(n);
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  return roots;
}

/**
 * Breadth-first from every root at once, never entering a
 * `@yeswritebarrierrec` function, visiting each function once and keeping
 * the first caller that reached it. A reached function with a barrier is
 * reported and not continued past. Cached per program.
 */
export function nowritebarrierrecFlood(program: ts.Program): RecResult {
  const graph = state(program);
  if (graph.rec) return graph.rec;
  const roots = recRoots(program);
  const caller = new Map<GraphNode, GraphNode | undefined>();
  const queue: GraphNode[] = [];
  for (const root of roots) {
    if (!caller.has(root)) {
      caller.set(root, undefined);
      queue.push(root);
    }
  }
  const pathOf = (fn: GraphNode): GraphNode[] => {
    const path: GraphNode[] = [];
    for (let at: GraphNode | undefined = fn; at; at = caller.get(at)) path.push(at);
    return path;
  };
  const barriers: RecFinding[] = [];
  const unresolved: (RecFinding & { reason: UnresolvedReason })[] = [];
  for (let head = 0; head < queue.length; head++) {
    const fn = queue[head];
    const facts = graph.facts(fn);
    const path = (): GraphNode[] => pathOf(fn);
    if (facts.barriers.length > 0) {
      if (caller.get(fn) !== undefined) barriers.push({ fn, path, site: facts.barriers[0] });
      continue;
    }
    // Unresolved calls are edges the flood cannot take: reported where it would have.
    for (const u of facts.unresolved) unresolved.push({ fn, path, site: u.site, reason: u.reason });
    for (const edge of facts.callees) {
      graph.stats.edges++;
      const target = edge.target;
      if (caller.has(target)) continue;
      if (!ts.isClassLike(target) && barrierDirectives(target).yeswritebarrierrec) continue;
      caller.set(target, fn);
      queue.push(target);
    }
  }
  graph.rec = { roots, barriers, unresolved };
  return graph.rec;
}
