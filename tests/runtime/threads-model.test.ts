// Deterministic interleavings of the shared pool's concurrent parts: the
// futex lock (lock.ts), the central list's critical sections (mcentral.ts)
// and the per-thread caches' batch moves (mcache.ts). Virtual threads run
// the runtime's own step function `lockStep`, `unlockStep`, `popLocked`,
// `pushLocked` and `batchTail` over a real SharedArrayBuffer, one atomic
// step at a time, in an order fast-check chooses; a thread that asks to
// sleep blocks while the lock word is `sleeping` (Atomics.wait) until an
// unlock wakes it (Atomics.notify). Checked on every schedule:
//   - mutual exclusion: never two threads inside a critical section;
//   - no object handed out twice, none lost: at the end every object is in
//     exactly one place (held by a thread, in a cache, on the central list,
//     or never carved);
//   - progress: no schedule leaves threads asleep with nobody to wake them.
// Each check can fail: three mutations of the algorithm (no lock; a woken
// thread taking the lock as `locked` instead of `sleeping`; an unlock that
// does not wake) are run through the same property and must be caught.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acquired, locked, LockAttempt, lockStep, sleep, sleeping, unlocked, unlockStep } from '../../src/runtime/lock.js';
import { batchTail } from '../../src/runtime/mcache.js';
import { popLocked, pushLocked } from '../../src/runtime/mcentral.js';
import { P } from '../../src/runtime/share.js';

/** The algorithm under test; mutations replace a piece of it. */
interface Algorithm {
  /** lock()'s fast path: one compare-and-swap. */
  tryLock(w: Int32Array, i: number): boolean;
  lockStep(w: Int32Array, i: number, s: LockAttempt): number;
  unlockStep(w: Int32Array, i: number): boolean;
}

const tryLock = (w: Int32Array, i: number): boolean => Atomics.compareExchange(w, i, unlocked, locked) === unlocked;
const real: Algorithm = { tryLock, lockStep, unlockStep };

const mutations: Record<string, Algorithm> = {
  // Drop the lock: every attempt succeeds at once.
  'no lock': { tryLock: () => true, lockStep: () => acquired, unlockStep: () => false },
  // Take the lock as `locked` after sleeping (the classic futex bug): the next unlock skips the wakeup others need.
  'woken thread takes the lock as locked': {
    tryLock,
    lockStep: (w, i, s) => {
      s.wait = 1;
      return lockStep(w, i, s);
    },
    unlockStep,
  },
  // Unlock without looking for sleepers.
  'unlock without wake': {
    tryLock,
    lockStep,
    unlockStep: (w, i) => {
      Atomics.store(w, i, unlocked);
      return false;
    },
  },
};

const size = 8;
const firstObject = 1024;
/** Objects each virtual thread may carve fresh (its own span). */
const perThread = 16;
/** Cache bounds, small so batches move often. */
const flushAt = 2;
const batch = 2;
const lockWord = P.lock;

type Op = 'alloc' | 'free';

/** One virtual thread: its program, its cache and the registers of the operation it is in. */
interface VThread {
  readonly ops: Op[];
  op: number;
  /** Step within the current operation's slow path: 0 not started, 1 locking, 2 in the critical section, 3 unlocking. */
  phase: number;
  attempt: LockAttempt;
  asleep: boolean;
  /** Cache: list head and length (links in the shared memory, as FixAlloc's). */
  list: number;
  nlist: number;
  /** Fresh objects left in this thread's span. */
  fresh: number;
  freshNext: number;
  held: number[];
  /** The batch being flushed: head, tail, count. */
  fh: number;
  ft: number;
  fn: number;
  done: boolean;
}

interface Outcome {
  readonly ok: boolean;
  readonly why?: string;
}

/**
 * Runs the threads' programs under `schedule`: bursts of [thread, steps]
 * (the thread index is taken modulo the runnable threads), then
 * round-robin until every thread is done or none can run.
 */
function simulate(alg: Algorithm, programs: Op[][], schedule: [number, number][], spinLimit: number): Outcome {
  const buf = new SharedArrayBuffer(firstObject + programs.length * perThread * size);
  const w = new Int32Array(buf);
  const u32 = new Uint32Array(buf);
  const e = 0; // the central entry's words start at 0 (lock, head, count at P offsets)
  const out = new Int32Array(1);
  const threads: VThread[] = programs.map((ops, t) => ({
    ops,
    op: 0,
    phase: 0,
    attempt: new LockAttempt(spinLimit),
    asleep: false,
    list: 0,
    nlist: 0,
    fresh: perThread,
    freshNext: firstObject + t * perThread * size,
    held: [],
    fh: 0,
    ft: 0,
    fn: 0,
    done: ops.length === 0,
  }));
  const sleepers: VThread[] = [];
  const live = new Set<number>();
  let inside = 0;
  let steps = 0;

  /** One step of thread `t`; returns a failure reason or undefined. */
  const step = (t: VThread): string | undefined => {
    const op = t.ops[t.op];
    const next = (): void => {
      t.op++;
      t.phase = 0;
      if (t.op === t.ops.length) t.done = true;
    };
    // Slow path: lock, critical section, unlock; each a step of its own.
    if (t.phase === 1) {
      const r = alg.lockStep(w, lockWord, t.attempt);
      if (r === acquired) t.phase = 2;
      else if (r === sleep && Atomics.load(w, lockWord) === sleeping) {
        t.asleep = true;
        sleepers.push(t);
      }
      return undefined;
    }
    if (t.phase === 2) {
      if (++inside > 1) return 'two threads inside the critical section';
      if (op === 'alloc') {
        t.list = popLocked(w, u32, e, batch, out);
        t.nlist = out[0];
      } else {
        pushLocked(w, u32, e, t.fh, t.ft, t.fn);
      }
      t.phase = 3;
      return undefined;
    }
    if (t.phase === 3) {
      inside--;
      if (alg.unlockStep(w, lockWord)) {
        const s = sleepers.shift();
        if (s !== undefined) s.asleep = false;
      }
      if (op === 'alloc') {
        // Finish the alloc from the refilled cache, or carve.
        if (t.list === 0) return take(t, carve(t), next);
        return take(t, popCache(t), next);
      }
      next();
      return undefined;
    }
    // Fast paths: touch only the thread's own cache.
    if (op === 'alloc') {
      if (t.list !== 0) return take(t, popCache(t), next);
      if (Atomics.load(w, e + P.count) === 0) return take(t, carve(t), next);
      t.attempt.reset();
      // lock(): the fast compare-and-swap, else the step machine.
      t.phase = alg.tryLock(w, lockWord) ? 2 : 1;
      return undefined;
    }
    const p = t.held.shift();
    if (p === undefined) {
      next();
      return undefined;
    }
    live.delete(p);
    u32[p >>> 2] = t.list;
    t.list = p;
    t.nlist++;
    if (t.nlist <= flushAt) {
      next();
      return undefined;
    }
    // Flush a batch: cut it from the cache (no lock: the cache is this thread's), then lock.
    t.fh = t.list;
    t.fn = Math.min(batch, t.nlist);
    t.ft = batchTail(u32, t.fh, t.fn);
    t.list = u32[t.ft >>> 2];
    t.nlist -= t.fn;
    t.attempt.reset();
    t.phase = alg.tryLock(w, lockWord) ? 2 : 1;
    return undefined;
  };
  const popCache = (t: VThread): number => {
    const p = t.list;
    t.list = u32[p >>> 2];
    t.nlist--;
    return p;
  };
  const carve = (t: VThread): number => {
    if (t.fresh === 0) return 0;
    t.fresh--;
    const p = t.freshNext;
    t.freshNext += size;
    return p;
  };
  const take = (t: VThread, p: number, next: () => void): string | undefined => {
    next();
    if (p === 0) return undefined; // this thread's span is used up: the alloc fails, as an out-of-memory would
    if (live.has(p)) return `object ${p} handed out twice`;
    live.add(p);
    t.held.push(p);
    return undefined;
  };

  let k = 0;
  let burst = 0;
  let current: VThread | undefined;
  for (;;) {
    const runnable = threads.filter((t) => !t.done && !t.asleep);
    if (runnable.length === 0) {
      if (threads.every((t) => t.done)) break;
      return { ok: false, why: `deadlock: ${sleepers.length} threads asleep with nobody to wake them` };
    }
    if (++steps > 20_000) return { ok: false, why: 'no progress in 20,000 steps' };
    if (burst === 0 || current === undefined || current.done || current.asleep) {
      if (k < schedule.length) {
        current = runnable[schedule[k][0] % runnable.length];
        burst = schedule[k][1];
      } else {
        current = runnable[k % runnable.length];
        burst = 1;
      }
      k++;
    }
    burst--;
    const why = step(current);
    if (why !== undefined) return { ok: false, why };
  }
  // Audit: every object exactly once among held, cached, central and never carved.
  const seen = new Map<number, string>();
  const place = (p: number, where: string): string | undefined => {
    const before = seen.get(p);
    if (before !== undefined) return `object ${p} is both ${before} and ${where}`;
    seen.set(p, where);
    return undefined;
  };
  for (const t of threads) {
    for (const p of t.held) {
      const why = place(p, 'held');
      if (why) return { ok: false, why };
    }
    let n = 0;
    for (let p = t.list; p !== 0; p = u32[p >>> 2]) {
      const why = place(p, 'cached');
      if (why) return { ok: false, why };
      if (++n > perThread * threads.length) return { ok: false, why: 'a cache list loops' };
    }
    if (n !== t.nlist) return { ok: false, why: `a cache holds ${n} objects, its count says ${t.nlist}` };
    for (let j = 0; j < t.fresh; j++) {
      const why = place(t.freshNext + j * size, 'fresh');
      if (why) return { ok: false, why };
    }
  }
  let n = 0;
  for (let p = w[e + P.head]; p !== 0; p = u32[p >>> 2]) {
    const why = place(p, 'central');
    if (why) return { ok: false, why };
    if (++n > perThread * threads.length) return { ok: false, why: 'the central list loops' };
  }
  if (n !== w[e + P.count]) return { ok: false, why: `the central list holds ${n} objects, its count says ${w[e + P.count]}` };
  if (seen.size !== perThread * threads.length) return { ok: false, why: `${perThread * threads.length - seen.size} objects lost` };
  if (w[lockWord] !== unlocked) return { ok: false, why: 'the lock is held at the end' };
  return { ok: true };
}

const program = fc.array(fc.constantFrom<Op>('alloc', 'free'), { minLength: 4, maxLength: 24 });
const scenario = fc.record({
  programs: fc.array(program, { minLength: 2, maxLength: 3 }),
  schedule: fc.array(fc.tuple(fc.nat(5), fc.integer({ min: 1, max: 8 })), { maxLength: 200 }),
  spinLimit: fc.integer({ min: 1, max: 3 }),
});

function property(alg: Algorithm): fc.IPropertyWithHooks<[{ programs: Op[][]; schedule: [number, number][]; spinLimit: number }]> {
  return fc.property(scenario, ({ programs, schedule, spinLimit }) => {
    const r = simulate(alg, programs, schedule, spinLimit);
    if (!r.ok) throw new Error(r.why);
  });
}

describe('shared pool interleavings (lock, central list, caches)', () => {
  it('keeps mutual exclusion, hands no object out twice, loses none and never deadlocks, on every explored schedule', () => {
    fc.assert(property(real), { numRuns: 600, seed: 16 });
  });

  it('an exhaustive corner: three threads under every choice of their first 6 steps', () => {
    // Every schedule over 3 threads of 12 choices (the first 6 steps exhaustive, the rest round-robin).
    const programs: Op[][] = [
      ['alloc', 'alloc', 'alloc', 'free', 'free', 'free', 'alloc', 'alloc'],
      ['alloc', 'free', 'alloc', 'free', 'alloc', 'free'],
      ['alloc', 'alloc', 'free', 'free', 'alloc'],
    ];
    let runs = 0;
    for (let s = 0; s < 3 ** 6; s++) {
      const schedule: [number, number][] = [];
      for (let j = 0, x = s; j < 6; j++, x = Math.floor(x / 3)) schedule.push([x % 3, 1]);
      for (const spinLimit of [1, 2]) {
        const r = simulate(real, programs, schedule, spinLimit);
        expect(r, `schedule ${schedule.join('')} spin ${spinLimit}`).toEqual({ ok: true });
        runs++;
      }
    }
    expect(runs).toBe(2 * 3 ** 6);
  });

  it.each(Object.keys(mutations))('finds the mutation "%s"', (name) => {
    const r = fc.check(property(mutations[name]), { numRuns: 3000, seed: 16 });
    expect(r.failed, `${name} survived ${r.numRuns} schedules`).toBe(true);
    const why = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    expect(why).toMatch(name === 'no lock' ? /two threads inside the critical section/ : /deadlock/);
  });
});
