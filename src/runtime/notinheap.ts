// @notInHeap: marks a class whose instances live only in unmanaged memory.
//
// Go marks such types by embedding sys.NotInHeap, and its compiler rejects
// `new(T)` for them. Here the lint rules reject `new` statically, and the
// decorator makes it fail at run time too: the marked class throws on
// construction, naming the allocators to use instead.

import { MisuseError, show } from './errors.js';

/** Set on a marked class, so code can ask `isNotInHeap(C)`. */
export const notInHeapMark: unique symbol = Symbol.for('offheap.notInHeap');

/**
 * TC39 standard class decorator: `@notInHeap class Span { … }`. `new` of the
 * class, or of a subclass, throws a MisuseError.
 *
 * @offheap notInHeap
 */
export function notInHeap<C extends abstract new (...args: never[]) => unknown>(value: C, context: ClassDecoratorContext<C>): C {
  // Called from plain JS or a mis-set decorator, the arguments may be anything.
  const raw: unknown = value;
  const kind: unknown = (context as { kind?: unknown } | undefined)?.kind;
  if (typeof raw !== 'function') throw new MisuseError(`@notInHeap applies to classes; got ${show(raw)}`, { value: raw });
  if (kind !== undefined && kind !== 'class') {
    throw new MisuseError(`@notInHeap applies to classes, not to a ${show(kind)}`, { value: kind });
  }
  const name = String(context?.name ?? value.name ?? 'anonymous class');
  const Base = value as unknown as new (...args: unknown[]) => object;
  const Marked = class extends Base {
    constructor(...args: unknown[]) {
      throw new MisuseError(
        `${name} is not-in-heap (@notInHeap): it cannot be created with new. Allocate its memory with sysAlloc, persistentalloc or a FixAlloc pool and refer to it through Ptr<${name}>.`,
        { value: name },
      );
      super(...args);
    }
  };
  Object.defineProperty(Marked, 'name', { value: name });
  Object.defineProperty(Marked, notInHeapMark, { value: true });
  return Marked as unknown as C;
}

/** Whether `cls` (or a base class) is marked @notInHeap. */
export function isNotInHeap(cls: unknown): boolean {
  return typeof cls === 'function' && (cls as unknown as Record<symbol, unknown>)[notInHeapMark] === true;
}
