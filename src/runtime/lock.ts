// A mutex in one Int32 word of shared memory, as Go's lock_futex.go builds
// its runtime lock: 0 unlocked, 1 locked, 2 locked with possible sleepers.
// An uncontended lock is one compare-and-swap and an unlock one exchange; a
// contended lock spins a little, then marks the word 2 and sleeps on it
// with Atomics.wait, and an unlock that finds 2 wakes one sleeper with
// Atomics.notify. A thread that wakes takes the lock as 2, not 1, since it
// cannot know whether others still sleep (taking it as 1 would let the next
// unlock skip their wakeup: they would sleep forever).
//
// The slow path is written as a step function (`lockStep`), one atomic
// operation per step, so tests/runtime/threads-model.test.ts drives exactly
// this code through chosen interleavings; `lock` runs the same steps.
//
// Atomics.wait is allowed in Node on every thread, the main one included,
// but not on a browser's main thread: there it throws, which `canSleep`
// finds out once, and the lock then only spins.

/** The word's states (Go: mutex_unlocked, mutex_locked, mutex_sleeping). */
export const unlocked = 0;
export const locked = 1;
export const sleeping = 2;

/** Compare-and-swap attempts before a contended lock sleeps (Go spins 4 × 30 cycles, then yields). */
export const spinCount = 100;

/** What one step of a lock attempt asks of its driver. */
export const acquired = 0;
export const again = 1;
/** Sleep while the word is `sleeping` (Atomics.wait), then step again. */
export const sleep = 2;

/** The registers of one lock attempt; `spinLimit` compare-and-swaps before it sleeps. */
export class LockAttempt {
  constructor(readonly spinLimit = spinCount) {}

  /** Next step: 0 exchange, 1 spin, 2 mark sleeping. */
  pc = 0;
  /** The value to take the lock with: 1, or 2 once this thread may have others sleeping behind it. */
  wait = locked;
  spins = 0;

  reset(): void {
    this.pc = 0;
    this.wait = locked;
    this.spins = 0;
  }
}

/**
 * One atomic step of taking the lock at `w[i]`: `acquired`, `again`, or
 * `sleep` (the driver waits on `w[i]` while it holds `sleeping`).
 */
export function lockStep(w: Int32Array, i: number, s: LockAttempt): number {
  switch (s.pc) {
    case 0: {
      const v = Atomics.exchange(w, i, locked);
      if (v === unlocked) return acquired;
      // Someone holds it; if it was `sleeping`, the exchange just hid that, so keep it when taking the lock.
      s.wait = v;
      s.pc = 1;
      s.spins = 0;
      return again;
    }
    case 1:
      if (Atomics.compareExchange(w, i, unlocked, s.wait) === unlocked) return acquired;
      if (++s.spins >= s.spinLimit) s.pc = 2;
      return again;
    default: {
      const v = Atomics.exchange(w, i, sleeping);
      if (v === unlocked) return acquired;
      s.wait = sleeping;
      s.pc = 1;
      s.spins = 0;
      return sleep;
    }
  }
}

/** Releases the lock at `w[i]`; true if the driver must wake one sleeper. */
export function unlockStep(w: Int32Array, i: number): boolean {
  return Atomics.exchange(w, i, unlocked) === sleeping;
}

let sleepOk: boolean | undefined;

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
export function canSleep(): boolean {
  if (sleepOk === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      sleepOk = true;
    } catch {
      sleepOk = false;
    }
  }
  return sleepOk;
}

const attempt = new LockAttempt();

/** Takes the lock at `w[i]` (a word of a SharedArrayBuffer). Not reentrant. */
export function lock(w: Int32Array, i: number): void {
  if (Atomics.compareExchange(w, i, unlocked, locked) === unlocked) return;
  lockSlow(w, i);
}

function lockSlow(w: Int32Array, i: number): void {
  // One attempt object per thread suffices: a thread holds at most one lock attempt at a time.
  const s = attempt;
  s.reset();
  const mayWait = canSleep();
  for (;;) {
    const r = lockStep(w, i, s);
    if (r === acquired) return;
    if (r === sleep && mayWait) Atomics.wait(w, i, sleeping);
  }
}

/** Releases the lock at `w[i]`, waking one sleeper if any may sleep. */
export function unlock(w: Int32Array, i: number): void {
  if (unlockStep(w, i)) Atomics.notify(w, i, 1);
}
