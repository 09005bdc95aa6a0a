// Dynamic dispatch: which bodies a call through an interface member, an
// abstract or overridable method, an accessor or a union-typed receiver may
// run. Go follows none of these; here every implementation in the program is
// a candidate:
// - classes that `implements`/`extends` the owner, transitively;
// - classes with a member of the dispatched name whose instance type is
//   assignable to an interface or type-literal owner (structural
//   implementations, one check per class and owner);
// - object literals whose contextual type is the owner.
// The program's own files are indexed once, on the first dispatch, and the
// checker is asked only about candidates that have the dispatched name.
import ts from 'typescript';
import { resolveAlias } from '../declarations.js';
import { forEachNode } from '../directives.js';
import { skipOuterExpressions } from '../expressions.js';
import { isRuntimeFile } from '../offheap-files.js';
import type { GraphContext } from './graph.js';
import {
  constructorNode,
  functionOf,
  isAbstract,
  isAmbient,
  isInterfaceMember,
  isStatic,
  isWriteBarrierDeclaration,
  leaf,
  memberName,
  overloadSet,
  ownerSymbol,
} from './resolve.js';
import type { Resolution, UnresolvedReason } from './resolve.js';

type Implementer = ts.ClassLikeDeclaration | ts.ObjectLiteralExpression;

export interface ImplementerIndex {
  /** Classes and interfaces per type symbol they extend or implement directly. */
  readonly heritage: Map<ts.Symbol, (ts.ClassLikeDeclaration | ts.InterfaceDeclaration)[]>;
  /** Object literals per property name: their contextual types are asked only when a dispatch needs the name. */
  readonly literals: Map<string, ts.ObjectLiteralExpression[]>;
  readonly literalTypes: Map<ts.ObjectLiteralExpression, ts.Symbol[]>;
  /** Classes per instance member name: candidates for structural implementation. */
  readonly classMembers: Map<string, ts.ClassLikeDeclaration[]>;
  /** `class -> owner symbol -> assignable`, each pair checked once. */
  readonly structural: Map<ts.ClassLikeDeclaration, Map<ts.Symbol, boolean>>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (list.at(-1) !== value) list.push(value);
}

/** One syntactic walk of the program's own files, on the first dispatch only. */
function implementerIndex(ctx: GraphContext): ImplementerIndex {
  ctx.dispatched = true;
  if (ctx.implementers) return ctx.implementers;
  const { checker } = ctx;
  const heritage = new Map<ts.Symbol, (ts.ClassLikeDeclaration | ts.InterfaceDeclaration)[]>();
  const literals = new Map<string, ts.ObjectLiteralExpression[]>();
  const classMembers = new Map<string, ts.ClassLikeDeclaration[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) {
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          const symbol = checker.getSymbolAtLocation(type.expression);
          if (symbol) push(heritage, resolveAlias(checker, symbol), node);
        }
      }
      if (ts.isClassLike(node) && !isAmbient(node)) {
        for (const member of node.members) {
          const name = isStatic(member) ? undefined : memberName(member);
          if (name !== undefined) push(classMembers, name, node);
        }
      }
    } else if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        const name = memberName(property);
        if (name !== undefined) push(literals, name, node);
      }
    }
  };
  for (const file of ctx.program.getSourceFiles()) {
    if (!file.isDeclarationFile) forEachNode(file, visit);
  }
  ctx.implementers = { heritage, literals, literalTypes: new Map(), classMembers, structural: new Map() };
  return ctx.implementers;
}

/** The type symbols an object literal is written against (its contextual type, union members included). */
function literalTypeSymbols(ctx: GraphContext, index: ImplementerIndex, literal: ts.ObjectLiteralExpression): ts.Symbol[] {
  let symbols = index.literalTypes.get(literal);
  if (!symbols) {
    symbols = [];
    const contextual = ctx.checker.getContextualType(literal);
    for (const t of contextual?.isUnion() ? contextual.types : contextual ? [contextual] : []) {
      if (t.aliasSymbol) symbols.push(t.aliasSymbol);
      const symbol = t.getSymbol();
      if (symbol) symbols.push(symbol);
    }
    index.literalTypes.set(literal, symbols);
  }
  return symbols;
}

/** Whether a class's instances are assignable to an interface or type-literal alias it does not name. */
function implementsStructurally(ctx: GraphContext, index: ImplementerIndex, cls: ts.ClassLikeDeclaration, owner: ts.Symbol): boolean {
  let byOwner = index.structural.get(cls);
  if (!byOwner) index.structural.set(cls, (byOwner = new Map<ts.Symbol, boolean>()));
  let known = byOwner.get(owner);
  if (known === undefined) {
    ctx.stats.declarations++;
    const symbol = ownerSymbol(ctx.checker, cls);
    const classType = symbol && ctx.checker.getDeclaredTypeOfSymbol(symbol);
    const ownerType = ctx.checker.getDeclaredTypeOfSymbol(owner);
    // A generic owner's declared form (`Sink<T>`) takes no concrete class (`put(v: number)` is not a `put(v: T)`),
    // while its instances (`Sink<number>`) do: its implementers are matched by shape, which may take more, never fewer.
    known = classType !== undefined && (isGeneric(owner) ? hasShapeOf(ctx.checker, classType, ownerType) : ctx.checker.isTypeAssignableTo(classType, ownerType));
    byOwner.set(owner, known);
  }
  return known;
}

/** An interface, class or type alias with type parameters. */
function isGeneric(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some(
    (d) => (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassLike(d)) && (d.typeParameters?.length ?? 0) > 0,
  );
}

/**
 * Whether `type` could be assigned to some instance of the generic `owner`:
 * it has every required member, a method where the owner has one, taking no
 * more required arguments than the owner's signatures pass. Types of
 * parameters and results (which may name the owner's type parameters) are not compared.
 */
function hasShapeOf(checker: ts.TypeChecker, type: ts.Type, owner: ts.Type): boolean {
  const required = (sig: ts.Signature): number =>
    sig.getParameters().filter((p) => {
      const d = p.valueDeclaration;
      return !(d && ts.isParameter(d) && (d.questionToken || d.initializer || d.dotDotDotToken));
    }).length;
  for (const prop of checker.getPropertiesOfType(owner)) {
    if (prop.flags & ts.SymbolFlags.Optional) continue;
    const mine = checker.getPropertyOfType(type, prop.name);
    if (!mine) return false;
    const wanted = checker.getTypeOfSymbol(prop).getCallSignatures();
    if (wanted.length === 0) continue;
    const most = Math.max(...wanted.map((sig) => sig.getParameters().length));
    const have = checker.getTypeOfSymbol(mine).getCallSignatures();
    if (!have.some((sig) => required(sig) <= most)) return false;
  }
  return true;
}

/**
 * Every class in the program that implements or extends `owner` (a class,
 * interface or type-literal alias), transitively or structurally, and every
 * object literal with a property `name` written against one of those types:
 * the candidates for dynamic dispatch of `name` through it.
 */
function implementersOf(ctx: GraphContext, owner: ts.Node, name: string): Implementer[] {
  const start = ownerSymbol(ctx.checker, owner);
  const found: Implementer[] = [];
  if (!start) return found;
  const index = implementerIndex(ctx);
  const types = new Set<ts.Symbol>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const sub of index.heritage.get(stack.pop()!) ?? []) {
      const symbol = ownerSymbol(ctx.checker, sub);
      if (!symbol || types.has(symbol)) continue;
      types.add(symbol);
      stack.push(symbol);
      if (ts.isClassLike(sub)) found.push(sub);
    }
  }
  if (ts.isInterfaceDeclaration(owner) || ts.isTypeLiteralNode(owner)) {
    for (const cls of index.classMembers.get(name) ?? []) {
      if (found.includes(cls) || isRuntimeFile(cls.getSourceFile())) continue;
      if (implementsStructurally(ctx, index, cls, start)) found.push(cls);
    }
  }
  for (const literal of index.literals.get(name) ?? []) {
    if (literalTypeSymbols(ctx, index, literal).some((symbol) => types.has(symbol))) found.push(literal);
  }
  return found;
}

/** The functions a member declaration runs for `want`: accessors by kind, else the function it names. */
export function memberFunctions(checker: ts.TypeChecker, member: ts.Node, want: 'call' | 'get' | 'set', found: ts.Node[]): void {
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
export function implementationsOf(ctx: GraphContext, decl: ts.Node, want: 'call' | 'get' | 'set'): ts.Node[] {
  const name = memberName(decl);
  if (!name) return [];
  const { checker } = ctx;
  const found: ts.Node[] = [];
  for (const impl of implementersOf(ctx, decl.parent, name)) {
    ctx.stats.declarations++;
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

/**
 * The targets of a call whose resolved signature came from `decl`. Overload
 * signatures lead to the implementation; interface and abstract members to
 * every implementation; concrete instance methods also to their overrides,
 * unless called through `super`.
 */
export function targetsOfDeclaration(ctx: GraphContext, decl: ts.Node, viaSuper: boolean): Resolution {
  // An overload set is one function: any barrier signature makes it a barrier.
  const siblings = overloadSet(ctx.checker, decl);
  ctx.stats.declarations += siblings.length;
  for (const sibling of siblings) if (isWriteBarrierDeclaration(sibling)) return { targets: [sibling] };

  const fn = functionOf(decl) ?? siblings.map(functionOf).find((f) => f !== undefined);
  if (fn) {
    const targets: ts.Node[] = [fn];
    const member = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyDeclaration(fn.parent) ? fn.parent : undefined;
    if (!viaSuper && member && ts.isClassLike(member.parent) && !isStatic(member)) {
      for (const impl of implementationsOf(ctx, member, 'call')) if (!targets.includes(impl)) targets.push(impl);
    }
    return { targets };
  }
  if (decl.getSourceFile().isDeclarationFile) return leaf; // library code: it calls user code only through arguments
  // A class method with no body and no overload that has one (`put?(p: P): void;`) is abstract in all but name: a
  // subclass supplies it.
  const bodiless = ts.isMethodDeclaration(decl) && !decl.body && ts.isClassLike(decl.parent) && !isAmbient(decl);
  if (isInterfaceMember(decl) || ((isAbstract(decl) || bodiless) && ts.isClassLike(decl.parent))) {
    const targets = implementationsOf(ctx, decl, 'call');
    return targets.length > 0 ? { targets } : { targets, unresolved: 'no-implementation', inRuntime: isRuntimeFile(decl.getSourceFile()) };
  }
  if (ts.isClassLike(decl)) return { targets: [constructorNode(decl)] };
  if (isAmbient(decl)) return { targets: [], unresolved: 'no-body', inRuntime: isRuntimeFile(decl.getSourceFile()) };
  return { targets: [], unresolved: 'function-value' };
}

/** Every declaration a (possibly union) symbol stands for, each dispatched; the first reason any of them is unresolved. */
export function targetsOfDeclarations(ctx: GraphContext, decls: readonly ts.Node[], viaSuper: boolean): Resolution {
  const targets: ts.Node[] = [];
  let unresolved: UnresolvedReason | undefined;
  let inRuntime: boolean | undefined;
  for (const d of decls) {
    // A getter's result is a function value, not the getter (which the access already counts).
    if (ts.isGetAccessorDeclaration(d)) {
      unresolved ??= 'function-value';
      continue;
    }
    const r = targetsOfDeclaration(ctx, d, viaSuper);
    for (const t of r.targets) if (!targets.includes(t)) targets.push(t);
    if (r.unresolved && !unresolved) {
      unresolved = r.unresolved;
      inRuntime = r.inRuntime;
    }
  }
  return { targets, unresolved, inRuntime };
}

/** Getters and setters that `decls` (the declarations of an accessed property) run for a read and/or a write. */
export function accessorTargets(ctx: GraphContext, decls: readonly ts.Node[], kind: { read: boolean; write: boolean }, viaSuper: boolean): ts.Node[] {
  const targets: ts.Node[] = [];
  for (const decl of decls) {
    if (!ts.isGetAccessorDeclaration(decl) && !ts.isSetAccessorDeclaration(decl)) continue;
    if (!(ts.isGetAccessorDeclaration(decl) ? kind.read : kind.write)) continue;
    if (isWriteBarrierDeclaration(decl)) {
      if (!targets.includes(decl)) targets.push(decl);
      continue;
    }
    if (decl.body && !targets.includes(decl)) targets.push(decl);
    if (!viaSuper && ts.isClassLike(decl.parent) && !isStatic(decl)) {
      for (const impl of implementationsOf(ctx, decl, ts.isGetAccessorDeclaration(decl) ? 'get' : 'set')) {
        if (!targets.includes(impl)) targets.push(impl);
      }
    }
  }
  return targets;
}

/**
 * An interface or abstract property may be implemented by accessors: the
 * getters a read and the setters a write may run. Library and runtime
 * interfaces are left alone (`length` is not worth a program walk).
 */
export function abstractPropertyTargets(ctx: GraphContext, decls: readonly ts.Node[], kind: () => { read: boolean; write: boolean }): ts.Node[] {
  const targets: ts.Node[] = [];
  let known: { read: boolean; write: boolean } | undefined;
  for (const decl of decls) {
    if (!(isInterfaceMember(decl) || (ts.isPropertyDeclaration(decl) && isAbstract(decl)))) continue;
    const file = decl.getSourceFile();
    if (file.isDeclarationFile || isRuntimeFile(file)) continue;
    known ??= kind();
    for (const want of ['get', 'set'] as const) {
      if (!(want === 'get' ? known.read : known.write)) continue;
      for (const impl of implementationsOf(ctx, decl, want)) if (!targets.includes(impl)) targets.push(impl);
    }
  }
  return targets;
}
