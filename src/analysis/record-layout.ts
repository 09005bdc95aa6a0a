// What the flow rules need to know about the object a pointer addresses:
// whether its layout has HeapRef slots, and where they lie.
//
// The type `Ptr<T>` says which record `T` is addressed, and `T`'s HeapRef
// fields answer "has pointers" (Go: the type's ptrdata is non-zero). Byte
// offsets are not in the type (a `u8` and an `f64` are both `number`), so for
// partial clears the `struct(...)` call that made the layout is evaluated
// statically, the way Go's compiler lays out a struct. Anything not provable
// (a computed field table, a non-literal array length) is undefined: the rules
// then stay quiet rather than guess.
import ts from 'typescript';
import { brandOf } from './brands.js';
import { calleeId, offheapIdAt, resolveAlias } from './declarations.js';
import { valueParts } from './not-in-heap.js';
import { sizeOfLayout, skipOuterExpressions } from './expressions.js';
import { cacheOf, symbolAt } from './program-analysis.js';
import { maxArrayLength, maxStructSize } from '../runtime/layout.js';

/** A layout as the compiler would compute it: size and HeapRef slot offsets. */
export interface StaticLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  /** Byte offsets of the HeapRef slots, ascending, with their field paths. */
  readonly slots: readonly { readonly offset: number; readonly path: string }[];
  /** Byte offset of each top-level field. */
  readonly offsets: ReadonlyMap<string, number>;
  /**
   * An array's slot list stops after 4,096 slots (messages name a handful
   * anyway): `slots` then lists a prefix only, and a byte range past the last
   * listed slot may still hold HeapRef slots.
   */
  readonly truncated?: boolean;
}

const scalarSizes: Readonly<Record<string, number>> = {
  'field:u8': 1,
  'field:i8': 1,
  'field:bool': 1,
  'field:u16': 2,
  'field:i16': 2,
  'field:u32': 4,
  'field:i32': 4,
  'field:f32': 4,
  'field:ptr': 4,
  'field:heapRef': 4,
  'field:f64': 8,
};

/** Work counters for tests that prove growth: array elements whose slots were laid out. */
export const layoutCounters = { arrayElements: 0, slotRecords: 0 };

// Program-scoped (ProgramAnalysis): types and the struct calls' field tags belong to one checker.
const slotsCacheOf = (checker: ts.TypeChecker) => cacheOf<ts.Type, readonly string[]>(checker, 'record-layout:slots');
const layoutCacheOf = (checker: ts.TypeChecker) => cacheOf<ts.Node, StaticLayout | null>(checker, 'record-layout:static');

/** Most slot paths one record lists; a longer list ends with `…` (messages name a handful anyway). */
const maxSlotPaths = 4096;

/** A field of a record as the slot walk sees it: a HeapRef slot, or an embedded record (`child`). */
interface SlotEntry {
  readonly path: string;
  readonly child?: ts.Type;
}

/**
 * Field paths of the HeapRef slots of a not-in-heap record type, in
 * declaration order, nested records and fixed arrays included. A record
 * embedded under two fields is listed under each (`left.v`, `right.v`).
 * Memoised per type and walked with an explicit post-order stack, so each
 * record type is visited once however often it is embedded; a record that
 * embeds itself by value (only a malformed type can) adds nothing at the
 * back edge.
 */
export function heapRefSlotsOf(checker: ts.TypeChecker, record: ts.Type): readonly string[] {
  const memo = slotsCacheOf(checker);
  const cached = memo.get(record);
  if (cached) return cached;
  const open = new Set<ts.Type>();
  const stack: { type: ts.Type; entries?: readonly SlotEntry[] }[] = [{ type: record }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (!top.entries) {
      if (memo.has(top.type) || open.has(top.type)) {
        stack.pop();
        continue;
      }
      open.add(top.type);
      top.entries = slotEntriesOf(checker, top.type);
      for (const e of top.entries) if (e.child && !memo.has(e.child) && !open.has(e.child)) stack.push({ type: e.child });
      continue;
    }
    stack.pop();
    open.delete(top.type);
    memo.set(top.type, joinSlotPaths(top.entries, memo));
  }
  return memo.get(record)!;
}

function slotEntriesOf(checker: ts.TypeChecker, type: ts.Type): readonly SlotEntry[] {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
  layoutCounters.slotRecords++;
  const entries: SlotEntry[] = [];
  const add = (path: string, value: ts.Type): void => {
    for (const part of valueParts(checker, value)) {
      if (part.kind === 'heapRef') entries.push({ path });
      else if (part.kind === 'notInHeap') entries.push({ path, child: part.type });
    }
  };
  for (const prop of checker.getPropertiesOfType(type)) {
    if (!(prop.escapedName as string).startsWith('__@')) add(prop.name, checker.getTypeOfSymbol(prop));
  }
  for (const info of checker.getIndexInfosOfType(type)) add('[i]', info.type);
  return entries;
}

function joinSlotPaths(entries: readonly SlotEntry[], memo: { get(t: ts.Type): readonly string[] | undefined }): readonly string[] {
  const out = new Set<string>();
  let cut = false;
  for (const e of entries) {
    if (!e.child) out.add(e.path);
    else for (const s of memo.get(e.child) ?? []) {
      if (s === '…') cut = true;
      else out.add(`${e.path}${s.startsWith('[') ? '' : '.'}${s}`);
    }
    if (out.size > maxSlotPaths) return [...out].slice(0, maxSlotPaths).concat('…');
  }
  return cut ? [...out, '…'] : [...out];
}

/**
 * The record `T` a pointer-typed expression addresses (`Ptr<T>`,
 * `Garbage<T>`, or either member of `MaybeGarbage<T>`), or undefined.
 */
export function pointeeOf(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  for (const t of type.isUnion() ? type.types : [type]) {
    const b = brandOf(checker, t, 'Ptr') ?? brandOf(checker, t, 'Garbage');
    if (b && !(b.target.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never))) return b.target;
  }
  return undefined;
}

/** Whether `type` (or a union member) carries the `Garbage` brand: the memory may hold old bytes. */
export function mayBeGarbageType(checker: ts.TypeChecker, type: ts.Type): boolean {
  return (type.isUnion() ? type.types : [type]).some((t) => brandOf(checker, t, 'Garbage') !== undefined);
}

/** Whether `type` is a pointer into unmanaged memory (`Ptr` or `Garbage`, or a union of them). */
export function isPointerType(checker: ts.TypeChecker, type: ts.Type): boolean {
  const members = type.isUnion() ? type.types : [type];
  return members.some((t) => brandOf(checker, t, 'Ptr') !== undefined || brandOf(checker, t, 'Garbage') !== undefined);
}

/** The initializer of the const a (possibly aliased) identifier names. */
function initializerOf(checker: ts.TypeChecker, e: ts.Expression): ts.Expression | undefined {
  const sym = symbolAt(checker, e);
  if (!sym) return undefined;
  const decl = resolveAlias(checker, sym).valueDeclaration;
  return decl && ts.isVariableDeclaration(decl) && decl.initializer ? skipOuterExpressions(decl.initializer) : undefined;
}

/** The `struct(...)` call a layout expression evaluates to, through const aliases. */
export function structCallOf(checker: ts.TypeChecker, expr: ts.Expression): ts.CallExpression | undefined {
  let e: ts.Expression | undefined = skipOuterExpressions(expr);
  for (let hops = 0; e && hops < 8; hops++) {
    if (ts.isCallExpression(e)) return calleeId(checker, e) === 'struct' ? e : undefined;
    if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
    e = initializerOf(checker, e);
  }
  return undefined;
}

/**
 * Size, alignment and HeapRef offsets of the layout `expr` evaluates to,
 * computed like `struct()` does at run time; undefined when not provable.
 */
export function staticLayoutOf(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): StaticLayout | undefined {
  const call = structCallOf(checker, expr);
  if (!call || depth > 16) return undefined;
  const layoutCache = layoutCacheOf(checker);
  if (layoutCache.has(call)) return layoutCache.get(call) ?? undefined;
  layoutCache.set(call, null); // a cycle through embedding is not provable
  const [nameArg, fieldsArg] = call.arguments;
  const fields = fieldsArg && skipOuterExpressions(fieldsArg);
  let result: StaticLayout | undefined;
  if (fields && ts.isObjectLiteralExpression(fields)) {
    let size = 0;
    let align = 1;
    const slots: { offset: number; path: string }[] = [];
    const offsets = new Map<string, number>();
    let ok = true;
    let truncated = false;
    for (const prop of fields.properties) {
      if (!ts.isPropertyAssignment(prop) || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) {
        ok = false;
        break;
      }
      const f = fieldOf(checker, prop.initializer, depth);
      if (!f) {
        ok = false;
        break;
      }
      // Math.ceil, not a mask: `&` wraps past 2^31. Past the runtime's limit, struct() throws: no layout.
      size = Math.ceil(size / f.align) * f.align;
      if (size + f.size > maxStructSize) {
        ok = false;
        break;
      }
      truncated ||= f.truncated === true;
      offsets.set(prop.name.text, size);
      for (const s of f.slots) slots.push({ offset: size + s.offset, path: s.path ? `${prop.name.text}.${s.path}` : prop.name.text });
      size += f.size;
      if (f.align > align) align = f.align;
    }
    if (ok) {
      size = Math.ceil(size / align) * align;
      const name = nameArg && ts.isStringLiteralLike(nameArg) ? nameArg.text : '(layout)';
      if (size <= maxStructSize) result = truncated ? { name, size, align, slots, offsets, truncated } : { name, size, align, slots, offsets };
    }
  }
  layoutCache.set(call, result ?? null);
  return result;
}

interface StaticField {
  size: number;
  align: number;
  slots: { offset: number; path: string }[];
  truncated?: boolean;
}

function fieldOf(checker: ts.TypeChecker, init: ts.Expression, depth: number): StaticField | undefined {
  const e = skipOuterExpressions(init);
  const id = ts.isCallExpression(e) ? calleeId(checker, e) : offheapIdAt(checker, ts.isPropertyAccessExpression(e) ? e.name : e);
  if (id && id in scalarSizes) {
    const size = scalarSizes[id];
    return { size, align: size, slots: id === 'field:heapRef' ? [{ offset: 0, path: '' }] : [] };
  }
  if (id === 'field:array' && ts.isCallExpression(e) && e.arguments.length === 2) {
    const elem = fieldOf(checker, e.arguments[0], depth);
    const n = checker.getTypeAtLocation(e.arguments[1]);
    if (!elem || !n.isNumberLiteral()) return undefined;
    // Out of the runtime's range, `array()` throws: no layout to prove.
    if (!Number.isInteger(n.value) || n.value < 1 || n.value > maxArrayLength || elem.size * n.value > maxStructSize) return undefined;
    const slots: { offset: number; path: string }[] = [];
    // Closed form: the loop runs once per element that adds slots (none for an element without HeapRefs), never n times.
    const elements = elem.slots.length === 0 ? 0 : Math.min(n.value, Math.ceil(4096 / elem.slots.length));
    for (let i = 0; i < elements; i++) {
      layoutCounters.arrayElements++;
      for (const s of elem.slots) slots.push({ offset: i * elem.size + s.offset, path: s.path ? `[${i}].${s.path}` : `[${i}]` });
    }
    return { size: elem.size * n.value, align: elem.align, slots, truncated: elem.truncated === true || (elem.slots.length > 0 && elements < n.value) };
  }
  const nested = staticLayoutOf(checker, e, depth + 1);
  return nested && { size: nested.size, align: nested.align, slots: nested.slots.map((s) => ({ ...s })), truncated: nested.truncated };
}

/**
 * The `struct(...)` call a record type was made from: the members of
 * `LayoutType<typeof L>` keep the declarations of the field table's
 * properties, whose object literal is the call's argument.
 */
export function structCallOfRecord(checker: ts.TypeChecker, record: ts.Type): ts.CallExpression | undefined {
  const members = record.isUnion() ? [] : record.isIntersection() ? record.types : [record];
  for (const m of members) {
    for (const prop of checker.getPropertiesOfType(m)) {
      const decl = prop.declarations?.[0];
      const lit = decl && ts.isPropertyAssignment(decl) ? decl.parent : undefined;
      const call = lit && ts.isObjectLiteralExpression(lit) && ts.isCallExpression(lit.parent) ? lit.parent : undefined;
      if (call && call.arguments[1] === lit && calleeId(checker, call) === 'struct') return call;
      if (decl) break;
    }
  }
  return undefined;
}

/** Whether `t` is an instantiated generic class or interface (`FixAlloc<T, Z>`), whose type arguments can be read. */
export function isReference(t: ts.Type): t is ts.TypeReference {
  return !!(t.flags & ts.TypeFlags.Object) && !!((t as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference);
}

/**
 * The value of a byte-offset expression when it is provable: number
 * literals and literal-typed constants, `L.size`, `L.offsets.f`, an
 * accessor's `A.f.offset` (A = access(L)), and + - * << >> over them
 * (nested at most 32 deep); undefined for anything else.
 */
export function staticNumber(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): number | undefined {
  const e = skipOuterExpressions(expr);
  if (ts.isBinaryExpression(e)) {
    if (depth > 32) return undefined;
    const a = staticNumber(checker, e.left, depth + 1);
    const b = a === undefined ? undefined : staticNumber(checker, e.right, depth + 1);
    if (a === undefined || b === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        return a + b;
      case ts.SyntaxKind.MinusToken:
        return a - b;
      case ts.SyntaxKind.AsteriskToken:
        return a * b;
      case ts.SyntaxKind.LessThanLessThanToken:
        return a << b;
      case ts.SyntaxKind.GreaterThanGreaterThanToken:
        return a >> b;
      case ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken:
        return a >>> b;
      default:
        return undefined;
    }
  }
  const t = checker.getTypeAtLocation(e);
  if (t.isNumberLiteral()) return t.value;
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const name = e.name.text;
  const one = sizeOfLayout(e);
  if (one && !one.count) return staticLayoutOf(checker, one.layout)?.size;
  const owner = skipOuterExpressions(e.expression);
  // L.offsets.f
  if (ts.isPropertyAccessExpression(owner) && owner.name.text === 'offsets') return staticLayoutOf(checker, owner.expression)?.offsets.get(name);
  // A.f.offset, with A = access(L) or rt.access(L)
  if (name === 'offset' && ts.isPropertyAccessExpression(owner)) {
    const acc = skipOuterExpressions(owner.expression);
    const init = ts.isIdentifier(acc) ? initializerOf(checker, acc) : undefined;
    if (init && ts.isCallExpression(init) && calleeId(checker, init) === 'access' && init.arguments[0]) {
      return staticLayoutOf(checker, init.arguments[0])?.offsets.get(owner.name.text);
    }
  }
  return undefined;
}
