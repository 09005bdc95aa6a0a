/// <reference lib="esnext.disposable" />
// A closed runtime (issue 14): every member that allocates, frees, clears,
// stores, reaches a handle, roots or collects throws ClosedError (code
// ERR_CLOSED, value the member, limit 'an open runtime') and changes nothing;
// the members that only read keep answering. Each refusal comes from a check
// the open runtime's path makes anyway (the space's bound is 0 once closed,
// the object heap's table names no value), so each case has its twin: the
// same call on the runtime while it was open, which works.
import { describe, expect, it } from 'vitest';
import { array, attachRuntime, ClosedError, createRuntime, defaultRuntime, FixAlloc, heapRef, MisuseError, setDefaultRuntime, sharedPool, struct, u32, type HeapRef, type Runtime } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';
import { snapshot } from './helpers.js';

interface Owner {
  name: string;
}
const Rec = struct('Rec', { ref: heapRef<Owner>(), n: u32 });

/** Allocators, object heap and the bytes of [p, p + 64): what a refused call must leave alone. */
function state(rt: Runtime, pool: FixAlloc<unknown>, p: number): string {
  return `${snapshot(rt, pool)} ${JSON.stringify(rt.gcStats())} ${Array.from(rt.space.u8.subarray(p, p + 64)).join(',')}`;
}

/** A runtime with a pool record rooted and holding a live handle, a pinned handle, a record of bytes 7 and a sysAlloc block. */
function world(debug: boolean, shared = false) {
  const rt = createRuntime({ maxBytes: 1 << 20, debug, shared });
  const pool = new FixAlloc(Rec, { runtime: rt });
  const rooted = pool.alloc();
  rt.addRoot(rooted, Rec);
  const h = rt.newHeapRef<Owner>({ name: 'kept' });
  rt.access(Rec).ref.set(rooted, h);
  const pinned = rt.newHeapRef<Owner>({ name: 'pinned' });
  rt.pin(pinned);
  const plain = pool.alloc();
  rt.access(Rec).n.set(plain, 7);
  const block = rt.sysAlloc(8192);
  rt.space.u8.fill(7, block, block + 64);
  return { rt, pool: pool as FixAlloc<unknown>, rooted, h, pinned, plain, block };
}

type World = ReturnType<typeof world>;

/** Every refusing member, called as a correct program calls it on an open runtime. */
const calls: [string, (w: World) => unknown][] = [
  ['newHeapRef', (w) => w.rt.newHeapRef({ name: 'new' })],
  ['deref', (w) => w.rt.deref(w.h)],
  ['freeHeapRef', (w) => w.rt.freeHeapRef(w.h)],
  ['pin', (w) => w.rt.pin(w.h)],
  ['unpin', (w) => w.rt.unpin(w.pinned)],
  ['addRoot', (w) => w.rt.addRoot(w.plain, Rec)],
  ['removeRoot', (w) => w.rt.removeRoot(w.rooted)],
  ['gcStart', (w) => w.rt.gcStart()],
  ['gcStep', (w) => w.rt.gcStep(10)],
  ['gcFinish', (w) => w.rt.gcFinish()],
  ['gc', (w) => w.rt.gc()],
  ['setWriteBarrier', (w) => w.rt.setWriteBarrier(() => {})],
  ['memclrNoHeapPointers', (w) => w.rt.memclrNoHeapPointers(w.block, 64)],
  ['typedmemclr', (w) => w.rt.typedmemclr(Rec, w.plain)],
  ['memclrHasPointers', (w) => w.rt.memclrHasPointers(w.plain, Rec.size)],
  ['storeHeapRef', (w) => w.rt.storeHeapRef(w.plain, 0 as HeapRef<Owner>)],
  ['storeHeapRefNoWB', (w) => w.rt.storeHeapRefNoWB(w.plain, 0 as HeapRef<Owner>)],
  ['sysAlloc', (w) => w.rt.sysAlloc(8192)],
  ['sysFree', (w) => w.rt.sysFree(w.block, 8192)],
  ['persistentalloc', (w) => w.rt.persistentalloc(16)],
  ['FixAlloc.alloc', (w) => w.pool.alloc()],
  ['FixAlloc.free', (w) => w.pool.free(w.plain)],
];

/** The memory a call may touch, for the state comparison. */
function touched(w: World, name: string): number {
  return name === 'memclrNoHeapPointers' || name === 'sysFree' ? w.block : w.plain;
}

describe('a closed runtime refuses every member that changes something', () => {
  for (const [debug, shared] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    it.each(calls)(`%s: works while open, ClosedError with nothing changed after close (debug ${debug}, shared ${shared})`, (name, call) => {
      // The twin: on an open runtime the call works.
      const open = world(debug, shared);
      expect(() => call(open)).not.toThrow();
      const w = world(debug, shared);
      w.rt.close();
      const before = state(w.rt, w.pool, touched(w, name));
      let caught: unknown;
      try {
        call(w);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ClosedError);
      const e = caught as ClosedError;
      expect(e.code).toBe('ERR_CLOSED');
      expect(e.value).toBe(name);
      expect(e.limit).toBe('an open runtime');
      expect(e.message).toMatch(new RegExp(`^${name}: the runtime is closed: `));
      expect(state(w.rt, w.pool, touched(w, name))).toBe(before);
    });
  }

  it('a bad argument to a closed runtime is refused as closed too (the runtime is the first thing checked), nothing changed', () => {
    const w = world(false);
    w.rt.close();
    const before = state(w.rt, w.pool, w.block);
    for (const call of [() => w.rt.deref('x' as never), () => w.rt.freeHeapRef(0 as never), () => w.rt.memclrNoHeapPointers(12.5 as never, 8), () => w.rt.storeHeapRef(w.plain, 5 as never), () => w.rt.gcStep(-1)]) {
      expect(call).toThrow(ClosedError);
    }
    expect(state(w.rt, w.pool, w.block)).toBe(before);
  });

  // Every refusing member checks the runtime before its arguments (the runtime is gone whatever they are). Each row is
  // a bad call: its twin on the open runtime gets the argument's error, the closed runtime ClosedError for the member.
  const badCalls: [member: string, open: string, call: (w: World) => unknown][] = [
    ['sysAlloc', 'ERR_BAD_SIZE', (w) => w.rt.sysAlloc(-1)],
    ['sysAlloc', 'ERR_OPTION', (w) => w.rt.sysAlloc(8192, 5 as never)],
    ['persistentalloc', 'ERR_BAD_SIZE', (w) => w.rt.persistentalloc(-1)],
    ['persistentalloc', 'ERR_BAD_ALIGN', (w) => w.rt.persistentalloc(8, 3)],
    ['persistentalloc', 'ERR_OPTION', (w) => w.rt.persistentalloc(8, 8, 5 as never)],
    ['typedmemclr', 'ERR_MISUSE', (w) => w.rt.typedmemclr({} as never, w.plain)],
    ['FixAlloc', 'ERR_BAD_SIZE', (w) => new FixAlloc(3, { runtime: w.rt })],
    ['FixAlloc', 'ERR_OPTION', (w) => new FixAlloc(Rec, { runtime: w.rt, first: 5 as never })],
    ['sharedPool', 'ERR_OPTION', (w) => sharedPool(w.rt, '', Rec)],
    ['sharedPool', 'ERR_NOT_SHARED', (w) => sharedPool(w.rt, 'recs', Rec)],
    ['share', 'ERR_NOT_SHARED', (w) => w.rt.share()],
  ];
  it.each([false, true])('a bad argument: the open twin names the argument, the closed runtime ClosedError, nothing changed (debug %s)', (debug) => {
    for (const [member, code, call] of badCalls) {
      expect(() => call(world(debug)), member).toThrow(expect.objectContaining({ code }) as Error);
      const w = world(debug);
      w.rt.close();
      const before = state(w.rt, w.pool, w.plain);
      expect(() => call(w), member).toThrow(expect.objectContaining({ name: 'ClosedError', code: 'ERR_CLOSED', value: member }) as Error);
      expect(state(w.rt, w.pool, w.plain), member).toBe(before);
    }
  });

  it('a bad argument, shared: sharedPool and attachRuntime check the space first', () => {
    const calls: [member: string, code: string, call: (w: World) => unknown][] = [
      ['sharedPool', 'ERR_OPTION', (w) => sharedPool(w.rt, '', Rec)],
      ['sharedPool', 'ERR_OPTION', (w) => sharedPool(w.rt, 'recs', Rec, { cache: 5 as never })],
      ['persistentalloc', 'ERR_BAD_SIZE', (w) => w.rt.persistentalloc(0)],
    ];
    for (const [member, code, call] of calls) {
      expect(() => call(world(false, true)), member).toThrow(expect.objectContaining({ code }) as Error);
      const w = world(false, true);
      w.rt.close();
      expect(() => call(w), member).toThrow(expect.objectContaining({ name: 'ClosedError', value: member }) as Error);
    }
    // attachRuntime on the owner's thread: open, the options are checked before the thread's slot (OptionError); closed, the space is.
    const open = createRuntime({ maxBytes: 1 << 20, shared: true });
    expect(() => attachRuntime(open.share(), { checkmark: 5 as never })).toThrow(expect.objectContaining({ code: 'ERR_OPTION' }) as Error);
    const desc = open.share();
    open.close();
    expect(() => attachRuntime(desc, { checkmark: 5 as never })).toThrow(expect.objectContaining({ name: 'ClosedError', value: 'attachRuntime' }) as Error);
  });

  it('new FixAlloc over a closed default runtime: ClosedError before the type is checked; the twin over an open default names the type', () => {
    const saved = defaultRuntime();
    try {
      const rt = createRuntime({ maxBytes: 1 << 20 });
      setDefaultRuntime(rt);
      expect(() => new FixAlloc(3)).toThrow(expect.objectContaining({ code: 'ERR_BAD_SIZE' }) as Error);
      rt.close();
      expect(() => new FixAlloc(3)).toThrow(expect.objectContaining({ name: 'ClosedError', value: 'FixAlloc' }) as Error);
    } finally {
      setDefaultRuntime(saved);
    }
  });

  it('close releases the objects: the heap is empty, another runtime no longer finds the handles live, and it keeps working', () => {
    const a = world(false);
    const b = world(false);
    expect(() => b.rt.deref(a.h)).toThrow(expect.objectContaining({ code: 'ERR_FOREIGN_POINTER' }) as Error);
    expect(a.rt.gcStats().live).toBe(2);
    a.rt.close();
    expect(a.rt.gcStats().live).toBe(0);
    expect(() => b.rt.deref(a.h)).toThrow(expect.objectContaining({ code: 'ERR_STALE_HANDLE' }) as Error);
    const h = b.rt.newHeapRef({ name: 'b' });
    expect(b.rt.deref(h)).toEqual({ name: 'b' });
    b.rt.freeHeapRef(h);
    b.rt.gc();
    expect(b.rt.deref(b.h)).toEqual({ name: 'kept' });
    expect(b.rt.gcStats().live).toBe(2);
  });

  it('close in the middle of a mark: the barrier goes off, the phase says off; stores, clears and the collector are refused; reads stay', () => {
    const w = world(false);
    w.rt.gcStart();
    w.rt.gcStep(1);
    expect(w.rt.gcStats().phase).toBe('mark');
    const cycle = w.rt.gcStats().cycle;
    w.rt.close();
    expect(stateOf(w.rt).barrier.enabled).toBe(false);
    for (const call of [() => w.rt.gcStep(100), () => w.rt.gcFinish(), () => w.rt.storeHeapRef(w.rooted, 0 as HeapRef<Owner>), () => w.rt.typedmemclr(Rec, w.rooted)]) {
      expect(call).toThrow(ClosedError);
    }
    // The cycle ended with the runtime (the barrier is on exactly while the phase is 'mark'); the count stays.
    expect(w.rt.gcStats()).toMatchObject({ phase: 'off', cycle, live: 0 });
  });

  it.each(['mark', 'sweep'] as const)('close during %s: gcStats().phase is off after close; the open twin still reports the phase', (phase) => {
    const enter = (w: World): void => {
      for (let i = 0; i < 50; i++) w.rt.newHeapRef({ name: `garbage ${i}` }); // white handles, so the sweep has slots to walk
      w.rt.gcStart();
      // The pin table is the mark's first job: a budget of one unit leaves the mark running; its whole table and the roots end it.
      w.rt.gcStep(phase === 'mark' ? 1 : w.rt.gcStats().pinTable + 10);
    };
    const open = world(false);
    enter(open);
    expect(open.rt.gcStats().phase).toBe(phase);
    const w = world(false);
    enter(w);
    expect(w.rt.gcStats().phase).toBe(phase);
    w.rt.close();
    expect(w.rt.gcStats().phase).toBe('off');
    expect(open.rt.gcStats().phase).toBe(phase); // another runtime's cycle goes on
    open.rt.gcFinish();
    expect(open.rt.gcStats().phase).toBe('off');
  });

  it.each([false, true])('what only reads keeps answering after close (debug %s)', (debug) => {
    const w = world(debug);
    const persistent = w.rt.persistentalloc(8);
    const stats = w.rt.stats();
    const picture = w.rt.memoryPicture();
    w.rt.close();
    expect(w.rt.closed).toBe(true);
    expect(w.rt.debug).toBe(debug);
    expect(w.rt.shared).toBe(false);
    expect(w.rt.buffer.byteLength).toBe(1 << 20);
    expect(w.rt.space.u8[w.block]).toBe(7);
    expect(w.rt.stats()).toEqual(stats);
    // The pages and the title as before (close gave the pool's span tail up, which the pool rows show).
    const pages = (svg: string): string => svg.slice(0, svg.indexOf('</g>'));
    expect(pages(w.rt.memoryPicture())).toBe(pages(picture));
    expect(pages(picture)).toMatch(/264 KiB mapped/);
    expect(w.rt.inPersistentAlloc(persistent)).toBe(true);
    expect(w.rt.lastLost).toEqual([]);
    expect(w.rt.checkmark).toBe(false);
    expect(w.pool.inuse).toBe(2 * w.pool.size);
    expect(w.rt.gcStats()).toMatchObject({ phase: 'off', live: 0, roots: 1 });
    // Accessors are raw memory, as rt.space is; debug mode's check of allocated memory refuses a closed runtime first.
    if (!debug) expect(w.rt.access(Rec).n.get(w.plain)).toBe(7);
    else expect(() => w.rt.access(Rec).n.get(w.plain)).toThrow(ClosedError);
    w.rt.close(); // a second close does nothing
    expect(w.rt.stats()).toEqual(stats);
  });

  it('debug mode: every accessor operation refuses a closed runtime (ClosedError before p is looked at); the open twin works, and names a bad p', () => {
    const Arr = struct('Arr', { refs: array(heapRef<Owner>(), 2), ns: array(u32, 2), n: u32 });
    const ops = (rt: Runtime, p: number): [string, () => unknown][] => {
      const A = rt.access(Arr);
      return [
        ['n.get', () => A.n.get(p as never)],
        ['n.set', () => A.n.set(p as never, 1)],
        ['ns.get', () => A.ns.get(p as never, 1)],
        ['ns.set', () => A.ns.set(p as never, 1, 2)],
        ['ns.at', () => A.ns.at(p as never, 1)],
        ['refs.get', () => A.refs.get(p as never, 0)],
        ['refs.set', () => A.refs.set(p as never, 0, 0 as HeapRef<Owner>)],
      ];
    };
    const make = () => {
      const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
      return { rt, p: new FixAlloc(Arr, { runtime: rt }).alloc() as number };
    };
    const open = make();
    for (const [name, op] of ops(open.rt, open.p)) expect(op, name).not.toThrow();
    for (const [name, op] of ops(open.rt, 12.5)) expect(op, name).toThrow(expect.objectContaining({ name: 'BadPointerError' }) as Error);
    const w = make();
    w.rt.access(Arr).n.set(w.p as never, 7);
    w.rt.close();
    for (const p of [w.p, 12.5]) {
      for (const [name, op] of ops(w.rt, p)) {
        expect(op, `${name} ${p}`).toThrow(expect.objectContaining({ name: 'ClosedError', code: 'ERR_CLOSED', value: 'Arr accessor', limit: 'an open runtime' }) as Error);
      }
    }
    expect(w.rt.space.u32[(w.p + Arr.offsets.n) >>> 2]).toBe(7); // nothing written
  });

  it('close never runs on a foreign receiver (ERR_RECEIVER) and a closed runtime stays a Runtime for every other check', () => {
    const w = world(false);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- taken off its object on purpose
    expect(() => Reflect.apply(w.rt.close, {}, [])).toThrow(expect.objectContaining({ code: 'ERR_RECEIVER' }) as Error);
    expect(w.rt.closed).toBe(false);
    w.rt.close();
    expect(() => new FixAlloc(Rec, { runtime: w.rt })).toThrow(ClosedError);
    expect(() => w.rt.setWriteBarrier(5 as never)).toThrow(ClosedError);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- taken off its object on purpose
    expect(() => Reflect.apply(w.rt.gc, {}, [])).toThrow(MisuseError);
  });
});

describe('Symbol.dispose: `using rt = createRuntime()` closes it at the end of the block', () => {
  it('closes on leaving the block, and on an exception the block threw (that exception is the one seen)', () => {
    let kept: Runtime | undefined;
    {
      using rt = createRuntime({ maxBytes: 1 << 20 });
      kept = rt;
      expect(rt.deref(rt.newHeapRef({ name: 'in' }))).toEqual({ name: 'in' });
      expect(rt.closed).toBe(false);
    }
    const closed = kept;
    expect(closed.closed).toBe(true);
    expect(() => closed.newHeapRef({ name: 'out' })).toThrow(ClosedError);
    const boom = new Error('boom');
    let seen: unknown;
    try {
      using rt = createRuntime({ maxBytes: 1 << 20 });
      kept = rt;
      throw boom;
    } catch (e) {
      seen = e;
    }
    expect(seen).toBe(boom);
    expect(kept?.closed).toBe(true);
  });

  it('is the well-known symbol, a method of Runtime.prototype that closes once, typed as Disposable', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const d: Disposable = rt; // the declaration types it
    expect(typeof Symbol.dispose).toBe('symbol');
    expect(Object.hasOwn(Object.getPrototypeOf(rt) as object, Symbol.dispose)).toBe(true);
    d[Symbol.dispose]();
    expect(rt.closed).toBe(true);
    expect(() => rt[Symbol.dispose]()).not.toThrow(); // a second dispose does nothing, as a second close
    expect(() => Reflect.apply(rt[Symbol.dispose], {}, [])).toThrow(expect.objectContaining({ name: 'MisuseError', code: 'ERR_RECEIVER', limit: 'Runtime' }) as Error);
  });
});
