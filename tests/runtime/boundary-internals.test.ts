// The runtime's machinery (the space, the allocators, the object heap, the
// roots, the collector, the write barrier) trusts its arguments, so no route
// from what a program holds may reach it: a Runtime, a FixAlloc (private or
// shared), an accessor, a layout, what the public methods return. These
// tests walk every property (own, inherited getters, symbols, non-enumerable)
// from those objects, as plain JS with the types cast away, and check that
// none of the machinery's objects is reachable; that what stays public and
// writable validates, with a typed error and an unchanged allocator
// snapshot; and that the declarations of the package entry name none of it.
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/runtime/index.js';
import { createRuntime, FixAlloc, heapRef, MisuseError, OptionError, sharedPool, struct, u32, type Runtime } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';
import { snapshot } from './helpers.js';

const Node = struct('Node', { ref: heapRef<object>(), n: u32 });

/** Every object of `rt`'s machinery, by name (the walk must reach none of them). */
function machinery(rt: Runtime): Map<object, string> {
  const s = stateOf(rt);
  const out = new Map<object, string>();
  const add = (name: string, o: unknown): void => {
    if (typeof o === 'object' && o !== null) out.set(o, name);
  };
  add('state', s);
  for (const k of ['space', 'persistent', 'barrier', 'debugObjects', 'accessors', 'heap', 'roots', 'collector', 'pools', 'poolById', 'sharedPools'] as const) add(k, s[k]);
  add('roots.byAddress', s.roots.byAddress);
  add('heap.bits', s.heap.bits);
  add('heap.meta', s.heap.meta);
  add('heap.pinCounts', s.heap.pinCounts);
  add('heap.liveBits', s.heap.liveBits);
  add('space.pagePool', s.space.pagePool);
  return out;
}

const leafTypes = [ArrayBuffer, SharedArrayBuffer, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array];

/**
 * Every object reachable from `roots` through properties: own keys (strings
 * and symbols, enumerable or not), and the getters of their prototypes
 * called on the object itself. Typed arrays and buffers are leaves (their
 * elements are numbers). Returns the path to each object found.
 */
function reachable(roots: Record<string, unknown>): Map<object, string> {
  const seen = new Map<object, string>();
  const stack: [unknown, string][] = Object.entries(roots).map(([k, v]) => [v, k]);
  const skip = new Set<unknown>([Object.prototype, Function.prototype, Array.prototype, Error.prototype, Map.prototype, Set.prototype]);
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v) || skip.has(v)) continue;
    seen.set(v, at);
    if (leafTypes.some((T) => v instanceof T)) continue;
    for (const k of Reflect.ownKeys(v)) {
      const d = Reflect.getOwnPropertyDescriptor(v, k)!;
      if ('value' in d) stack.push([d.value as unknown, `${at}.${String(k)}`]);
      else if (d.get !== undefined) stack.push([d.get, `${at}.get ${String(k)}`]);
    }
    // Inherited getters, read on the object itself (rt.space, pool.size, …).
    for (let proto = Object.getPrototypeOf(v) as object | null; proto !== null && !skip.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
      stack.push([proto, `${at}.__proto__`]);
      for (const k of Reflect.ownKeys(proto)) {
        const d = Reflect.getOwnPropertyDescriptor(proto, k)!;
        if (d.get === undefined) continue;
        let got: unknown;
        try {
          got = Reflect.apply(d.get, v, []);
        } catch {
          continue; // a getter of a prototype read on the prototype itself
        }
        stack.push([got, `${at}.${String(k)}`]);
      }
    }
  }
  return seen;
}

/** What a program can hold: the runtimes, pools of both kinds, an accessor, a layout and what public queries return. */
function holdings(): { rt: Runtime; shared: Runtime; roots: Record<string, unknown> } {
  const rt = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
  const shared = createRuntime({ maxBytes: 1 << 20, shared: true });
  const pool = new FixAlloc(Node, { runtime: rt, first: () => {} });
  const sp = sharedPool(shared, 'nodes', Node);
  const p = pool.alloc();
  sp.alloc();
  const acc = rt.access(Node);
  const h = rt.newHeapRef({ x: 1 });
  acc.ref.set(p, h);
  rt.addRoot(p, Node);
  rt.gc();
  return {
    rt,
    shared,
    roots: {
      rt,
      shared,
      pool,
      sp,
      acc,
      Node,
      api,
      stats: rt.stats(),
      gcStats: rt.gcStats(),
      lastLost: rt.lastLost,
      snapshot: pool.snapshot(),
      sharedStats: sp.sharedStats(),
      desc: shared.share(),
    },
  };
}

describe('no route from what a program holds reaches the machinery', () => {
  it('walks every property from runtimes, pools, accessors, layouts and query results and finds none of it', () => {
    const { rt, shared, roots } = holdings();
    const inner = new Map([...machinery(rt), ...machinery(shared)]);
    const found: string[] = [];
    for (const [o, at] of reachable(roots)) if (inner.has(o)) found.push(`${at} is ${inner.get(o)}`);
    expect(found).toEqual([]);
  });

  it('the walk finds the machinery when a route exists (the twin: a program that stored it itself)', () => {
    const { rt, roots } = holdings();
    const leaked = { held: stateOf(rt).heap };
    const found: string[] = [];
    const inner = machinery(rt);
    for (const [o, at] of reachable({ ...roots, leaked })) if (inner.has(o)) found.push(`${at} is ${inner.get(o)}`);
    expect(found).toContain('leaked.held is heap');
  });

  it('the old public names read undefined from plain JS', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 }) as unknown as Record<string, unknown>;
    for (const k of ['persistent', 'barrier', 'debugObjects', 'heap', 'roots', 'collector', 'pools', 'sharedPools', 'accessors', 'poolById', 'deadRecord', 'registerPool', 'checkLiveRecord']) {
      expect(rt[k], k).toBeUndefined();
    }
    // `space` is the raw views only: eight typed arrays over the runtime's buffer, frozen, no method.
    const views = rt.space as Record<string, ArrayBufferView>;
    expect(Object.keys(views).sort()).toEqual(['f32', 'f64', 'i16', 'i32', 'i8', 'u16', 'u32', 'u8']);
    expect(Object.isFrozen(views)).toBe(true);
    for (const v of Object.values(views)) expect(v.buffer).toBe(rt.buffer);
  });

  it('a method called on another receiver (a Proxy of a runtime, a plain object) changes nothing (MisuseError ERR_RECEIVER; boundary-receivers walks every member)', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Node, { runtime: rt });
    const before = snapshot(rt, pool as FixAlloc<unknown>);
    const live = rt.gcStats().live;
    const proxy = new Proxy(rt, {});
    for (const recv of [proxy, {}, Object.create(rt) as object]) {
      /* eslint-disable @typescript-eslint/unbound-method -- called on another receiver on purpose */
      expect(() => Reflect.apply(api.Runtime.prototype.newHeapRef, recv, [{}])).toThrow(expect.objectContaining({ code: 'ERR_RECEIVER' }));
      expect(() => Reflect.apply(api.Runtime.prototype.sysAlloc, recv, [8192])).toThrow(expect.objectContaining({ code: 'ERR_RECEIVER' }));
      /* eslint-enable @typescript-eslint/unbound-method */
    }
    expect(snapshot(rt, pool as FixAlloc<unknown>)).toBe(before);
    expect(rt.gcStats().live).toBe(live);
  });
});

describe('what stays writable validates', () => {
  it('checkmark takes a boolean; anything else is OptionError with the value and the state unchanged', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Node, { runtime: rt });
    const before = snapshot(rt, pool as FixAlloc<unknown>);
    for (const bad of ['yes', 1, null, undefined, { valueOf: () => true }, 1n, Symbol('x')]) {
      let caught: unknown;
      try {
        (rt as unknown as { checkmark: unknown }).checkmark = bad;
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(OptionError);
      expect((caught as OptionError).code).toBe('ERR_OPTION');
      expect(Object.is((caught as OptionError).value, bad)).toBe(true);
      expect(rt.checkmark).toBe(false);
    }
    expect(snapshot(rt, pool as FixAlloc<unknown>)).toBe(before);
    // Twin: a boolean turns it on, and the next cycle verifies the mark.
    rt.checkmark = true;
    expect(rt.checkmark).toBe(true);
    rt.gc();
    expect(rt.lastLost).toEqual([]);
  });

  it('the read-only properties refuse assignment (MisuseError ERR_READ_ONLY) and keep their value', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const r = rt as unknown as Record<string, unknown>;
    for (const k of ['debug', 'space', 'buffer', 'shared', 'closed']) {
      const was = r[k];
      expect(() => {
        r[k] = 0;
      }, k).toThrow(MisuseError);
      expect(r[k], k).toBe(was);
    }
    expect(rt.debug).toBe(true);
  });

  it('lastLost and gcStats are copies: changing them changes nothing', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const lost = rt.lastLost as unknown[];
    lost.push({});
    expect(rt.lastLost).toEqual([]);
    const g = rt.gcStats() as unknown as Record<string, unknown>;
    g.live = 99;
    expect(rt.gcStats().live).toBe(0);
  });
});

describe('setWriteBarrier: the collector owns the barrier while it marks', () => {
  it('refused mid-mark with MisuseError; the barrier stays on and the cycle loses nothing', () => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20, checkmark: true });
    const pool = new FixAlloc(Node, { runtime: rt });
    const p = pool.alloc();
    rt.addRoot(p, Node);
    const A = rt.access(Node);
    A.ref.set(p, rt.newHeapRef({ name: 'a' }));
    rt.gcStart();
    const before = snapshot(rt, pool as FixAlloc<unknown>);
    expect(() => rt.setWriteBarrier(undefined)).toThrow(MisuseError);
    expect(() => rt.setWriteBarrier(() => {})).toThrow(MisuseError);
    expect(snapshot(rt, pool as FixAlloc<unknown>)).toBe(before);
    expect(stateOf(rt).barrier.enabled).toBe(true);
    // The slot's only reference moves during the mark: the deletion barrier must shade it.
    const h = A.ref.get(p);
    const q = pool.alloc();
    rt.memclrNoHeapPointers(q, Node.size);
    rt.addRoot(q, Node);
    A.ref.set(q, h);
    A.ref.set(p, 0 as never);
    rt.gcFinish(); // checkmark: throws LostObjectError if h was lost
    expect(rt.deref(h)).toEqual({ name: 'a' });
  });

  it('the twin: outside a mark a hook may be set and cleared', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const calls: number[] = [];
    rt.setWriteBarrier((_slot, old) => void calls.push(old));
    const p = rt.sysAlloc(8192);
    const h = rt.newHeapRef({});
    rt.storeHeapRef(p, h);
    rt.storeHeapRef(p, 0 as never);
    rt.setWriteBarrier(undefined);
    expect(calls).toEqual([0, h]);
  });
});

describe('the package declarations name none of the machinery', () => {
  it('index.d.ts exports no RuntimeState or stateOf, and Runtime declares only its public surface', () => {
    const root = path.resolve(import.meta.dirname, '../../src/runtime');
    const out = new Map<string, string>();
    const program = ts.createProgram([path.join(root, 'index.ts')], {
      declaration: true,
      emitDeclarationOnly: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      experimentalDecorators: false,
      strict: true,
      skipLibCheck: true,
      rootDir: root,
      outDir: '/virtual',
    });
    program.emit(undefined, (file, text) => out.set(path.basename(file), text));
    const index = out.get('index.d.ts')!;
    expect(index).toContain('Runtime');
    expect(index).not.toMatch(/\bRuntimeState\b|\bstateOf\b/);
    const rtd = ts.createSourceFile('runtime.d.ts', out.get('runtime.d.ts')!, ts.ScriptTarget.ES2022, true);
    const cls = rtd.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'Runtime')!;
    const names = cls.members.map((m) => (m.name === undefined ? ts.SyntaxKind[m.kind] : m.name.getText(rtd)));
    expect(names).toContain('#private');
    for (const k of ['persistent', 'barrier', 'debugObjects', 'heap', 'roots', 'collector', 'pools', 'sharedPools', 'registerPool', 'deadRecord']) expect(names, k).not.toContain(k);
    // The space is typed as the raw views, not the AddressSpace.
    const space = cls.members.find((m) => m.name?.getText(rtd) === 'space')!;
    expect(space.getText(rtd)).toMatch(/SpaceViews/);
  }, 60_000);
});
