// One benchmark thread of the threads topic (bench/topics/threads.ts); runs
// compiled, from .bench-build, as a worker_threads Worker.
//
// The worker builds its state (untimed), says ready, then runs one call per
// `run` message: all workers of a group meet at a start barrier (an Atomics
// counter in shared memory), so thread start-up and message latency are not
// timed; each worker times its own loop from the barrier to its last op and
// posts the absolute start and end (timeOrigin + now, one clock for all
// threads). GC pauses of this isolate are counted by a PerformanceObserver
// and matched to the windows when the main thread asks at the end.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { fresh, liveSetStream, overlapping, type Pause } from '../lib/harness.js';
import { pairLoop, slabLoop } from '../lib/loops.js';
import { threadPool, type ThreadSpec } from './threads-pool.js';

export type ToWorker = { readonly run: number; readonly call: number } | { readonly finish: true };
export type FromWorker =
  | { readonly ready: true }
  /** The window (absolute ms), and this thread's CPU time in it (ns; NaN where the OS does not say). */
  | { readonly t0: number; readonly t1: number; readonly cpu: number }
  /** GC pauses of this isolate in each call's window ([events, ms], call 1 first), and the live set at the end. */
  | { readonly gc: readonly (readonly [number, number])[]; readonly handedOut: readonly number[] }
  | { readonly error: string };

const spec = workerData as ThreadSpec;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);

const pauses: Pause[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push([e.startTime, e.duration]);
});
observer.observe({ entryTypes: ['gc'] });
/**
 * This thread's CPU time in ns, from Linux's schedstat (updated at each
 * scheduler tick and switch, so good to a few ms), or NaN elsewhere. With
 * the window it tells whether the threads ran at once, and whether a pair
 * costs a thread more CPU when another runs beside it (contention).
 */
function cpuNow(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/** Windows in this isolate's performance.now() time. */
const windows: [number, number][] = [];

try {
  const order = liveSetStream(spec.live, 0x9e3779b9 + spec.index);
  const slots = new Int32Array(spec.live);
  let body: (n: number) => void;
  if (spec.kind === 'slab') {
    const i32 = new Int32Array(spec.buffer);
    const base = spec.index * spec.regionBytes + 8;
    for (let i = 0; i < spec.live; i++) slots[i] = base + i * spec.size;
    body = fresh(slabLoop)(i32, slots, order, spec.size, base);
  } else {
    const pool = threadPool(spec);
    for (let i = 0; i < spec.live; i++) slots[i] = pool.alloc();
    body = fresh(pairLoop)(pool, slots, order);
  }
  const ctrl = new Int32Array(spec.ctrl);
  port.on('message', (m: ToWorker) => {
    try {
      if ('finish' in m) {
        setTimeout(() => {
          // The observer delivers a turn of the event loop late; by now every pause is in.
          observer.disconnect();
          post({ gc: windows.map(([t0, t1]) => overlapping(pauses, t0, t1)), handedOut: Array.from(slots) });
        }, 5);
        return;
      }
      // Start barrier: call c of a group of g threads starts once the counter reaches c·g.
      const target = m.call * spec.group;
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      for (let v = Atomics.load(ctrl, 0); v < target; v = Atomics.load(ctrl, 0)) Atomics.wait(ctrl, 0, v);
      const c0 = cpuNow();
      const t0 = performance.now();
      body(m.run);
      const t1 = performance.now();
      const c1 = cpuNow();
      windows.push([t0, t1]);
      post({ t0: performance.timeOrigin + t0, t1: performance.timeOrigin + t1, cpu: c1 - c0 });
    } catch (e) {
      post({ error: String((e as Error).stack ?? e) });
    }
  });
  post({ ready: true });
} catch (e) {
  post({ error: String((e as Error).stack ?? e) });
}
