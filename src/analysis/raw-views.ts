// Raw views of the runtime's memory, known by the declaration of the member
// read: a member of the runtime's views (SpaceViews: `rt.space.u8`, and as
// well `v.u32` for a parameter, field, `let` or call result typed SpaceViews,
// or `{ u32 }: SpaceViews`), or a typed array or DataView constructed over
// the runtime's buffer (`rt.buffer`, `rt.share().buffer`), directly, through
// a `const` holding one, or destructured (`const { u8 } = rt.space`,
// `const { buffer } = rt`), or a typed-array parameter of a helper only its
// module calls, every call passing a view. A reassigned parameter or element is
// a view only before any write can reach it. The members are the declarations tagged
// `@offheap` whose catalogue entry says `rawMemory` (effects.ts): never a
// name, and never a file's folder, so a program's own object with a
// `u32: Uint32Array` member is no view. Writes through a view run no
// barrier (Go's unsafe.Pointer arithmetic): the flow takes each as a clear
// of the bytes it covers.
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { offheapIdOf } from './declarations.js';
import { effectOf } from './effects.js';
import { skipOuterEs, skipOuterExpressions } from './expressions.js';
import { cacheOf, symbolAt } from './program-analysis.js';
import { staticNumber } from './record-layout.js';

/** A raw view: bytes per element. */
export interface RawView {
  readonly width: number;
}

/** The bytes a call through a raw view writes: [start, end), or `bytes` from `start`. Nodes are addresses in the space. */
export interface RawViewWrite {
  readonly start: TSESTree.Node;
  readonly end?: TSESTree.Node;
  readonly bytes?: number;
  /** The bytes written are provably zero (`fill(0, …)`, `set(new Uint8Array(n), p)`, `setUint32(a, 0)`). */
  readonly zero: boolean;
}

/** Counters for tests: values whose origin was worked out (memoised per expression or declaration and program). */
export const rawViewCounters = { origins: 0, callSites: 0 };

const typedArray = /^(?:Uint|Int|Float|BigInt|BigUint)(8|16|32|64)(?:Clamped)?Array$/;
/** Bytes a DataView setter writes, by the setter's name in the default library. */
const dataViewSetters: Record<string, number> = {
  setInt8: 1,
  setUint8: 1,
  setInt16: 2,
  setUint16: 2,
  setFloat16: 2,
  setInt32: 4,
  setUint32: 4,
  setFloat32: 4,
  setFloat64: 8,
  setBigInt64: 8,
  setBigUint64: 8,
};

/** Bytes per element of a typed array type of the default library (`DataView`: 1, its byte offsets are addresses). */
function viewWidth(program: ts.Program, type: ts.Type): number | undefined {
  const symbol = type.getSymbol();
  const decl = symbol?.declarations?.[0];
  if (!symbol || !decl || !program.isSourceFileDefaultLibrary(decl.getSourceFile())) return undefined;
  if (symbol.name === 'DataView') return 1;
  const m = typedArray.exec(symbol.name);
  return m ? Number(m[1]) / 8 : undefined;
}

/** What a value is to the runtime's memory: its whole buffer (`rt.buffer`), or a view whose index `i` is the address `i * width`. */
type Memory = { readonly kind: 'buffer' } | ({ readonly kind: 'view' } & RawView);
const buffer: Memory = { kind: 'buffer' };

/** Nesting of views constructed over buffers followed from one expression (consts chains are followed in a loop). */
const maxDepth = 32;

/**
 * The runtime memory a member is, by the catalogue entry of its declaration's tag, whatever object it is read from:
 * the buffer (`Runtime.buffer`, `SharedRuntime.buffer`), or a view of the space (`SpaceViews.u32`; its width is its
 * declared type's). A union's member is the runtime's when one of its declarations is (the write may land in the space).
 */
function taggedMemory(program: ts.Program, property: ts.Symbol | undefined): Memory | undefined {
  const checker = program.getTypeChecker();
  const raw = effectOf(offheapIdOf(checker, property))?.rawMemory;
  if (raw === 'buffer') return buffer;
  if (raw !== 'view') return undefined;
  const width = viewWidth(program, checker.getTypeOfSymbol(property!));
  return width ? { kind: 'view', width } : undefined;
}

function memoryAt(program: ts.Program, e: ts.Expression, depth: number): Memory | undefined {
  const checker = program.getTypeChecker();
  const memo = cacheOf<ts.Node, Memory | null>(checker, 'raw-views:memory');
  let x = skipOuterExpressions(e);
  // `const a = b; const b = new Uint8Array(rt.buffer)`: followed through const declarations, each once.
  const seen = new Set<ts.Node>();
  for (;;) {
    if (!ts.isIdentifier(x)) break;
    const decl = symbolAt(checker, x)?.valueDeclaration;
    if (!decl || seen.has(decl)) return undefined;
    // The memory first (memoised, and most parameters are no typed array), then whether this read still sees it.
    if (ts.isParameter(decl) && ts.isIdentifier(decl.name)) {
      const m = parameterMemory(program, decl, depth);
      return m && unchangedAt(checker, decl, x) ? m : undefined;
    }
    if (!isFollowedBinding(decl)) return undefined;
    seen.add(decl);
    if (ts.isBindingElement(decl)) {
      const m = bindingMemory(program, decl);
      return m && unchangedAt(checker, decl, x) && !defaultMayApply(checker, decl) ? m : undefined;
    }
    x = skipOuterExpressions((decl as ts.VariableDeclaration).initializer!);
  }
  const known = memo.get(x);
  if (known !== undefined) return known ?? undefined;
  if (depth > maxDepth) return undefined;
  rawViewCounters.origins++;
  let found: Memory | undefined;
  if (ts.isPropertyAccessExpression(x) || (ts.isElementAccessExpression(x) && ts.isStringLiteralLike(x.argumentExpression))) {
    const name = ts.isPropertyAccessExpression(x) ? x.name : x.argumentExpression;
    // The member's declaration decides, not the object's origin: `rt.space.u32`, `v.u32` for `v: SpaceViews`.
    found = taggedMemory(program, symbolAt(checker, name));
  } else if (ts.isNewExpression(x) && x.arguments?.length === 1 && memoryAt(program, x.arguments[0], depth + 1)?.kind === 'buffer') {
    // A view of the whole buffer (no byte offset): element i is at address i * width.
    const width = viewWidth(program, checker.getTypeAtLocation(x));
    if (width) found = { kind: 'view', width };
  }
  memo.set(x, found ?? null);
  return found;
}

/**
 * A `const` declared by name with an initializer, or a plain (not rest) element of an object pattern of a `const`
 * or of a parameter (`function wipe({ u32 }: SpaceViews)`: the member as received; the element names its member).
 */
function isFollowedBinding(decl: ts.Declaration): boolean {
  if (ts.isVariableDeclaration(decl)) return !!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) && ts.isIdentifier(decl.name) && decl.initializer !== undefined;
  if (!ts.isBindingElement(decl) || decl.dotDotDotToken || !ts.isObjectBindingPattern(decl.parent)) return false;
  return !!(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) || ts.isParameter(ts.walkUpBindingElementsAndPatterns(decl));
}

/** A write to a variable: the assignment, update or `for … of` head, and whether it runs in a nested function. */
interface Write {
  readonly node: ts.Node;
  readonly nested: boolean;
}

/** The writes to each variable inside function `fn` (its parameters and body), walked once per function. */
function writesIn(checker: ts.TypeChecker, fn: ts.SignatureDeclaration): ReadonlyMap<ts.Symbol, readonly Write[]> {
  const memo = cacheOf<ts.Node, Map<ts.Symbol, Write[]>>(checker, 'raw-views:writes');
  let writes = memo.get(fn);
  if (writes) return writes;
  const found = new Map<ts.Symbol, Write[]>();
  memo.set(fn, (writes = found));
  const add = (id: ts.Node, node: ts.Node, nested: boolean): void => {
    const symbol = ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : symbolAt(checker, id);
    if (!symbol) return;
    let list = found.get(symbol);
    if (!list) found.set(symbol, (list = []));
    list.push({ node, nested });
  };
  // Every identifier of a destructuring target (`({ u32 } = o)`, `[a] = xs`) may be written.
  const targets = (t: ts.Node, node: ts.Node, nested: boolean): void => {
    const x = ts.isExpression(t) ? skipOuterExpressions(t) : t;
    if (ts.isIdentifier(x)) add(x, node, nested);
    else if (ts.isArrayLiteralExpression(x) || ts.isObjectLiteralExpression(x)) {
      const walk = (n: ts.Node): void => {
        if (ts.isIdentifier(n)) add(n, node, nested);
        ts.forEachChild(n, walk);
      };
      walk(x);
    }
  };
  const visit = (n: ts.Node, nested: boolean): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) targets(n.left, n, nested);
    else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) targets(n.operand, n, nested);
    else if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) targets(n.initializer, n.initializer, nested);
    ts.forEachChild(n, (c) => visit(c, nested || (n !== fn && ts.isFunctionLike(n))));
  };
  visit(fn, false);
  return writes;
}

/**
 * Whether the parameter (or element of a parameter's pattern) still holds what the caller passed where `use` reads
 * it: no write anywhere, or every write in the function itself (not a closure), after the read in the source, and in
 * no loop around the read. Elsewhere (after `u32 = new Uint32Array(8)`, on a path that may have run it, in a
 * closure) what it holds is not proven and it is no view here.
 */
function unchangedAt(checker: ts.TypeChecker, decl: ts.ParameterDeclaration | ts.BindingElement, use: ts.Node): boolean {
  const root = ts.isBindingElement(decl) ? ts.walkUpBindingElementsAndPatterns(decl) : decl;
  if (!ts.isParameter(root)) return true; // a const
  const fn = root.parent;
  const symbol = symbolAt(checker, decl.name);
  const writes = symbol && writesIn(checker, fn).get(symbol);
  if (!writes) return true;
  let at: ts.Node = use.parent;
  const loops: ts.Node[] = [];
  for (; at !== fn; at = at.parent) {
    if (ts.isFunctionLike(at)) return false; // a closure may run after a write
    if (ts.isIterationStatement(at, false)) loops.push(at);
  }
  const end = use.getEnd();
  return writes.every((w) => !w.nested && w.node.getEnd() >= end && !loops.some((l) => l.pos <= w.node.pos && w.node.end <= l.end));
}

/**
 * Whether a default of the element (or of a pattern it is nested in) may be what it holds: one for a member its
 * type lets be missing (`{ u32 = new Uint32Array(4) }: Partial<SpaceViews>`). A default for a member the type
 * requires never applies.
 */
function defaultMayApply(checker: ts.TypeChecker, element: ts.BindingElement): boolean {
  let e: ts.Node = element;
  for (; ts.isBindingElement(e); e = e.parent.parent) {
    if (!e.initializer) continue;
    const key = e.propertyName ?? e.name;
    const name = ts.isIdentifier(key) || ts.isStringLiteralLike(key) || ts.isNumericLiteral(key) ? key.text : undefined;
    const property = name === undefined ? undefined : checker.getTypeAtLocation(e.parent).getProperty(name);
    if (!property || property.flags & ts.SymbolFlags.Optional) return true;
    const type = checker.getTypeOfSymbol(property);
    if ((type.isUnion() ? type.types : [type]).some((t) => t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return true;
  }
  // A parameter's own default (`{ u32 }: SpaceViews = spare`) is typed SpaceViews too: its members are the views.
  return false;
}

/** Identifiers of a file by name, collected once per file: the references a same-file helper's calls are read from. */
function identifiersOf(checker: ts.TypeChecker, file: ts.SourceFile): ReadonlyMap<string, readonly ts.Identifier[]> {
  const memo = cacheOf<ts.SourceFile, Map<string, ts.Identifier[]>>(checker, 'raw-views:identifiers');
  let byName = memo.get(file);
  if (byName) return byName;
  const found = new Map<string, ts.Identifier[]>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      let list = found.get(n.text);
      if (!list) found.set(n.text, (list = []));
      list.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  memo.set(file, (byName = found));
  return byName;
}

/**
 * A typed-array parameter of a helper no other module can call (`function wipe(v: Uint32Array, p)`, not exported,
 * in a module) is a raw view when every call of it, all in its file, passes one of the same width (`wipe(rt.space.u32,
 * p)`). A reference other than a call (the helper passed as a value, exported by name), a spread, a default or a call
 * passing anything else: not proven, no view. Each call site is read once per parameter.
 */
function parameterMemory(program: ts.Program, decl: ts.ParameterDeclaration, depth: number): Memory | undefined {
  const checker = program.getTypeChecker();
  const memo = cacheOf<ts.Node, Memory | null>(checker, 'raw-views:memory');
  const known = memo.get(decl);
  if (known !== undefined) return known ?? undefined;
  memo.set(decl, null); // a recursive helper's own call: not proven
  if (depth > maxDepth || decl.initializer || decl.dotDotDotToken || !viewWidth(program, checker.getTypeAtLocation(decl))) return undefined;
  rawViewCounters.origins++;
  const fn = decl.parent;
  let name: ts.Identifier | undefined;
  let exported: ts.Node | undefined;
  if (ts.isFunctionDeclaration(fn)) [name, exported] = [fn.name, fn];
  else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn && ts.isIdentifier(fn.parent.name) && ts.getCombinedNodeFlags(fn.parent) & ts.NodeFlags.Const)
    [name, exported] = [fn.parent.name, fn.parent];
  const file = fn.getSourceFile();
  if (!name || !exported || ts.getCombinedModifierFlags(exported as ts.Declaration) & ts.ModifierFlags.Export || !ts.isExternalModule(file)) return undefined;
  const helper = symbolAt(checker, name);
  const index = fn.parameters.indexOf(decl);
  let found: Extract<Memory, { kind: 'view' }> | undefined;
  for (const ref of identifiersOf(checker, file).get(name.text) ?? []) {
    if (ref === name || symbolAt(checker, ref) !== helper) continue;
    const call = ref.parent;
    if (!ts.isCallExpression(call) || call.expression !== ref || call.arguments.slice(0, index + 1).some(ts.isSpreadElement)) return undefined;
    const arg = call.arguments[index];
    rawViewCounters.callSites++;
    // The helper passing its own parameter on (`wipe(v, next)` inside wipe) passes what its callers passed.
    const self = arg && skipOuterExpressions(arg);
    if (self && ts.isIdentifier(self) && symbolAt(checker, self)?.valueDeclaration === decl && unchangedAt(checker, decl, self)) continue;
    const m = arg && memoryAt(program, arg, depth + 1);
    if (m?.kind !== 'view' || (found && found.width !== m.width)) return undefined;
    found = m;
  }
  memo.set(decl, found ?? null);
  return found;
}

/**
 * `const { u8 } = rt.space`, `const { buffer } = rt`, `const { space: { u32 } } = rt`, `({ u32 }: SpaceViews)`: the
 * member the element reads, by its declaration (the pattern's type names it).
 */
function bindingMemory(program: ts.Program, element: ts.BindingElement): Memory | undefined {
  const checker = program.getTypeChecker();
  const memo = cacheOf<ts.Node, Memory | null>(checker, 'raw-views:memory');
  const known = memo.get(element);
  if (known !== undefined) return known ?? undefined;
  rawViewCounters.origins++;
  const pattern = element.parent as ts.ObjectBindingPattern;
  const key = element.propertyName ?? element.name;
  const name = ts.isIdentifier(key) || ts.isStringLiteralLike(key) || ts.isNumericLiteral(key) ? key.text : undefined;
  const property = name === undefined ? undefined : checker.getTypeAtLocation(pattern).getProperty(name);
  const found = taggedMemory(program, property);
  memo.set(element, found ?? null);
  return found;
}

/**
 * The raw view `e` evaluates to: a member of SpaceViews read from anything (`rt.space.u32`, `v.u32`);
 * `new Int32Array(rt.buffer)` (a view of the whole space, so its indices are addresses); a `const` initialised with
 * one, or an element destructured from SpaceViews. A view starting elsewhere (a byte offset) is not one here.
 */
export function rawViewAt(program: ts.Program, e: ts.Expression): RawView | undefined {
  const memory = memoryAt(program, e, 0);
  return memory?.kind === 'view' ? { width: memory.width } : undefined;
}

/** `(a) >> 2`, `a >>> 2`, `a / 4` for a view of 4-byte elements: the address `a` an index was made from. */
function addressOfIndex(index: TSESTree.Node, width: number): TSESTree.Node | undefined {
  if (width === 1) return index;
  const x = skipOuterEs(index);
  if (x.type !== AST_NODE_TYPES.BinaryExpression || x.right.type !== AST_NODE_TYPES.Literal || typeof x.right.value !== 'number') return undefined;
  const by = x.right.value;
  if ((x.operator === '>>' || x.operator === '>>>') && 2 ** by === width) return x.left;
  if (x.operator === '/' && by === width) return x.left;
  return undefined;
}

/**
 * A source array of static length: `new Uint8Array(n)` (zeros), `[0, 0]`, or a const holding one. Whether all its
 * elements are zero (a fresh typed array, or literal zeros).
 */
function staticSource(checker: ts.TypeChecker, e: ts.Expression): { length: number; zero: boolean } | undefined {
  let x = skipOuterExpressions(e);
  if (ts.isIdentifier(x)) {
    const decl = symbolAt(checker, x)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
    x = skipOuterExpressions(decl.initializer);
  }
  if (ts.isArrayLiteralExpression(x)) {
    if (x.elements.some((el) => ts.isSpreadElement(el))) return undefined;
    return { length: x.elements.length, zero: x.elements.every((el) => staticNumber(checker, el) === 0) };
  }
  if (ts.isNewExpression(x) && x.arguments?.length === 1) {
    const n = skipOuterExpressions(x.arguments[0]);
    if (ts.isArrayLiteralExpression(n)) return staticSource(checker, n);
    const length = staticNumber(checker, n);
    // `new Uint8Array(n)` is n zeros; a typed array made from a length only.
    return length === undefined ? undefined : { length, zero: true };
  }
  return undefined;
}

/**
 * What a call through a raw view writes, in addresses: `fill(v, start, end)`, `set(src, offset)` (a source of static
 * length), `copyWithin(target, start, end)` (`end` written `start + n`), a DataView's `setUint32(address, v)`.
 * Indices of a wider view are read back to addresses through `>> k` or `/ w`. Undefined for anything else.
 */
export function rawViewWrite(program: ts.Program, call: TSESTree.CallExpression, tsOf: (n: TSESTree.Node) => ts.Node): RawViewWrite | undefined {
  const callee = skipOuterEs(call.callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
  const method = callee.property.name;
  if (method !== 'fill' && method !== 'set' && method !== 'copyWithin' && !(method in dataViewSetters)) return undefined;
  const view = rawViewAt(program, tsOf(callee.object) as ts.Expression);
  if (!view) return undefined;
  const checker = program.getTypeChecker();
  const args = call.arguments;
  const address = (n: TSESTree.Node | undefined): TSESTree.Node | undefined => (n && n.type !== AST_NODE_TYPES.SpreadElement ? addressOfIndex(n, view.width) : undefined);
  const isZero = (n: TSESTree.Node | undefined): boolean => n !== undefined && n.type !== AST_NODE_TYPES.SpreadElement && staticNumber(checker, tsOf(n) as ts.Expression) === 0;
  if (method === 'fill') {
    const start = address(args[1]);
    return start ? { start, end: address(args[2]), zero: isZero(args[0]) } : undefined;
  }
  if (method === 'set') {
    const start = address(args[1]);
    const source = args[0] && args[0].type !== AST_NODE_TYPES.SpreadElement ? staticSource(checker, tsOf(args[0]) as ts.Expression) : undefined;
    return start && source ? { start, bytes: source.length * view.width, zero: source.zero } : undefined;
  }
  if (method === 'copyWithin') {
    // `copyWithin(p, q, q + n)`: n elements land at p.
    const start = address(args[0]);
    const from = args[1] && tsOf(args[1]);
    const to = args[2] && skipOuterExpressions(tsOf(args[2]) as ts.Expression);
    if (!start || !from || !to || !ts.isBinaryExpression(to) || to.operatorToken.kind !== ts.SyntaxKind.PlusToken) return undefined;
    if (skipOuterExpressions(to.left).getText() !== skipOuterExpressions(from as ts.Expression).getText()) return undefined;
    const n = staticNumber(checker, to.right);
    return n === undefined ? undefined : { start, bytes: n * view.width, zero: false };
  }
  // A DataView setter of the default library writes its width at a byte address.
  const symbol = symbolAt(checker, tsOf(callee.property));
  const owner = symbol?.declarations?.[0]?.parent;
  if (!owner || !ts.isInterfaceDeclaration(owner) || owner.name.text !== 'DataView' || !program.isSourceFileDefaultLibrary(owner.getSourceFile())) return undefined;
  const start = args[0] && args[0].type !== AST_NODE_TYPES.SpreadElement ? args[0] : undefined;
  return start ? { start, bytes: dataViewSetters[method], zero: isZero(args[1]) } : undefined;
}
