// The measuring method of shared/design/perf-anchors.md, as a library.
//
// All variants of a topic run interleaved in one process: each round runs
// every variant once, in an order that rotates per round, with an op count
// calibrated so one call takes about `callMs`. Ratios are taken per round
// against a same-round anchor and the median ratio is reported, which keeps
// them stable on a noisy machine where absolute figures drift. GC pauses are
// attributed to the variant whose timed window they start in.
//
// A variant's body must be its own function literal: closures made from one
// literal share V8's type feedback and would measure each other's shapes.
import { PerformanceObserver, performance } from 'node:perf_hooks';

export interface Variant {
  /** Shown in tables; targets refer to variants by this name. */
  readonly name: string;
  /**
   * Builds the variant's state (untimed) and returns the timed body, which
   * performs `n` operations. State persists across calls (churn, live sets).
   */
  setup(): (n: number) => void;
}

export interface VariantResult {
  readonly name: string;
  /** Median over rounds. */
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  /** Main-thread GC pauses that started inside this variant's timed windows, over all rounds. */
  readonly gcEvents: number;
  readonly gcMs: number;
  /** ns/op of each round, in round order. */
  readonly rounds: readonly number[];
}

export interface Measurement {
  readonly variants: readonly VariantResult[];
  readonly opsPerCall: Readonly<Record<string, number>>;
  /** Median over rounds of `anchor ns/op ÷ subject ns/op` (how many times faster the subject is). */
  speedup(subject: string, anchor: string): number;
  get(name: string): VariantResult;
}

export interface MeasureOptions {
  /** Timed rounds (≥ 5 for a median worth the name). */
  readonly rounds: number;
  /** Target duration of one timed call. */
  readonly callMs: number;
  /** Upper bound on ops per call, for variants whose state is bounded. */
  readonly maxOps?: number;
}

export const quick = process.env.BENCH_QUICK === '1';

let compiled = 0;

/**
 * Compiles `factory` afresh, so every variant's loop is its own function: a
 * loop literal shared by several variants shares V8's type feedback and loses
 * context specialisation, which made the offheap rows of fixalloc pay 3-4x
 * more than the once-used anchors. The source gets a unique comment: V8 caches
 * `new Function` by source text, and identical sources would share one
 * SharedFunctionInfo and its feedback again. Factories take everything they
 * use as arguments (no free variables: the copy sees only globals).
 */
export function fresh<F extends (...args: never[]) => unknown>(factory: F): F {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above
  return (new Function(`return (${factory.toString()}); // fresh copy ${compiled++}`) as () => F)();
}
export const defaultOptions: MeasureOptions = quick ? { rounds: 5, callMs: 15 } : { rounds: 7, callMs: 150 };

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Lets the GC observer deliver: Node queues gc entries from the collector's
 * callback and hands them over a turn of the event loop later, so one
 * setImmediate is not enough (measured: 0 entries after one, all after a timer).
 */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** GC entries seen since the last drain, as [start, duration] pairs. */
class GcLog {
  private entries: [number, number][] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.entries.push([e.startTime, e.duration]);
  });
  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  async within(t0: number, t1: number): Promise<[events: number, ms: number]> {
    await tick(); // observer callbacks are delivered a turn of the event loop later
    let events = 0;
    let ms = 0;
    for (const [start, duration] of this.entries) {
      if (start >= t0 && start < t1) {
        events++;
        ms += duration;
      }
    }
    this.entries = this.entries.filter(([start]) => start >= t1);
    return [events, ms];
  }
  stop(): void {
    this.observer.disconnect();
  }
}

function calibrate(body: (n: number) => void, callMs: number, maxOps: number): number {
  let n = 16;
  for (;;) {
    const t0 = performance.now();
    body(n);
    const ms = performance.now() - t0;
    if (ms >= callMs / 4 || n >= maxOps) {
      const scaled = ms > 0 ? Math.round((n * callMs) / ms) : n * 4;
      return Math.max(1, Math.min(maxOps, scaled));
    }
    n *= 4;
  }
}

/** Runs the variants interleaved and returns their medians and per-round ratios. */
export async function measure(variants: readonly Variant[], options: MeasureOptions = defaultOptions): Promise<Measurement> {
  const bodies = variants.map((v) => v.setup());
  const ops = bodies.map((body) => calibrate(body, options.callMs, options.maxOps ?? 2 ** 30));
  bodies.forEach((body, i) => body(ops[i])); // warm-up call at the measured size
  const gc = new GcLog();
  const ns: number[][] = variants.map(() => []);
  const gcEvents = variants.map(() => 0);
  const gcMs = variants.map(() => 0);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (round + k) % variants.length;
      const t0 = performance.now();
      bodies[i](ops[i]);
      const t1 = performance.now();
      ns[i].push(((t1 - t0) * 1e6) / ops[i]);
      const [events, ms] = await gc.within(t0, t1);
      gcEvents[i] += events;
      gcMs[i] += ms;
    }
  }
  gc.stop();
  const results: VariantResult[] = variants.map((v, i) => {
    const nsPerOp = median(ns[i]);
    return { name: v.name, nsPerOp, opsPerSec: 1e9 / nsPerOp, gcEvents: gcEvents[i], gcMs: gcMs[i], rounds: ns[i] };
  });
  const byName = new Map(results.map((r) => [r.name, r]));
  const get = (name: string): VariantResult => {
    const r = byName.get(name);
    if (!r) throw new Error(`no variant named ${name}; have ${[...byName.keys()].join(', ')}`);
    return r;
  };
  return {
    variants: results,
    opsPerCall: Object.fromEntries(variants.map((v, i) => [v.name, ops[i]])),
    get,
    speedup(subject, anchor) {
      const s = get(subject).rounds;
      const a = get(anchor).rounds;
      return median(s.map((x, r) => a[r] / x));
    },
  };
}
