// The hazards that fail at run time, each on a fresh runtime in debug mode
// with checkmark verification on: the mistake the lint reports, executed, and
// the typed error it ends in. Lint-only hazards (types, directives) are not
// here: they have no run-time form.
import { createRuntime, type Runtime } from 'offheap';
import { newArena } from './no-heap-allocation.js';
import { hideInNumberField, mixRuntimes } from './no-hidden-heap-pointers.js';
import { bypassedRoot, fieldNeverRooted, freeHeapRefRooted, freeRooted, heapRefOnJsHeap, neverRooted, scalarUseAfterFree, storeBeyondRoot, unrootedStore, unrootUncleared, useAfterFree } from './no-unrooted-heap-refs.js';
import { leaseUnpinned, notUnpinned } from './handles.js';
import { initInFirst, pinnedGarbage, publishReused } from './zero-before-root.js';
import { barrierOnGarbage, clearWithoutBarrier, storeOnGarbage } from './zeroing-variant.js';

export interface Scenario {
  /** The rule that reports the mistake. */
  readonly rule: string;
  /** The rule's message id for it. */
  readonly mistake: string;
  /** What the program does wrong. */
  readonly what: string;
  /** The `code` of the error it ends in. */
  readonly expected: string;
  readonly run: (rt: Runtime) => unknown;
}

export interface Outcome {
  readonly rule: string;
  readonly mistake: string;
  readonly what: string;
  readonly expected: string;
  /** The error's class and code, or undefined if the scenario completed. */
  readonly error: string | undefined;
  readonly code: string | undefined;
  readonly message: string;
}

/** Not an offheap error: the program reads a field its initializer never wrote. */
class UninitializedError extends Error {
  readonly code = 'ERR_UNINITIALIZED';
}

export const scenarios: readonly Scenario[] = [
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'fieldNeverRooted',
    what: 'a record in a class field that nothing roots, a handle stored into it, then gc() and deref',
    expected: 'ERR_STALE_HANDLE',
    run: fieldNeverRooted,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'freeHeapRefRooted',
    what: 'freeHeapRef(h) while a rooted record still holds h, then gc()',
    expected: 'ERR_BAD_POINTER',
    run: freeHeapRefRooted,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'heapRefOnJsHeap',
    what: 'a handle kept only in a JS Map (not pinned), then gc() and deref',
    expected: 'ERR_STALE_HANDLE',
    run: heapRefOnJsHeap,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'heapRefOnJsHeap',
    what: 'a lease object in a JS Map holding an unpinned handle, then gc() and deref',
    expected: 'ERR_STALE_HANDLE',
    run: leaseUnpinned,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'notUnpinned',
    what: 'a pinned lease deleted from its Map without unpin, then freeHeapRef of its handle',
    expected: 'ERR_MISUSE',
    run: notUnpinned,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'freeRooted',
    what: 'pool.free(p) while p is still a root (debug mode refuses the free)',
    expected: 'ERR_MISUSE',
    run: freeRooted,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'useAfterFree',
    what: 'removeRoot(p); pool.free(p); then a HeapRef store into p',
    expected: 'ERR_OUT_OF_BOUNDS',
    run: useAfterFree,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'useAfterFree',
    what: 'typedmemclr, removeRoot, free; then a scalar field store into p',
    expected: 'ERR_OUT_OF_BOUNDS',
    run: scalarUseAfterFree,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'neverRooted',
    what: "a record taken from a rooting wrapper's pool directly, a HeapRef stored, then gc()",
    expected: 'ERR_STALE_HANDLE',
    run: bypassedRoot,
  },
  {
    rule: 'offheap/zero-before-root',
    mistake: 'notZeroed',
    what: 'pin of a handle read from reused zero:false memory (the poison word is no handle)',
    expected: 'ERR_STALE_HANDLE',
    run: pinnedGarbage,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'storeBeyondRoot',
    what: 'addRoot(p, L, 2) over a block of 4, a HeapRef stored into record 3, then gc()',
    expected: 'ERR_STALE_HANDLE',
    run: storeBeyondRoot,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'unrootedStore',
    what: 'a HeapRef stored into a record that is never a root, then gc()',
    expected: 'ERR_STALE_HANDLE',
    run: unrootedStore,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'unrootUncleared',
    what: 'removeRoot with the reference still in the slot, gc(), addRoot again, gc()',
    expected: 'ERR_BAD_POINTER',
    run: unrootUncleared,
  },
  {
    rule: 'offheap/no-unrooted-heap-refs',
    mistake: 'neverRooted',
    what: 'a pool of records with HeapRef slots that nothing roots, then gc()',
    expected: 'ERR_STALE_HANDLE',
    run: neverRooted,
  },
  {
    rule: 'offheap/zero-before-root',
    mistake: 'notZeroed',
    what: 'a reused zero:false object made a root before memclrNoHeapPointers, then gc()',
    expected: 'ERR_BAD_POINTER',
    run: publishReused,
  },
  {
    rule: 'offheap/zero-before-root',
    mistake: 'initInFirst',
    what: 'fields set in the pool’s `first`, then a reused object read',
    expected: 'ERR_UNINITIALIZED',
    run: (rt) => {
      const n = initInFirst(rt);
      if (n !== 1) throw new UninitializedError(`a reused object's n is ${n}, not 1: \`first\` did not run for it`);
      return n;
    },
  },
  {
    rule: 'offheap/zeroing-variant',
    mistake: 'missedBarrier',
    what: 'memclrNoHeapPointers on a rooted record while marking, its handle pinned by JS',
    expected: 'ERR_LOST_OBJECT',
    run: clearWithoutBarrier,
  },
  {
    rule: 'offheap/zeroing-variant',
    mistake: 'barrierOnGarbage',
    what: 'typedmemclr on reused zero:false memory while marking',
    expected: 'ERR_BAD_POINTER',
    run: barrierOnGarbage,
  },
  {
    rule: 'offheap/zeroing-variant',
    mistake: 'storeOnGarbage',
    what: 'a barriered HeapRef store as the first write into reused memory while marking',
    expected: 'ERR_BAD_POINTER',
    run: storeOnGarbage,
  },
  {
    rule: 'offheap/no-hidden-heap-pointers',
    mistake: 'rawWrite',
    what: 'a HeapRef kept in a u32 field of a rooted record, then gc()',
    expected: 'ERR_STALE_HANDLE',
    run: hideInNumberField,
  },
  {
    rule: 'offheap/no-hidden-heap-pointers',
    mistake: 'foreignRuntime',
    what: 'a handle made by createRuntime() dereferenced through the module-level deref (the default runtime)',
    expected: 'ERR_FOREIGN_POINTER',
    run: () => mixRuntimes({ name: 'elsewhere' }),
  },
  {
    rule: 'offheap/no-heap-allocation',
    mistake: 'allocation',
    what: '`new` of a class marked @notInHeap',
    expected: 'ERR_MISUSE',
    run: newArena,
  },
];

/** Runs one scenario on a fresh debug runtime with checkmark on. */
export function runScenario(s: Scenario): Outcome {
  const rt: Runtime = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
  const base = { rule: s.rule, mistake: s.mistake, what: s.what, expected: s.expected };
  try {
    const value = s.run(rt);
    return { ...base, error: undefined, code: undefined, message: `completed without an error (returned ${JSON.stringify(value)})` };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const code = (err as { code?: unknown }).code;
    return { ...base, error: err.constructor.name, code: typeof code === 'string' ? code : undefined, message: err.message };
  }
}
