// Pools that more than one thread allocates from hold no HeapRefs.
//
// A HeapRef names a JS object in the object heap of one thread (one isolate);
// the collector that keeps the object alive sees only that thread's roots. A
// record from a pool that other threads open can be allocated, written and
// freed by any of them, so a HeapRef slot in it would name an object the
// other threads cannot see and their collectors cannot keep. The runtime
// refuses the second thread that opens such a pool (ERR_SHARED_HEAPREF); this
// finds the pool where it is made: a call whose `@offheap` declaration is a
// shared pool in the effect catalogue, with a layout whose record type has
// HeapRef slots.
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { OffheapContext } from './context.js';
import { calleeId } from './declarations.js';
import { argAt, effectOf } from './effects.js';
import { listSome } from './flow/explain.js';
import { heapRefSlotsOf, isReference, staticLayoutOf } from './record-layout.js';

export interface SharedPoolFinding {
  /** `heapRef`: the layout has HeapRef slots; `unproven`: the layout is a type parameter, whose instantiations may have some. */
  readonly kind: 'heapRef' | 'unproven';
  /** The layout as the message names it. */
  readonly record: string;
  /** The HeapRef slots by field path, at most four then "and N more". */
  readonly slots: string;
}

/**
 * The finding for `node` if it opens a shared pool of a layout with HeapRef
 * slots. Cheap for every other call: `calleeId` is memoised per call and
 * shared with the other rules, and types are asked only for a call tagged as
 * a shared pool in the catalogue.
 */
export function sharedPoolHeapRefs(ctx: OffheapContext, node: TSESTree.CallExpression | TSESTree.NewExpression): SharedPoolFinding | undefined {
  const { checker } = ctx;
  const call = ctx.analysis.tsOf<ts.CallExpression | ts.NewExpression>(node);
  const pool = effectOf(calleeId(checker, call))?.pool;
  if (!pool?.shared) return undefined;
  const layoutArg = argAt(call.arguments ?? [], pool.layoutArg);
  const layout = layoutArg && staticLayoutOf(checker, layoutArg);
  // The record type is the pool's type argument (`FixAlloc<T, Z>`); a layout
  // built from a struct() call in view also gives its own slots.
  const type = checker.getTypeAtLocation(call);
  const record = isReference(type) ? checker.getTypeArguments(type)[0] : undefined;
  const typed = record && !(record.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) ? heapRefSlotsOf(checker, record) : [];
  const slots = typed.length > 0 ? typed : (layout?.slots.map((s) => s.path) ?? []);
  if (slots.length > 0) return { kind: 'heapRef', record: layout?.name ?? (record ? checker.typeToString(record) : 'the layout'), slots: listSome(slots) };
  // `Layout<T>` of a generic: this call cannot tell which records its instantiations hold (a constraint
  // `T extends Plain` does not help, since a subtype may add HeapRef fields).
  if (!layout && record && record.flags & ts.TypeFlags.TypeParameter) return { kind: 'unproven', record: checker.typeToString(record), slots: '' };
  return undefined;
}
