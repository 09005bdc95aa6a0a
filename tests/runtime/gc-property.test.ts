// Property: random programs of allocate/store/clear/root/unroot/pin/deref,
// interleaved with random gcStep budgets and written only with the correct
// operations, never lose a reachable object and never keep more than one
// cycle's garbage. The runtime runs with debug (bad pointers throw) and
// checkmark (a lost object throws at mark termination), and every deref is
// checked against a model of what each reachable handle names.
//
// At least 10^4 programs per run; OFFHEAP_GC_PROPERTY_RUNS=<n> (or
// OFFHEAP_PROPERTY_RUNS, scaled ×40) runs more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime, FixAlloc, heapRef, struct, u32, type HeapRef, type LayoutType, type MaybeGarbage, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { n: u32, a: heapRef<Obj>(), b: heapRef<Obj>(), m: u32 });
type RecT = LayoutType<typeof Rec>;
interface Obj {
  readonly id: number;
}
const slotNames = ['a', 'b'] as const;

type Op =
  | { k: 'alloc'; pinIt: boolean; block: number; slot: number }
  | { k: 'store'; from: number; block: number; slot: number }
  | { k: 'storeNil'; block: number; slot: number }
  | { k: 'clear'; block: number; how: 'typedmemclr' | 'memclrHasPointers' }
  | { k: 'newBlock' }
  | { k: 'freeBlock'; block: number }
  | { k: 'root'; block: number }
  | { k: 'unroot'; block: number }
  | { k: 'pin'; from: number; fromSlot: boolean }
  | { k: 'unpin'; which: number }
  | { k: 'deref'; from: number }
  | { k: 'scalar'; block: number; v: number } // v < 0: the value of the (-v)-th handle made
  | { k: 'gcStart' }
  | { k: 'gcStep'; budget: number } // 0: exactly the pin table's length
  | { k: 'gcFinish' };

const n = fc.nat(1000);
const mutatorOp: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('alloc' as const), pinIt: fc.boolean(), block: n, slot: fc.nat(1) }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant('store' as const), from: n, block: n, slot: fc.nat(1) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('storeNil' as const), block: n, slot: fc.nat(1) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('clear' as const), block: n, how: fc.constantFrom('typedmemclr' as const, 'memclrHasPointers' as const) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('newBlock' as const) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('freeBlock' as const), block: n }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('root' as const), block: n }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('unroot' as const), block: n }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('pin' as const), from: n, fromSlot: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('unpin' as const), which: n }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('deref' as const), from: n }), weight: 2 },
  // A scalar: any u32, or the value of a handle the program made (live or not).
  { arbitrary: fc.record({ k: fc.constant('scalar' as const), block: n, v: fc.oneof(fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: -1000, max: -1 })) }), weight: 2 },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: mutatorOp, weight: 30 },
  { arbitrary: fc.record({ k: fc.constant('gcStart' as const) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('gcStep' as const), budget: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 64 })) }), weight: 6 },
  { arbitrary: fc.record({ k: fc.constant('gcFinish' as const) }), weight: 1 },
);

interface Block {
  readonly p: number;
  rooted: boolean;
  /** Whether its bytes are type-safe (zero-initialized or written since); garbage from the pool until then. */
  safe: boolean;
  /** Model of the HeapRef slots (only meaningful while safe). */
  readonly slots: [number, number];
}

/** Runs one program; throws (failing the property) on any violation. */
function run(prog: readonly Op[]): void {
  const rt: Runtime = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
  const pool = new FixAlloc(Rec, { runtime: rt, zero: false });
  const acc = rt.access(Rec);
  const blocks: Block[] = [];
  const pins: number[] = []; // a multiset: one entry per pin
  const ids = new Map<number, number>(); // every handle handed out → the id of its object
  let nextId = 1;
  let pending: { cycle: number; garbage: number[] } | undefined;

  const rooted = (): Block[] => blocks.filter((b) => b.rooted);
  /** Handles the program can reach now: in rooted slots or pinned. */
  const reachable = (): number[] => {
    const out = new Set<number>(pins);
    for (const b of rooted()) for (const v of b.slots) if (v !== 0) out.add(v);
    return [...out];
  };
  const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
  const setSlot = (b: Block, s: number, v: number): void => {
    acc[slotNames[s]].set(b.p as Ptr<RecT>, v as HeapRef<Obj>);
    b.slots[s] = v;
  };
  const checkDeref = (h: number): void => {
    const o = rt.deref<Obj>(h as HeapRef<Obj>);
    if (o.id !== ids.get(h)) throw new Error(`deref(${h}) gave object ${o.id}, expected ${ids.get(h)}`);
  };
  const afterGcOp = (): void => {
    const c = stateOf(rt).collector;
    if (pending !== undefined && (c.cycle > pending.cycle || c.phase === 'off')) {
      for (const g of pending.garbage) if (stateOf(rt).heap.isLive(g)) throw new Error(`handle ${g}, garbage when cycle ${pending.cycle} started, survived it`);
      pending = undefined;
    }
  };
  const started = (): void => {
    // Called right after a gcStart that began a cycle: everything unreachable now must be gone when it ends.
    const r = new Set(reachable());
    pending = { cycle: stateOf(rt).collector.cycle, garbage: [...ids.keys()].filter((h) => stateOf(rt).heap.isLive(h) && !r.has(h)) };
  };

  for (const o of prog) {
    switch (o.k) {
      case 'alloc': {
        const h = rt.newHeapRef<Obj>({ id: nextId });
        ids.set(h, nextId++);
        const b = pick(rooted(), o.block);
        if (o.pinIt || b === undefined) {
          rt.pin(h);
          pins.push(h);
        } else setSlot(b, o.slot, h);
        break;
      }
      case 'store': {
        const b = pick(rooted(), o.block);
        const h = pick(reachable(), o.from);
        if (b !== undefined && h !== undefined) setSlot(b, o.slot, h);
        break;
      }
      case 'storeNil': {
        const b = pick(rooted(), o.block);
        if (b !== undefined) setSlot(b, o.slot, 0);
        break;
      }
      case 'clear': {
        const b = pick(rooted(), o.block);
        if (b === undefined) break;
        if (o.how === 'typedmemclr') rt.typedmemclr(Rec, b.p as Ptr<RecT>);
        else rt.memclrHasPointers(b.p as Ptr<RecT>, Rec.size);
        b.slots[0] = b.slots[1] = 0;
        break;
      }
      case 'newBlock':
        blocks.push({ p: pool.alloc(), rooted: false, safe: false, slots: [0, 0] });
        break;
      case 'freeBlock': {
        const b = pick(blocks, o.block);
        if (b === undefined) break;
        if (b.rooted) rt.removeRoot(b.p as Ptr<RecT>);
        pool.free(b.p as MaybeGarbage<RecT>);
        blocks.splice(blocks.indexOf(b), 1);
        break;
      }
      case 'root': {
        const b = pick(
          blocks.filter((x) => !x.rooted),
          o.block,
        );
        if (b === undefined) break;
        // Rule 2: zero-initialize before the slots become visible as roots.
        const q = b.p as MaybeGarbage<RecT>;
        rt.memclrNoHeapPointers(q, Rec.size);
        b.slots[0] = b.slots[1] = 0;
        b.safe = true;
        rt.addRoot(q, Rec);
        b.rooted = true;
        break;
      }
      case 'unroot': {
        const b = pick(rooted(), o.block);
        if (b === undefined) break;
        rt.removeRoot(b.p as Ptr<RecT>);
        b.rooted = false;
        break;
      }
      case 'pin': {
        // A handle JS code got from a rooted slot (Go: a load onto the stack), or any it can reach.
        const fromSlots = rooted().flatMap((b) => b.slots.filter((v) => v !== 0));
        const h = pick(o.fromSlot && fromSlots.length > 0 ? fromSlots : reachable(), o.from);
        if (h !== undefined) {
          rt.pin(h as HeapRef<Obj>);
          pins.push(h);
        }
        break;
      }
      case 'unpin': {
        if (pins.length === 0) break;
        const i = o.which % pins.length;
        rt.unpin(pins[i] as HeapRef<Obj>);
        pins.splice(i, 1);
        break;
      }
      case 'deref': {
        const h = pick(reachable(), o.from);
        if (h !== undefined) checkDeref(h);
        break;
      }
      case 'scalar': {
        // Scalar words may hold anything, a handle's value included: the pointer bitmap never reads them as
        // pointers (a handle there keeps nothing alive, the "garbage is freed" check below would fail) nor as
        // bad pointers (debug mode would throw).
        const b = pick(blocks, o.block);
        const made = [...ids.keys()];
        const v = o.v >= 0 ? o.v : (pick(made, -o.v) ?? 0);
        if (b !== undefined) {
          acc.n.set(b.p as Ptr<RecT>, v);
          acc.m.set(b.p as Ptr<RecT>, v);
        }
        break;
      }
      case 'gcStart':
        afterGcOp(); // a pending sweep finishes inside gcStart
        if (rt.gcStart()) {
          afterGcOp();
          started();
        }
        break;
      case 'gcStep':
        rt.gcStep(o.budget === 0 ? Math.max(1, stateOf(rt).heap.top - 1) : o.budget);
        break;
      case 'gcFinish':
        rt.gcFinish();
        break;
    }
    afterGcOp();
  }
  // Every reachable handle is live and names its object; memory agrees with the model.
  for (const b of rooted()) {
    expect([acc.a.get(b.p as Ptr<RecT>), acc.b.get(b.p as Ptr<RecT>)]).toEqual(b.slots);
  }
  for (const h of reachable()) checkDeref(h);
  // Two full cycles leave exactly the reachable handles (the first may finish a running cycle).
  rt.gc();
  afterGcOp();
  rt.gc();
  const r = reachable();
  for (const h of r) checkDeref(h);
  expect(stateOf(rt).heap.live).toBe(r.length);
}

/**
 * A program: mutator setup, a cycle started with only the pin table scanned,
 * a few mutator steps (the window in which roots are still grey), then anything.
 */
const program: fc.Arbitrary<Op[]> = fc
  .tuple(fc.array(mutatorOp, { maxLength: 16 }), fc.array(mutatorOp, { maxLength: 8 }), fc.array(op, { maxLength: 36 }))
  .map(([setup, grey, rest]) => [...setup, { k: 'gcStart' }, { k: 'gcStep', budget: 0 }, ...grey, ...rest]);

/**
 * Hand-written programs that reach each barrier path, run before the random
 * ones: JS reads a handle from a grey root after the pin table was scanned,
 * then the slot lets go of it by overwrite, nil store, each clear, or removal.
 */
const prefix: Op[] = [
  { k: 'newBlock' },
  { k: 'root', block: 0 },
  { k: 'alloc', pinIt: false, block: 0, slot: 0 },
  { k: 'gcStart' },
  { k: 'gcStep', budget: 0 },
  { k: 'pin', from: 0, fromSlot: true },
];
const examples: Op[][] = [
  [...prefix, { k: 'storeNil', block: 0, slot: 0 }, { k: 'gcFinish' }, { k: 'deref', from: 0 }],
  [...prefix, { k: 'alloc', pinIt: false, block: 0, slot: 0 }, { k: 'gcStep', budget: 64 }, { k: 'gcStep', budget: 64 }],
  [...prefix, { k: 'clear', block: 0, how: 'typedmemclr' }, { k: 'gcFinish' }],
  [...prefix, { k: 'clear', block: 0, how: 'memclrHasPointers' }, { k: 'gcFinish' }],
  [...prefix, { k: 'unroot', block: 0 }, { k: 'gcFinish' }],
  [...prefix, { k: 'freeBlock', block: 0 }, { k: 'gcStep', budget: 3 }, { k: 'gcStart' }],
];

const runs = Number(process.env.OFFHEAP_GC_PROPERTY_RUNS ?? (process.env.OFFHEAP_PROPERTY_RUNS ? Number(process.env.OFFHEAP_PROPERTY_RUNS) * 40 : 10_000));

describe('collector property', () => {
  it(`${runs} random correct programs never lose a reachable object nor keep a cycle's garbage`, () => {
    const t0 = performance.now();
    fc.assert(
      fc.property(program, (prog) => {
        run(prog);
      }),
      { numRuns: runs, examples: examples.map((e) => [e] as [Op[]]) },
    );
    const ms = performance.now() - t0;
    console.log(`gc-property: ${runs} programs in ${ms.toFixed(0)} ms`);
  }, 600_000);

  it('the checker fails a program that breaks a rule (positive control)', () => {
    // Same harness idea, wrong operation: memclrNoHeapPointers over a rooted, marked-grey block after a pin.
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
    const p = new FixAlloc(Rec, { runtime: rt }).alloc();
    const h = rt.newHeapRef<Obj>({ id: 1 });
    rt.access(Rec).a.set(p, h);
    rt.addRoot(p, Rec);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1);
    rt.pin(rt.access(Rec).a.get(p));
    rt.memclrNoHeapPointers(p, Rec.size);
    expect(() => rt.gcFinish()).toThrow(/checkmark: GC cycle 1 missed 1 reachable object/);
  });
});
