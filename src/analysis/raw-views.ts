// Raw views of the runtime's memory, known by the declaration of the member
// read: a member of the runtime's views (SpaceViews: `rt.space.u8`, and as
// well `v.u32` for a parameter, field, `let` or call result typed SpaceViews,
// or `{ u32 }: SpaceViews`), or a typed array or DataView constructed over
// the runtime's buffer (`rt.buffer`, `rt.share().buffer`), directly, through
// a `const` holding one, or destructured (`const { u8 } = rt.space`,
// `const { buffer } = rt`). The members are the declarations tagged
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
export const rawViewCounters = { origins: 0 };

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
    if (!decl || seen.has(decl) || !isFollowedBinding(decl)) return undefined;
    seen.add(decl);
    if (ts.isBindingElement(decl)) return bindingMemory(program, decl);
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
