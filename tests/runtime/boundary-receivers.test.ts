// Issue 14, one boundary: what plain JS can do to a Runtime or a FixAlloc
// besides calling its methods as written.
// - A pool's state is private: assigning any of its old field names (or any
//   name) from plain JS changes nothing alloc and free use (`pool.list =
//   12345; pool.alloc()` handed out 12345 before).
// - A method or accessor called on anything but its own kind of object (a
//   plain object, a Proxy, an object inheriting from one, a detached
//   method's undefined, the other class) throws MisuseError ERR_RECEIVER
//   naming the member, with the receiver as value and the class as limit,
//   and changes nothing; an assignment to a getter-only property throws
//   MisuseError ERR_READ_ONLY. Both were the engine's plain TypeError (or
//   silence in sloppy mode). The hot clears and stores (runtime.ts
//   hotMethods) are the exception: they keep the engine's TypeError, thrown
//   before anything changes, because the guard cost them their inlining in
//   callers' loops. One mechanism guards every other member (check.ts,
//   guardReceivers), so these tests walk the prototypes rather than list
//   the members.
/* eslint-disable @typescript-eslint/unbound-method -- members taken off their objects on purpose */
import { describe, expect, it } from 'vitest';
import { BadPointerError, createRuntime, FixAlloc, heapRef, MisuseError, Runtime, sharedPool, struct, u32 } from '../../src/runtime/index.js';
import { poolStateOf } from '../../src/runtime/fixalloc.js';
import { hotMethods } from '../../src/runtime/runtime.js';
import { snapshot } from './helpers.js';

const Node = struct('Node', { ref: heapRef<object>(), n: u32 });

/** Every data or accessor member of a prototype (not the constructor). */
function members(proto: object): { key: string; d: PropertyDescriptor }[] {
  return Reflect.ownKeys(proto)
    .filter((k): k is string => typeof k === 'string' && k !== 'constructor')
    .map((key) => ({ key, d: Reflect.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor }));
}

/** What a call threw (undefined if it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** What a call returned, or what it threw. */
function result(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return e;
  }
}

/** A runtime with a pool, a live object rooted with a handle in it, and what the calls below pass. */
function world(): { rt: Runtime; pool: FixAlloc<unknown>; p: number; h: number; args: Record<string, unknown[]> } {
  const rt = createRuntime({ maxBytes: 1 << 20 });
  const pool = new FixAlloc(Node, { runtime: rt }) as FixAlloc<unknown>;
  const p = pool.alloc() as number;
  pool.alloc();
  const h = rt.newHeapRef({ x: 1 }) as number;
  rt.access(Node).ref.set(p as never, h as never);
  rt.addRoot(p as never, Node);
  // Arguments a genuine receiver would accept, so a member that ran on another receiver would have something to do.
  const args: Record<string, unknown[]> = {
    sysAlloc: [8192],
    sysFree: [8192, 8192],
    persistentalloc: [16],
    memclrNoHeapPointers: [p, 4],
    typedmemclr: [Node, p],
    memclrHasPointers: [p, 8],
    storeHeapRef: [p, h],
    storeHeapRefNoWB: [p, h],
    setWriteBarrier: [undefined],
    inPersistentAlloc: [p],
    newHeapRef: [{}],
    deref: [h],
    freeHeapRef: [h],
    addRoot: [p, Node],
    removeRoot: [p],
    pin: [h],
    unpin: [h],
    gcStep: [100],
    access: [Node],
    free: [p],
    contains: [p],
    deadObjectIn: [p, 4],
    closeCache: [{}],
  };
  return { rt, pool, p, h, args };
}

/** Everything a call on a foreign receiver must leave as it was. */
function state(rt: Runtime, pool: FixAlloc<unknown>): string {
  return `${snapshot(rt, pool)} ${JSON.stringify(rt.gcStats())} ${rt.closed}`;
}

describe('a pool’s state cannot be assigned from plain JS', () => {
  const oldFields = ['list', 'held', 'floor', 'chunk', 'nchunk', 'freshList', 'nfresh', 'nalloc', 'inuse', 'size', 'id', 'zero', 'debug', 'sharedDebug', 'u32', 'first', 'stat', 'flushAt', 'refillBatch', 'inFirst', 'firstP', 'spanBytes', 'sharedName', 'layout'];

  /**
   * Assigns each name on `pool` (as plain JS: a typed error is fine, a change is not) and reports which assignments
   * changed what alloc hands out next, or its private state.
   */
  function assignmentsThatMatter(make: () => { pool: { alloc(): unknown; free(p: unknown): void }; state(): string }): string[] {
    const changed: string[] = [];
    for (const name of oldFields) {
      for (const value of [12345, 0, 1, -1, true, undefined]) {
        const a = make();
        const b = make();
        const before = a.state();
        void thrown(() => {
          (a.pool as unknown as Record<string, unknown>)[name] = value;
        });
        if (a.state() !== before) changed.push(`${name} = ${String(value)}: state`);
        const x = result(() => a.pool.alloc());
        const y = result(() => b.pool.alloc());
        if (!Object.is(x, y) && !(x instanceof Error && y instanceof Error)) changed.push(`${name} = ${String(value)}: alloc gave ${String(x)}, not ${String(y)}`);
      }
    }
    return changed;
  }

  it('no assignment of any old field name changes the pool or what alloc hands out; the pool has no own property', () => {
    const make = () => {
      const rt = createRuntime({ maxBytes: 1 << 20 });
      const pool = new FixAlloc(Node, { runtime: rt });
      pool.free(pool.alloc()); // a free list with one object, and a fresh tail
      return { pool: pool as never, state: () => JSON.stringify(poolStateOf(pool as FixAlloc<unknown>)) };
    };
    expect(assignmentsThatMatter(make)).toEqual([]);
    const { pool } = make();
    expect(Reflect.ownKeys(pool)).toEqual([]);
    for (const { key, d } of members(FixAlloc.prototype)) expect(typeof d.value === 'function' || d.get !== undefined, key).toBe(true);
  });

  it('pool.list = 12345 then alloc: a checked address of the pool’s span, and the debug-less fast path stays the pool’s', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Node, { runtime: rt });
    const q = pool.alloc();
    pool.free(q);
    (pool as unknown as Record<string, unknown>).list = 12345;
    (pool as unknown as Record<string, unknown>).debug = true;
    expect(pool.alloc()).toBe(q);
    expect(pool.contains(pool.alloc())).toBe(true);
    expect(pool.inuse).toBe(2 * pool.size);
  });

  it('the twin: the same probe finds a pool whose free-list head is a public field', () => {
    class LeakyPool {
      list = 0;
      next = 8192;
      alloc(): number {
        if (this.list !== 0) return this.list;
        return (this.next += 8);
      }
      free(p: number): void {
        this.list = p;
      }
    }
    const make = () => {
      const pool = new LeakyPool();
      return { pool: pool as never, state: () => JSON.stringify(pool) };
    };
    const found = assignmentsThatMatter(make);
    expect(found).toContain('list = 12345: state');
    expect(found).toContain('list = 12345: alloc gave 12345, not 8200');
  });
});

describe('a member called on a foreign receiver throws MisuseError ERR_RECEIVER and changes nothing', () => {
  const classes = [
    { cls: (Runtime as unknown as { prototype: object }), name: 'Runtime' },
    { cls: FixAlloc as unknown as { prototype: object }, name: 'FixAlloc' },
  ];

  it.each(classes)('every method, getter and setter of $name', ({ cls, name }) => {
    const { rt, pool, args } = world();
    const other = createRuntime({ maxBytes: 1 << 20 });
    const receivers: unknown[] = [{}, undefined, null, 7, new Proxy(name === 'Runtime' ? rt : pool, {}), Object.create(name === 'Runtime' ? rt : pool), name === 'Runtime' ? pool : other, cls.prototype];
    const before = state(rt, pool);
    let calls = 0;
    for (const { key, d } of members(cls.prototype)) {
      const fns: [string, (...a: unknown[]) => unknown, unknown[]][] = [];
      if (typeof d.value === 'function') fns.push([key, d.value as (...a: unknown[]) => unknown, args[key] ?? []]);
      if (d.get !== undefined) fns.push([`get ${key}`, d.get, []]);
      if (d.set !== undefined) fns.push([`set ${key}`, d.set, [true]]);
      for (const [what, fn, a] of fns) {
        for (const recv of receivers) {
          const e = thrown(() => Reflect.apply(fn, recv, a));
          if (name === 'Runtime' && (hotMethods as readonly string[]).includes(key)) {
            // Left unwrapped for speed (runtime.ts hotMethods): the engine's TypeError from `this.#s`, before any change.
            expect(e, `${what} on ${String(recv)}`).toBeInstanceOf(TypeError);
            calls++;
            continue;
          }
          expect(e, `${what} on ${String(recv)}`).toBeInstanceOf(MisuseError);
          expect((e as MisuseError).code, what).toBe('ERR_RECEIVER');
          expect((e as MisuseError).message, what).toContain(`${name}.${key}:`);
          expect((e as MisuseError).value === recv, what).toBe(true);
          expect((e as MisuseError).limit, what).toBe(name);
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(8 * 10);
    expect(state(rt, pool)).toBe(before);
    expect(other.stats().inUse).toBe(0);
  });

  it.each(classes)('the twin: the same members on a genuine receiver never throw ERR_RECEIVER ($name)', ({ cls, name }) => {
    for (const { key, d } of members(cls.prototype)) {
      const fns: [string, (...a: unknown[]) => unknown, unknown[]][] = [];
      const { rt, pool, args } = world(); // a fresh world per member: close, free and friends change it
      if (typeof d.value === 'function') fns.push([key, d.value as (...a: unknown[]) => unknown, args[key] ?? []]);
      if (d.get !== undefined) fns.push([`get ${key}`, d.get, []]);
      if (d.set !== undefined && key === 'checkmark') fns.push([`set ${key}`, d.set, [true]]);
      for (const [what, fn, a] of fns) {
        const e = thrown(() => Reflect.apply(fn, name === 'Runtime' ? rt : pool, a));
        expect((e as { code?: string } | undefined)?.code, what).not.toBe('ERR_RECEIVER');
      }
    }
  });

  it('a detached method: MisuseError naming it; called on its pool, it works', () => {
    const { rt, pool, p } = world();
    const { alloc, free } = pool;
    const before = state(rt, pool);
    for (const call of [() => alloc(), () => free(p as never)]) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(MisuseError);
      expect((e as MisuseError).code).toBe('ERR_RECEIVER');
      expect((e as MisuseError).value).toBeUndefined();
    }
    expect(state(rt, pool)).toBe(before);
    const q = alloc.call(pool);
    expect(pool.contains(q as number)).toBe(true);
    const { addRoot, gc } = rt;
    expect((thrown(() => gc()) as MisuseError).message).toMatch(/^Runtime\.gc: called on undefined/);
    expect((thrown(() => addRoot(q, Node)) as MisuseError).code).toBe('ERR_RECEIVER');
    addRoot.call(rt, q, Node);
    expect(rt.gcStats().roots).toBe(2);
  });

  it('a genuine receiver’s own errors pass through unchanged: a bad pointer, and a TypeError thrown by a first hook', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const oops = new TypeError('the hook’s own');
    const pool = new FixAlloc(Node, {
      runtime: rt,
      first: () => {
        throw oops;
      },
    });
    expect(thrown(() => pool.alloc())).toBe(oops);
    expect(thrown(() => pool.free(3 as never))).toBeInstanceOf(BadPointerError);
  });

  it('a subclass instance is a genuine receiver', () => {
    class Nodes extends FixAlloc<unknown, true> {
      take(): number {
        return this.alloc();
      }
    }
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const nodes = new Nodes(Node, { runtime: rt });
    const q = nodes.take();
    expect(nodes.contains(q)).toBe(true);
    nodes.free(q as never);
    expect(nodes.inuse).toBe(0);
  });
});

describe('an assignment to a getter-only property throws MisuseError ERR_READ_ONLY and keeps the value', () => {
  it('every getter-only accessor of Runtime and FixAlloc, strict and through Reflect.set', () => {
    const { rt, pool } = world();
    const shared = createRuntime({ maxBytes: 1 << 20, shared: true });
    const sp = sharedPool(shared, 'nodes', Node) as FixAlloc<unknown>;
    const before = state(rt, pool);
    let checked = 0;
    for (const [obj, proto, name] of [
      [rt, (Runtime as unknown as { prototype: object }).prototype, 'Runtime'],
      [pool, FixAlloc.prototype, 'FixAlloc'],
      [sp, FixAlloc.prototype, 'FixAlloc'],
    ] as const) {
      for (const { key, d } of members(proto)) {
        if (d.get === undefined || key === 'checkmark') continue;
        const r = obj as unknown as Record<string, unknown>;
        const was = r[key];
        for (const assign of [() => void (r[key] = 12345), () => Reflect.set(r, key, was)]) {
          const e = thrown(assign);
          expect(e, key).toBeInstanceOf(MisuseError);
          expect((e as MisuseError).code, key).toBe('ERR_READ_ONLY');
          expect((e as MisuseError).message, key).toContain(`${name}.${key} is read-only`);
          expect(r[key], key).toStrictEqual(was);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2 * (6 + 7 + 7));
    expect(state(rt, pool)).toBe(before);
  });

  it('the twin: checkmark, which has a setter, takes a boolean', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    rt.checkmark = true;
    expect(rt.checkmark).toBe(true);
  });
});
