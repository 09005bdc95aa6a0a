// What a benchmark thread is given, and the shared pool it allocates from:
// the one place the threads topic touches the runtime's threads API.
import { attachRuntime, createRuntime, f64, sharedPool, struct, type Runtime, type SharedRuntime } from '../../src/runtime/index.js';

export const Rec64 = struct('Rec64', { a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64 });

interface Common {
  /** This thread's index in its group, and the group's size. */
  readonly index: number;
  readonly group: number;
  /** Objects each thread keeps live (its own; the pair frees one and allocates its replacement). */
  readonly live: number;
  /** The group's start barrier: one Int32 counter. */
  readonly ctrl: SharedArrayBuffer;
}

export type ThreadSpec =
  | (Common & {
      readonly kind: 'slab';
      /** One region of `regionBytes` per thread. */
      readonly buffer: SharedArrayBuffer;
      readonly regionBytes: number;
      readonly size: number;
    })
  | (Common & {
      readonly kind: 'pool';
      /** The owner's space (`rt.share()`) and the name of the shared pool in it. */
      readonly share: SharedRuntime;
      readonly pool: string;
      /** False: the pool's per-thread cache is off (every pair goes to the central list). */
      readonly cache: boolean;
    });

export interface ThreadPool {
  alloc(): number;
  free(p: number): void;
}

/** The worker's side: attach to the owner's space and open the shared pool. */
export function threadPool(spec: ThreadSpec & { kind: 'pool' }): ThreadPool {
  const rt = attachRuntime(spec.share);
  return sharedPool(rt, spec.pool, Rec64, { zero: false, cache: spec.cache });
}

/** The owner's side: a shared space big enough for `threads` live sets of `live` 64-byte objects (spans, caches and slack included). */
export function sharedSpace(threads: number, live: number): { rt: Runtime; share: SharedRuntime } {
  const rt = createRuntime({ shared: true, maxBytes: 2 ** Math.ceil(Math.log2(threads * live * 64 * 2 + (8 << 20))) });
  return { rt, share: rt.share() };
}
