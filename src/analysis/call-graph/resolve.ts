// Symbol -> declarations: which declarations a name stands for, and what each
// one is (a function with a body, an overload signature, a class, an ambient
// or library declaration, a barrier). Nothing here looks at a call site or
// asks which implementation a dispatch may reach; syntax.ts and dispatch.ts do.
import ts from 'typescript';
import { declarationId, resolveAlias } from '../declarations.js';
import { effectOf } from '../effects.js';
import { skipOuterExpressions } from '../expressions.js';
import { syntaxCache } from '../program-analysis.js';
import { isFunctionLikeWithBody } from '../directives.js';
import type { FunctionLikeWithBody } from '../directives.js';

/** Why a call's target is not known statically. */
export type UnresolvedReason = 'any' | 'function-value' | 'passed-to-library' | 'no-implementation' | 'no-body' | 'unanalyzable';

export interface Resolution {
  /** Declarations that run: function-likes with bodies, classes (implicit constructors), or barrier declarations. */
  readonly targets: ts.Node[];
  readonly unresolved?: UnresolvedReason;
  /** The unresolved member is the runtime's own (implemented by generated code). */
  readonly inRuntime?: boolean;
}

export const leaf: Resolution = { targets: [] };

/**
 * Whether a declaration performs a write barrier: its `@offheap <id>` (or
 * that of the variable naming it) is an effect of the catalogue that runs
 * the barrier. The runtime's `@writebarrier` tags are checked against the
 * catalogue by the tag tests; nothing here reads them.
 */
export function isWriteBarrierDeclaration(decl: ts.Node): boolean {
  const barrierCache = syntaxCache<ts.Node, boolean>('write-barrier-declarations', decl.getSourceFile());
  let known = barrierCache.get(decl);
  if (known === undefined) {
    let id = declarationId(decl);
    if (id === undefined && decl.parent && ts.isVariableDeclaration(decl.parent) && decl.parent.initializer === decl) {
      id = declarationId(decl.parent);
    }
    known = effectOf(id)?.writeBarrier === true;
    barrierCache.set(decl, known);
  }
  return known;
}

/** The `@offheap` id of a barrier declaration, for messages. */
export function barrierId(decl: ts.Node): string | undefined {
  const id = declarationId(decl);
  if (id !== undefined) return id;
  return decl.parent && ts.isVariableDeclaration(decl.parent) ? declarationId(decl.parent) : undefined;
}

export function isStatic(member: ts.Node): boolean {
  return ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

export function isAbstract(decl: ts.Node): boolean {
  return ts.canHaveModifiers(decl) && (ts.getModifiers(decl) ?? []).some((m) => m.kind === ts.SyntaxKind.AbstractKeyword);
}

/** Declared with `declare` (or inside a `declare` namespace, class or module): there is no body to follow. */
export function isAmbient(decl: ts.Node): boolean {
  for (let n: ts.Node | undefined = decl; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}

export function isInterfaceMember(decl: ts.Node): boolean {
  return (
    (ts.isMethodSignature(decl) || ts.isPropertySignature(decl)) &&
    (ts.isInterfaceDeclaration(decl.parent) || ts.isTypeLiteralNode(decl.parent))
  );
}

export function isConstVariable(decl: ts.Node): decl is ts.VariableDeclaration {
  return ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0;
}

export function isTypeLevelSignature(decl: ts.Node): boolean {
  return ts.isFunctionTypeNode(decl) || ts.isConstructorTypeNode(decl) || ts.isCallSignatureDeclaration(decl) || ts.isConstructSignatureDeclaration(decl);
}

/**
 * The function a declaration names: itself, or the function initializer of a
 * `const`, class field or object property. A `let` may be reassigned, so what
 * it holds is a function value.
 */
export function functionOf(decl: ts.Node): FunctionLikeWithBody | undefined {
  if (isFunctionLikeWithBody(decl)) return decl;
  if ((isConstVariable(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) {
    const init = skipOuterExpressions(decl.initializer);
    if (isFunctionLikeWithBody(init)) return init;
  }
  return undefined;
}

export function memberName(decl: ts.Node): string | undefined {
  const name = (decl as { name?: ts.PropertyName }).name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

/** The symbol a class, interface or type-literal alias is known by. */
export function ownerSymbol(checker: ts.TypeChecker, owner: ts.Node): ts.Symbol | undefined {
  if (ts.isTypeLiteralNode(owner)) return ts.isTypeAliasDeclaration(owner.parent) ? ownerSymbol(checker, owner.parent) : undefined;
  const name = (owner as { name?: ts.Node }).name;
  if (name) return checker.getSymbolAtLocation(name);
  if (ts.isClassExpression(owner) && ts.isVariableDeclaration(owner.parent)) return checker.getSymbolAtLocation(owner.parent.name);
  return undefined;
}

export function explicitConstructor(cls: ts.ClassLikeDeclaration): ts.ConstructorDeclaration | undefined {
  return cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
}

/** The node that runs when a class is constructed: its constructor, or the class for an implicit one. */
export function constructorNode(cls: ts.ClassLikeDeclaration): FunctionLikeWithBody | ts.ClassLikeDeclaration {
  return explicitConstructor(cls) ?? cls;
}

export function classOfSymbol(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.ClassLikeDeclaration | undefined {
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

export function baseClass(checker: ts.TypeChecker, cls: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  for (const clause of cls.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    const expr = clause.types[0]?.expression;
    if (expr) return classOfSymbol(checker, checker.getSymbolAtLocation(expr));
  }
  return undefined;
}

/** The declarations of one overloaded function: a declaration with a body has none besides itself. */
export function overloadSet(checker: ts.TypeChecker, decl: ts.Node): readonly ts.Node[] {
  if ((decl as { body?: ts.Node }).body) return [decl];
  if (ts.isConstructorDeclaration(decl)) return decl.parent.members.filter(ts.isConstructorDeclaration);
  if ((ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) && decl.name) {
    const symbol = checker.getSymbolAtLocation(decl.name);
    return symbol?.declarations?.filter((d) => d.kind === decl.kind) ?? [decl];
  }
  return [decl];
}

/** What `new C` or `super()` runs: a barrier constructor is a barrier; ambient classes are library code. */
export function resolveConstruction(cls: ts.ClassLikeDeclaration): Resolution {
  if (isWriteBarrierDeclaration(cls)) return { targets: [cls] };
  const tagged = cls.members.filter(ts.isConstructorDeclaration).find(isWriteBarrierDeclaration);
  if (tagged) return { targets: [tagged] };
  if (cls.getSourceFile().isDeclarationFile) return leaf;
  if (isAmbient(cls)) return { targets: [], unresolved: 'no-body' };
  return { targets: [constructorNode(cls)] };
}
