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
  // The context's own data properties only: no getter runs, and a Proxy trap that throws gives the MisuseError.
  const raw: unknown = value;
  const ctx: unknown = context;
  if (typeof raw !== 'function') throw new MisuseError(`@notInHeap applies to classes; got ${show(raw)}`, { value: raw, limit: 'a class' });
  let kind: unknown = 'class';
  let given: unknown;
  if (ctx !== undefined) {
    if (typeof ctx !== 'object' || ctx === null) throw new MisuseError(`@notInHeap: the decorator context must be an object; got ${show(ctx)}`, { value: ctx, limit: 'a class decorator context' });
    try {
      const k = Reflect.getOwnPropertyDescriptor(ctx, 'kind');
      const n = Reflect.getOwnPropertyDescriptor(ctx, 'name');
      kind = k !== undefined && 'value' in k ? k.value : undefined;
      given = n !== undefined && 'value' in n ? n.value : undefined;
    } catch {
      throw new MisuseError('@notInHeap: the decorator context could not be read (a Proxy trap threw)', { value: ctx, limit: 'a class decorator context' });
    }
  }
  if (kind !== 'class') throw new MisuseError(`@notInHeap applies to classes, not to a ${show(kind)}`, { value: kind, limit: 'class' });
  let own: PropertyDescriptor | undefined;
  try {
    own = typeof given === 'string' ? undefined : Reflect.getOwnPropertyDescriptor(raw, 'name');
  } catch {
    throw new MisuseError('@notInHeap: the class could not be read (a Proxy trap threw)', { value: raw, limit: 'a class' });
  }
  const name = typeof given === 'string' ? given : own !== undefined && typeof own.value === 'string' && own.value !== '' ? own.value : 'anonymous class';
  const Base = value as unknown as new (...args: unknown[]) => object;
  let Marked: new (...args: unknown[]) => object;
  try {
    Marked = class extends Base {
      constructor(...args: unknown[]) {
        throw new MisuseError(
          `${name} is not-in-heap (@notInHeap): it cannot be created with new. Allocate its memory with sysAlloc, persistentalloc or a FixAlloc pool and refer to it through Ptr<${name}>.`,
          { value: name, limit: 'sysAlloc, persistentalloc or a FixAlloc pool' },
        );
        super(...args);
      }
    };
  } catch {
    // `extends` refused the value: a function that is not a constructor (an arrow, a method, an async or generator
    // function), one whose prototype is neither an object nor null (a bound function has none), or a Proxy whose
    // trap threw (a revoked one's TypeError): the engine's TypeError, or the trap's error, escaped before.
    throw new MisuseError(`@notInHeap applies to classes; got a function that cannot be extended (not a constructor, a prototype that is not an object, or a Proxy whose trap threw)`, {
      value: raw,
      limit: 'a class',
    });
  }
  Object.defineProperty(Marked, 'name', { value: name });
  Object.defineProperty(Marked, notInHeapMark, { value: true });
  return Marked as unknown as C;
}

/**
 * Whether `cls` (or a base class) is marked @notInHeap. The mark is read as an
 * own data property along the chain of constructors, never through `get`: a
 * getter named by the mark does not run (and does not mark), and a Proxy
 * whose trap throws, or a revoked one, is not marked (its TypeError or the
 * trap's error escaped before). A Proxy's getPrototypeOf and
 * getOwnPropertyDescriptor traps do run.
 */
export function isNotInHeap(cls: unknown): boolean {
  if (typeof cls !== 'function') return false;
  try {
    // Bounded: a Proxy's getPrototypeOf trap could answer with a new object forever.
    let o: object | null = cls;
    for (let depth = 0; o !== null && depth < 1000; depth++, o = Reflect.getPrototypeOf(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, notInHeapMark);
      if (d !== undefined) return 'value' in d && d.value === true;
    }
  } catch {
    // A Proxy whose trap threw, or a revoked one.
  }
  return false;
}
