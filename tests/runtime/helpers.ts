// Shared helpers of the runtime tests.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { expect } from 'vitest';
import type { FixAlloc, Runtime } from '../../src/runtime/index.js';
import { poolStateOf } from '../../src/runtime/fixalloc.js';
import { stateOf } from '../../src/runtime/runtime.js';

/** Everything a rejected call must leave as it was: stats and the allocators' private state. */
export function snapshot(rt: Runtime, ...pools: FixAlloc<unknown, boolean>[]): string {
  const s = stateOf(rt).space as unknown as Record<string, unknown>;
  const p = stateOf(rt).persistent as unknown as Record<string, unknown>;
  return JSON.stringify({
    stats: rt.stats(),
    high: s.high,
    freeRuns: stateOf(rt).space.freeRuns(),
    pageState: Array.from(s.pageState as Int32Array).join(','),
    blockTag: Array.from(s.blockTag as Int32Array).join(','),
    pagePool: Array.from(stateOf(rt).space.pagePool).join(','),
    base: p.base,
    off: p.off,
    chunks: p.chunks,
    debugObjects: [...stateOf(rt).debugObjects],
    pools: pools.map((q) => poolStateOf(q)),
  });
}

/** Runs `fn`, expects it to throw `type` with `code` and a message matching `message`, and the state to be unchanged. */
export function rejects(
  rt: Runtime,
  pools: FixAlloc<unknown, boolean>[],
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  code: string,
  message: RegExp,
): Error {
  const before = snapshot(rt, ...pools);
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${type.name}`).toBeInstanceOf(type);
  expect((caught as { code?: string }).code).toBe(code);
  expect((caught as Error).message).toMatch(message);
  expect(snapshot(rt, ...pools)).toBe(before);
  return caught as Error;
}

/** Whether [p, p+n) is all zero. */
export function isZero(rt: Runtime, p: number, n: number): boolean {
  const u8 = stateOf(rt).space.u8;
  for (let i = p; i < p + n; i++) if (u8[i] !== 0) return false;
  return true;
}

/**
 * GC events V8 reports while `run` runs: a count, not a time. A control loop
 * that allocates must see some (else the observer is blind), and a loop that
 * allocates nothing sees none. Entries arrive a turn of the event loop later.
 */
export async function gcEventsDuring(run: () => unknown): Promise<number> {
  const seen: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.push(e.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  run();
  const t1 = performance.now();
  // GC entries arrive asynchronously, later on a loaded machine (a CI run saw none after 20 ms from a loop that
  // allocated 30 MB): wait until one arrives, up to half a second.
  for (let waited = 0; waited === 0 || (seen.length === 0 && waited < 500); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return seen.filter((t) => t >= t0 && t <= t1).length;
}
