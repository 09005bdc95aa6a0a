// Containers local to a function: an array, Map, Set or object literal made
// by a `const`/`let` of the function (`const batch: Ptr<T>[] = []`). A pointer
// put into one (`batch.push(p)`, `m.set(k, p)`, `xs[i] = p`, `const xs = [p]`)
// is handed on only when the container is (returned, passed, stored), not at
// the put: a container that dies with the function hands nothing on.
//
// Whether the flow can follow a container is read once from its uses in the
// function's syntax: puts, size and membership queries, an alias
// `const b2 = batch` (itself followed), a `get` read into a variable
// (`const q = m.get(k)`: the flow aliases `q` to what the container holds, or
// says "cannot prove" when it holds more than one object), and the places
// that hand it on. Any
// other use (an element read back, a loop over it, `concat`, a spread into a
// literal kept locally, destructuring, a closure capturing it, a
// reassignment) is not followed: what it holds cannot be proven handed on,
// and is reported as such instead of being taken as handed on.
import ts from 'typescript';
import { outermostOf, skipOuterExpressions } from '../expressions.js';

export interface LocalContainer {
  readonly name: string;
  /** The first use the flow does not follow, if any: the container's contents cannot be proven handed on. */
  readonly unfollowed: ts.Node | undefined;
}

/** Library methods that put their arguments into the receiver. */
export const putMethods: ReadonlySet<string> = new Set(['push', 'unshift', 'add', 'set']);
/** Library methods and properties that read neither an element nor the container out. */
const queries = new Set(['has', 'includes', 'indexOf', 'lastIndexOf']);
const sizes = new Set(['length', 'size']);

/** Counted work, for the linear-cost tests: declarations classified and nodes walked to find their uses. */
export const containerStats = { classified: 0, nodesWalked: 0 };

export class LocalContainers {
  private readonly memo = new Map<ts.Symbol, LocalContainer | null>();
  private readonly fresh = new Map<ts.Symbol, boolean>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly program: ts.Program,
  ) {}

  /** The container a variable of a function names, or undefined when its declaration makes none. */
  of(sym: ts.Symbol): LocalContainer | undefined {
    const m = this.memo.get(sym);
    if (m !== undefined) return m ?? undefined;
    const decl = this.declOf(sym);
    if (!decl) {
      this.memo.set(sym, null);
      return undefined;
    }
    // In progress (an alias chain back to itself cannot be written, but stay safe): not followed.
    const pending: LocalContainer = { name: sym.name, unfollowed: decl };
    this.memo.set(sym, pending);
    const found: LocalContainer = { name: sym.name, unfollowed: this.firstUnfollowed(sym, decl) };
    this.memo.set(sym, found);
    return found;
  }

  /** `const xs = []`, `{}`, `new Map()` (a class of the standard library), or an alias of such a variable, inside a function. */
  private declOf(sym: ts.Symbol): ts.VariableDeclaration | undefined {
    const decl = sym.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !decl.initializer) return undefined;
    const fn = ts.findAncestor(decl.parent, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n));
    if (!fn || ts.isSourceFile(fn)) return undefined;
    return this.makesOne(sym, decl) ? decl : undefined;
  }

  private makesOne(sym: ts.Symbol, decl: ts.VariableDeclaration): boolean {
    let f = this.fresh.get(sym);
    if (f !== undefined) return f;
    this.fresh.set(sym, false);
    const init = skipOuterExpressions(decl.initializer!);
    if (ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init)) f = true;
    else if (ts.isNewExpression(init)) {
      const d = this.checker.getResolvedSignature(init)?.declaration;
      f = !!d && !ts.isJSDocSignature(d) && this.program.isSourceFileDefaultLibrary(d.getSourceFile());
    } else if (ts.isIdentifier(init)) {
      const s = this.checker.getSymbolAtLocation(init);
      const d = s?.valueDeclaration;
      f = !!s && !!d && ts.isVariableDeclaration(d) && !!d.initializer && this.makesOne(s, d);
    } else f = false;
    this.fresh.set(sym, f);
    return f;
  }

  /** The first use of `sym` in its function that the flow does not follow (one walk of the function). */
  private firstUnfollowed(sym: ts.Symbol, decl: ts.VariableDeclaration): ts.Node | undefined {
    containerStats.classified++;
    const fn = ts.findAncestor(decl.parent, ts.isFunctionLike)!;
    // `let` containers reassigned: which object a use names is not followed.
    if (ts.isVariableDeclarationList(decl.parent) && !(decl.parent.flags & ts.NodeFlags.Const)) {
      const u = this.uses(sym, decl, fn).find((id) => isAssignTarget(outermostOf(id)));
      if (u) return u;
    }
    for (const id of this.uses(sym, decl, fn)) if (!this.followed(id, fn)) return id;
    return undefined;
  }

  private uses(sym: ts.Symbol, decl: ts.VariableDeclaration, fn: ts.Node): ts.Identifier[] {
    const out: ts.Identifier[] = [];
    const stack: ts.Node[] = [fn];
    while (stack.length > 0) {
      const n = stack.pop()!;
      containerStats.nodesWalked++;
      if (ts.isIdentifier(n)) {
        if (n.text !== sym.name || n === decl.name) continue;
        const s = ts.isShorthandPropertyAssignment(n.parent) && n.parent.name === n ? this.checker.getShorthandAssignmentValueSymbol(n.parent) : this.checker.getSymbolAtLocation(n);
        if (s === sym) out.push(n);
        continue;
      }
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    return out;
  }

  private followed(id: ts.Identifier, fn: ts.Node): boolean {
    // Captured by a closure: when it runs, and with what, is not followed.
    if (ts.findAncestor(id.parent, ts.isFunctionLike) !== fn) return false;
    if (ts.isShorthandPropertyAssignment(id.parent)) return literalHandedOn(id.parent.parent);
    const use = outermostOf(id);
    const p = use.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === use) {
      const name = p.name.text;
      const called = ts.isCallExpression(p.parent) && p.parent.expression === p;
      // `const q = m.get(k)`: read back into a variable, which the flow makes an alias of what the container holds.
      if (called && name === 'get' && isDeclaredBy(p.parent)) return true;
      if (called) return putMethods.has(name) || queries.has(name);
      return isAssignTarget(p) || sizes.has(name);
    }
    if (ts.isElementAccessExpression(p) && p.expression === use) return isAssignTarget(p);
    if (ts.isReturnStatement(p) || ts.isYieldExpression(p)) return true;
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(use as ts.Expression)) return true;
    if (ts.isSpreadElement(p) && (ts.isCallExpression(p.parent) || ts.isNewExpression(p.parent)) && p.parent.arguments?.includes(p)) return true;
    if (ts.isJsxExpression(p) && ts.isJsxAttribute(p.parent)) return true;
    if (ts.isBinaryExpression(p) && p.right === use) {
      const op = p.operatorToken.kind;
      if (op !== ts.SyntaxKind.EqualsToken) return isComparison(op);
      // Into a field, an element or a variable of another function: handed on. Into a local: an alias not followed.
      const left = skipOuterExpressions(p.left);
      if (!ts.isIdentifier(left)) return ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left);
      const d = this.checker.getSymbolAtLocation(left)?.valueDeclaration;
      return !!d && ts.findAncestor(d, ts.isFunctionLike) !== fn;
    }
    if (ts.isBinaryExpression(p) && p.left === use) return isComparison(p.operatorToken.kind);
    if (ts.isVariableDeclaration(p) && p.initializer === use && ts.isIdentifier(p.name)) {
      const alias = this.checker.getSymbolAtLocation(p.name);
      const c = alias && this.of(alias);
      return !!c && c.unfollowed === undefined;
    }
    if (ts.isPropertyAssignment(p) && p.initializer === use) return literalHandedOn(p.parent);
    if (ts.isArrayLiteralExpression(p)) return literalHandedOn(p);
    return false;
  }
}

function isComparison(op: ts.SyntaxKind): boolean {
  return op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
}

/** Whether a call's value (through parentheses, `!`, `as`) initialises a plain variable: `const q = m.get(k)!`. */
function isDeclaredBy(call: ts.CallExpression): boolean {
  const o = outermostOf(call);
  return call.arguments.length === 1 && ts.isVariableDeclaration(o.parent) && o.parent.initializer === o && ts.isIdentifier(o.parent.name);
}

function isAssignTarget(n: ts.Node): boolean {
  const p = n.parent;
  return ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** A literal that is returned, yielded or passed as it is (through nested literals): what it holds is handed on with it. */
function literalHandedOn(lit: ts.Node): boolean {
  let n = outermostOf(lit);
  while (ts.isPropertyAssignment(n.parent) || ts.isArrayLiteralExpression(n.parent) || ts.isObjectLiteralExpression(n.parent)) n = outermostOf(ts.isPropertyAssignment(n.parent) ? n.parent.parent : n.parent);
  const p = n.parent;
  return ts.isReturnStatement(p) || ts.isYieldExpression(p) || ((ts.isCallExpression(p) || ts.isNewExpression(p)) && !!p.arguments?.includes(n as ts.Expression));
}
