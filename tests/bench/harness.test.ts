// The benchmark harness's own logic: order shuffling, the solo-pass
// allocation flag, paired statistics, GC attribution by overlap, access
// streams and the verdicts of repeated runs. No timing is asserted.
import { readdirSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { pairLoop, type PairPool } from '../../bench/lib/loops.js';
import { order as fixallocOrder, objectPool, P4 } from '../../bench/topics/fixalloc.js';
import { fresh, fullGc, liveSetStream, measure, median, otherThreadsCpuNs, overlapping, pairedDifference, pairedRatio, runsPerProcess, seededRandom, shuffledOrder, sink, type Measurement, type Variant } from '../../bench/lib/harness.js';
import { combine, extra, markdown, passes, runsText, spread, verdictOf, type StoredTopic, type TargetRow } from '../../bench/lib/report.js';

describe('shuffledOrder', () => {
  it('reaches every permutation of 4 variants, about equally often', () => {
    const random = seededRandom(42);
    const seen = new Map<string, number>();
    const runs = 24 * 400;
    for (let r = 0; r < runs; r++) {
      const key = shuffledOrder(4, random).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(24);
    for (const count of seen.values()) {
      expect(count).toBeGreaterThan(400 * 0.7);
      expect(count).toBeLessThan(400 * 1.3);
    }
  });

  it('is a permutation, and a seed gives the same sequence again', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let r = 0; r < 50; r++) {
      const o = shuffledOrder(6, a);
      expect([...o].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(shuffledOrder(6, b)).toEqual(o);
    }
  });

  it('varies each variant’s neighbour from round to round (a rotation would not)', () => {
    const random = seededRandom(3);
    const before = Array.from({ length: 4 }, () => new Set<number>());
    for (let r = 0; r < 12; r++) {
      const o = shuffledOrder(4, random);
      for (let k = 1; k < o.length; k++) before[o[k]].add(o[k - 1]);
    }
    // With a cyclic shift each variant has one fixed predecessor; shuffled, each sees several.
    for (const s of before) expect(s.size).toBeGreaterThanOrEqual(2);
  });
});

/** A loop that keeps one array per op in a ring: it allocates about half a KiB per op. */
const allocating = (name: string, declared: boolean): Variant => ({
  name,
  allocates: declared,
  setup() {
    const keep: number[][] = new Array<number[]>(1024);
    return (n) => {
      for (let i = 0; i < n; i++) keep[i & 1023] = new Array<number>(64).fill(i);
    };
  },
});

/** The accident of the issue: a double accumulated in a closure variable is boxed on every store. */
const closureSink: Variant = {
  name: 'closure sink',
  setup() {
    const data = new Float64Array(1024).map((_, i) => i + 0.5);
    let acc = 0;
    return (n) => {
      for (let i = 0; i < n; i++) acc += data[i & 1023];
      if (acc === -1) sink[2] = acc;
    };
  },
};

/** A loop over a typed array with a local int32 accumulator: it allocates nothing. */
const quiet: Variant = {
  name: 'local accumulator',
  setup() {
    const data = new Int32Array(1024).map((_, i) => i);
    return (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) s = (s + data[i & 1023]) | 0;
      sink[0] = s;
    };
  },
};

describe('measure', () => {
  it('flags a variant that allocates without saying so, and not a quiet one or a declared allocator', async () => {
    const m = await measure([allocating('allocates by accident', false), closureSink, quiet, allocating('allocates by design', true)], { rounds: 3, callMs: 20 });
    // Seen either as GC pauses in its solo window or, when it allocated less than the young
    // generation holds, as heap growth of hundreds of bytes per op.
    const accident = m.get('allocates by accident').solo!;
    expect(accident.gcEvents > 0 || accident.bytesPerOp! > 100).toBe(true);
    expect(m.get('allocates by accident').allocationFlag).toBe(true);
    expect(m.get('closure sink').allocationFlag).toBe(true);
    const local = m.get('local accumulator').solo!;
    expect(local.gcEvents).toBe(0);
    expect(local.bytesPerOp).toBeLessThan(1);
    expect(m.get('local accumulator').allocationFlag).toBe(false);
    expect(m.get('allocates by design').allocationFlag).toBe(false);
    // The other threads' CPU time during each variant's windows, where Linux can say.
    for (const v of m.variants) {
      if (process.platform === 'linux') expect(v.otherThreadsMs).toBeGreaterThanOrEqual(0);
      else expect(v.otherThreadsMs).toBeUndefined();
    }
  });

  it('finds no allocation in the F2 array object pool, and flags it when the record class boxes its doubles', async () => {
    /** The accident the pool had: fields that start as `undefined` (what `a: number;` compiles to in ES2022) stay tagged, so each double store allocates. */
    class Boxed {
      a: number | undefined = undefined;
      b: number | undefined = undefined;
      c: number | undefined = undefined;
      d: number | undefined = undefined;
      constructor(a: number, b: number, c: number, d: number) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
      }
    }
    const boxed = { ...objectPool(1000, Boxed as typeof P4), name: 'pool of boxed records' };
    const m = await measure([objectPool(1000), boxed], { rounds: 3, callMs: 20 });
    expect(m.get('array object pool, 1000 live').allocationFlag).toBe(false);
    expect(m.get('pool of boxed records').allocationFlag).toBe(true);
  }, 60_000);

  it('runs every variant once per round in a shuffled order, with per-round figures', async () => {
    const variants: Variant[] = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      setup: () => (n) => {
        let s = 0;
        for (let i = 0; i < n; i++) s = (s + i) | 0;
        sink[1] = s;
      },
    }));
    const m = await measure(variants, { rounds: 10, callMs: 1, seed: 11 });
    expect(m.orders).toHaveLength(10);
    for (const o of m.orders!) expect([...o].sort()).toEqual([0, 1, 2, 3]);
    // Rotations of one order give at most 4 distinct orders of 4 variants, and each variant one fixed predecessor.
    expect(new Set(m.orders!.map((o) => o.join(''))).size).toBeGreaterThan(4);
    const before = [0, 1, 2, 3].map((v) => new Set(m.orders!.map((o) => o[o.indexOf(v) - 1] ?? -1)));
    expect(before.some((s) => s.size >= 3)).toBe(true);
    for (const v of m.variants) expect(v.rounds).toHaveLength(10);
    // The judged ratio is the median of the same rounds' ratios, not a ratio of the two medians.
    expect(m.speedup('a', 'b')).toBe(pairedRatio(m.get('a').rounds, m.get('b').rounds));
    expect(m.speedup('a', 'b')).toBe(median(m.get('a').rounds.map((x, r) => m.get('b').rounds[r] / x)));
    // Each round forces collections and waits a timer turn for GC entries: ~3 s idle,
    // over 30 s on a loaded 2-core machine. The limit guards against a hang, not speed.
  }, 120_000);
});

describe('fresh', () => {
  // V8's own view through its natives syntax (enabled for code compiled from here on): optimised code lives
  // with a closure's feedback, which closures made from one literal share, so optimising one optimises both.
  v8.setFlagsFromString('--allow-natives-syntax');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- natives syntax only parses in code compiled now
  const natives = new Function('f', 'op', "if (op === 'prepare') %PrepareFunctionForOptimization(f); else if (op === 'optimize') %OptimizeFunctionOnNextCall(f); else return %GetOptimizationStatus(f);") as (
    f: unknown,
    op: 'prepare' | 'optimize' | 'status',
  ) => number;
  const optimized = (f: unknown): boolean => (natives(f, 'status') & (1 << 4)) !== 0; // V8's kOptimized bit
  const pool: PairPool = { alloc: () => 8, free: () => undefined };
  /** Optimises `a` and runs `b` once: is `b` optimised too (shared feedback)? */
  const sharesWith = (a: (n: number) => void, b: (n: number) => void): boolean => {
    natives(a, 'prepare');
    a(64);
    a(64);
    natives(a, 'optimize');
    a(64);
    expect(optimized(a)).toBe(true);
    b(64);
    return optimized(b);
  };
  const slots = new Int32Array(16);
  const order = liveSetStream(16);

  it('closures of one literal share what V8 learnt (the flaw fresh exists for)', () => {
    expect(sharesWith(pairLoop(pool, slots, order), pairLoop(pool, slots, order))).toBe(true);
  });

  it('gives each variant its own compiled loop: optimising one copy leaves another untouched', () => {
    expect(sharesWith(fresh(pairLoop)(pool, slots, order), fresh(pairLoop)(pool, slots, order))).toBe(false);
  });
});

describe('paired statistics', () => {
  it('pairedDifference is the median of per-round differences, not a difference of medians', () => {
    const subject = [10, 100, 12];
    const anchor = [9, 95, 2];
    // Per round: 1, 5, 10 → median 5; the medians (12 and 9) would give 3.
    expect(pairedDifference(subject, anchor)).toBe(5);
    expect(pairedDifference([4, 6], [1, 1])).toBe(4); // even count: mean of the middle two (3 and 5)
  });

  it('pairedRatio is the median of per-round anchor ÷ subject', () => {
    expect(pairedRatio([1, 2, 4], [2, 2, 2])).toBe(1); // ratios 2, 1, 0.5
    expect(pairedRatio([1, 1, 1], [3, 5, 4])).toBe(4);
  });

  it('refuses unpaired rounds', () => {
    expect(() => pairedDifference([1, 2], [1])).toThrow(/unpaired/);
  });

  it('extra() divides the paired difference by the unit count', () => {
    const rounds: Record<string, number[]> = { on: [30, 50, 34], off: [10, 10, 14] };
    const m = { get: (name: string) => ({ name, rounds: rounds[name] }) } as unknown as Measurement;
    expect(extra(m, 'on', 'off', 4)).toEqual({ value: 5, subject: 'on', anchor: 'off' }); // differences 20, 40, 20
  });
});

describe('GC attribution', () => {
  it('counts a pause for every window it overlaps, with the overlapping milliseconds', () => {
    const pauses = [
      [5, 10], // 5..15: starts before the window [10, 20), ends inside it
      [18, 4], // 18..22: starts inside, runs past the end
      [25, 1], // in the gap after the window
    ] as const;
    expect(overlapping(pauses, 10, 20)).toEqual([2, 5 + 2]);
    expect(overlapping(pauses, 22, 30)).toEqual([1, 1]);
    expect(overlapping(pauses, 30, 40)).toEqual([0, 0]);
  });
});

describe('otherThreadsCpuNs', () => {
  it('counts the CPU time of the process\'s other threads (where V8\'s concurrent GC runs), not this one\'s', async () => {
    const before = otherThreadsCpuNs();
    if (before === undefined) {
      expect(process.platform).not.toBe('linux'); // only Linux has /proc schedstat
      return;
    }
    // This thread's own CPU time (seconds by now) is left out: the others' sum plus this thread's stays within
    // the sum over every thread read just after (each figure only grows); with this thread in, it would exceed it by that much.
    const own = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    const all = (): number =>
      readdirSync('/proc/self/task').reduce((sum, tid) => {
        try {
          return sum + Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
        } catch {
          return sum; // ended meanwhile
        }
      }, 0);
    const others = otherThreadsCpuNs()!;
    const mine = own();
    expect(mine).toBeGreaterThan(100e6);
    expect(others + mine).toBeLessThanOrEqual(all() + 10e6); // a tick of slack for a thread read while running
    // A worker spins until its own thread has used 60 ms of CPU (CPU time, whatever the machine's load).
    const mid = otherThreadsCpuNs()!;
    const spin = `const { readFileSync } = require('node:fs'); const { parentPort } = require('node:worker_threads');
      const own = () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
      const t0 = own(); while (own() - t0 < 60e6); parentPort.postMessage(own() - t0); parentPort.on('message', () => {});`;
    // The worker stays until terminated: a thread that has ended is no longer listed, and its time with it.
    const worker = new Worker(spin, { eval: true });
    try {
      const used = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
      expect(used).toBeGreaterThanOrEqual(60e6);
      // Each thread's figure is current to a scheduler tick (a few ms).
      expect(otherThreadsCpuNs()! - mid).toBeGreaterThan(45e6);
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});

describe('liveSetStream', () => {
  it('visits every slot of a large live set, and every slot equally often', () => {
    const live = 100_003;
    const s = liveSetStream(live);
    const seen = new Uint8Array(live);
    for (const j of s) seen[j]++;
    expect(seen.every((c) => c === seen[0])).toBe(true);
    expect(seen[0]).toBeGreaterThan(0);
  });

  it('covers a 1M live set (the tables the issue found touching 65,536 slots), as the topics use it', () => {
    for (const s of [liveSetStream(1_000_000), fixallocOrder(1_000_000)]) {
      expect(s.length).toBe(1_000_000);
      const seen = new Uint8Array(1_000_000);
      for (const j of s) seen[j]++;
      expect(seen.every((c) => c === 1)).toBe(true);
    }
    // Not the identity: a random permutation (a sequential walk would measure prefetching, not random access).
    const s = liveSetStream(1_000_000);
    let inPlace = 0;
    for (let i = 0; i < s.length; i++) if (s[i] === i) inPlace++;
    expect(inPlace).toBeLessThan(20);
  });

  it('is at least 64 Ki long for a small live set, in whole permutations', () => {
    const s = liveSetStream(10_000);
    expect(s.length % 10_000).toBe(0);
    expect(s.length).toBeGreaterThanOrEqual(1 << 16);
  });
});

describe('repeated runs', () => {
  const row = (value: number, extraFields: Partial<TargetRow> = {}): TargetRow => ({ id: 'X1', measure: 'x', value, unit: '×', target: 2, better: 'higher', ...extraFields });
  const run = (values: number[], info = false): StoredTopic => ({
    id: 't',
    title: 'T',
    date: '2026-01-01',
    quick: false,
    tables: [{ caption: 'c', variants: [{ name: 'v', nsPerOp: values[0], opsPerSec: 1e9 / values[0], gcEvents: 0, gcMs: 0 }] }],
    targets: values.map((v) => row(v, { info })),
    notes: [],
  });

  it('calls a row unstable when its spread crosses the target, pass or miss only when all runs agree', () => {
    expect(verdictOf([2.1, 2.5, 3], row(0))).toBe('pass');
    expect(verdictOf([1.9, 2.5, 3], row(0))).toBe('unstable');
    expect(verdictOf([1, 1.5, 1.9], row(0))).toBe('miss');
    expect(verdictOf([2, 2, 2], row(0))).toBe('pass'); // at the target is a pass
    expect(verdictOf([1.9, 2.5], row(0, { better: 'lower' }))).toBe('unstable');
    expect(verdictOf([1, 5], row(0, { info: true }))).toBe('info');
  });

  it('combines runs into median and min–max per row', () => {
    const c = combine([run([1.8, 3]), run([2.4, 2.5]), run([2.2, 2.6])]);
    expect(c.runs).toBe(3);
    expect(c.targets[0]).toMatchObject({ median: 2.2, min: 1.8, max: 2.4, verdict: 'unstable' });
    expect(c.targets[1]).toMatchObject({ median: 2.6, min: 2.5, max: 3, verdict: 'pass' });
    expect(c.tables[0].variants[0]).toMatchObject({ nsPerOp: 2.2, min: 1.8, max: 2.4 });
  });

  it('never passes a row that measured nothing (NaN, which a child\'s JSON turns into null)', () => {
    const lower = (v: number | null): StoredTopic => ({ ...run([1]), targets: [row(v as number, { better: 'lower' })] });
    // Through JSON as run.ts reads a child's report: NaN becomes null, and null <= 2 would be true.
    const viaJson = (t: StoredTopic): StoredTopic => JSON.parse(JSON.stringify(t)) as StoredTopic;
    expect(viaJson(lower(NaN)).targets[0].value).toBeNull();
    expect(passes(viaJson(lower(NaN)).targets[0])).toBe(false);
    expect(passes(lower(1).targets[0])).toBe(true);
    const all = combine([viaJson(lower(NaN)), viaJson(lower(NaN))]).targets[0];
    expect(all.verdict).toBe('miss');
    expect(all.median).toBeNaN();
    expect(spread(all)).toBe('n/a (2 runs measured nothing)');
    const some = combine([viaJson(lower(NaN)), lower(1), lower(1.5)]).targets[0];
    expect(some).toMatchObject({ median: 1.25, min: 1, max: 1.5, verdict: 'unstable' });
    expect(spread(some)).toBe('1–1.5× (1 run measured nothing)');
  });

  it('keeps info rows out of the verdicts', () => {
    const c = combine([run([1], true), run([3], true)]);
    expect(c.targets[0].verdict).toBe('info');
  });

  it('spreads a topic’s in-process repetitions over the processes of --repeat N, at least one in each', () => {
    for (const processes of [1, 2, 3, 4, 7, 20]) {
      const each = runsPerProcess(3, processes);
      expect(each * processes).toBeGreaterThanOrEqual(3);
      expect(each).toBeGreaterThanOrEqual(1);
      // No more than needed: one fewer per process would fall short (or reach zero).
      expect(each === 1 || (each - 1) * processes < 3).toBe(true);
    }
    expect([1, 2, 3].map((p) => runsPerProcess(3, p))).toEqual([3, 2, 1]);
    expect(() => runsPerProcess(3, 0)).toThrow(RangeError);
    expect(() => runsPerProcess(0, 3)).toThrow(RangeError);
  });

  it('reads the process count bench/run.ts passes down (BENCH_PROCESSES), 1 when absent or not a count', async () => {
    const saved = process.env.BENCH_PROCESSES;
    const read = async (v: string | undefined): Promise<number> => {
      if (v === undefined) delete process.env.BENCH_PROCESSES;
      else process.env.BENCH_PROCESSES = v;
      vi.resetModules();
      return (await import('../../bench/lib/harness.js')).processes;
    };
    try {
      expect(await read('3')).toBe(3);
      expect(await read(undefined)).toBe(1);
      for (const bad of ['0', '-2', '1.5', 'x', '']) expect(await read(bad)).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.BENCH_PROCESSES;
      else process.env.BENCH_PROCESSES = saved;
      vi.resetModules();
    }
  });

  it('combines rows that repeat a measurement inside each process like any other, and counts their measurements', () => {
    // Three processes of a lint-like topic: one cold run per process for L1, two paired lints per process for L4.
    const lintRun = (l1: number, l4: number): StoredTopic => ({
      ...run([l1, l4]),
      targets: [row(l1, { id: 'L1', samples: 1, better: 'lower' }), row(l4, { id: 'L4', samples: 2, better: 'lower' })],
    });
    const c = combine([lintRun(0.9, 1.5), lintRun(1.1, 3), lintRun(1.0, 2.5)]);
    expect(c.targets[0]).toMatchObject({ median: 1, min: 0.9, max: 1.1, values: [0.9, 1.1, 1.0], samplesPerRun: [1, 1, 1], verdict: 'pass' });
    expect(c.targets[1]).toMatchObject({ median: 2.5, min: 1.5, max: 3, samplesPerRun: [2, 2, 2], verdict: 'unstable' });
    expect(runsText(c.targets[0])).toBe('3');
    expect(runsText(c.targets[1])).toBe('6 (3 × 2)');
    // One process with three runs inside it (no --repeat): 3 measurements, one process.
    expect(runsText(combine([lintRun(1, 2)]).targets[0])).toBe('1');
    expect(runsText({ values: [1], samplesPerRun: [3] })).toBe('3 (1 × 3)');
    expect(runsText({ values: [1, 2], samplesPerRun: [3, 2] })).toBe('5 (3 + 2)');
    // Rows of other topics say nothing of samples: the processes are the runs.
    expect(combine([run([1, 2]), run([2, 3])]).targets[0].samplesPerRun).toBeUndefined();
    expect(runsText(combine([run([1, 2]), run([2, 3])]).targets[0])).toBe('2');
    // The topic's table on the page shows the count.
    expect(markdown(c)).toMatch(/\| L4 \| x \|.*\| 6 \(3 × 2\) \|/);
  });

  it('judges a row by each of its in-process measurements when it gives them, not by the medians alone', () => {
    // Two pairs per process whose medians pass while one pair of the first process misses: unstable.
    const pairs = (values: number[], sampleValues?: number[]): StoredTopic => ({
      ...run([0]),
      targets: [row(values[0], { id: 'L4', samples: 2, better: 'lower', target: 10, ...(sampleValues ? { sampleValues } : {}) })],
    });
    expect(combine([pairs([6], [-2, 14]), pairs([4], [3, 5])]).targets[0].verdict).toBe('unstable');
    // The same medians without the per-pair values: pass (what the page said before the row gave them).
    expect(combine([pairs([6]), pairs([4])]).targets[0].verdict).toBe('pass');
    // Every pair on one side: pass, and miss.
    expect(combine([pairs([6], [5, 7]), pairs([4], [3, 5])]).targets[0].verdict).toBe('pass');
    expect(combine([pairs([16], [15, 17]), pairs([14], [13, 15])]).targets[0].verdict).toBe('miss');
  });

  it('refuses runs whose rows do not line up', () => {
    const other = { ...run([1, 2]), targets: [row(1), { ...row(2), id: 'Y' }] };
    expect(() => combine([run([1, 2]), other])).toThrow(/row 1/);
    expect(() => combine([run([1, 2]), run([1])])).toThrow(/differ in shape/);
  });
});

describe('measure releases the variants\' state', () => {
  // A table's variants hold live sets of up to a million objects; a Measurement kept for the report must not keep them
  // reachable, or every later table of the topic runs with that much more live heap (slower forced GCs, and V8's
  // heuristics see a bigger heap).
  function holder(): { variant: Variant; refs: { state?: WeakRef<object>; body?: (n: number) => void } } {
    const refs: { state?: WeakRef<object>; body?: (n: number) => void } = {};
    const variant: Variant = {
      name: 'holds a live set',
      setup() {
        const state = { live: Array.from({ length: 1000 }, (_, i) => i) };
        refs.state = new WeakRef(state);
        const body = (n: number): void => {
          for (let i = 0; i < n; i++) state.live[i % 1000]++;
        };
        refs.body = body;
        return body;
      },
    };
    return { variant, refs };
  }

  async function measured(keepBody: boolean): Promise<{ m: Measurement; state: WeakRef<object> }> {
    const { variant, refs } = holder();
    const m = await measure([variant], { rounds: 2, callMs: 1 });
    if (!keepBody) delete refs.body;
    await new Promise((r) => setTimeout(r, 0)); // leave measure's frames behind
    fullGc()!();
    return { m, state: refs.state! };
  }

  it('after measure returns, with its Measurement still held, the state is garbage', async () => {
    const { m, state } = await measured(false);
    expect(m.get('holds a live set').rounds).toHaveLength(2);
    expect(state.deref()).toBeUndefined();
  });

  it('twin: while the caller holds the body, the state stays (the WeakRef can see a live state)', async () => {
    const { state } = await measured(true);
    expect(state.deref()).toBeDefined();
  });
});
