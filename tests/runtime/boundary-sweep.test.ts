// The boundary, swept: every value the runtime entry exports has a row here
// (a test fails when an export, a class method or an accessor method has
// none), and every argument position of every callable row is fed each of
// the adversarial values below, in debug mode and out. A value the position
// cannot take must give a typed error of the runtime (OffheapError or
// OffheapRangeError) with a `code`, the offending value and a limit, run no
// caller code (valueOf, getters, Proxy traps, functions) and leave the
// runtime as it was: the allocators (helpers.snapshot), the object heap,
// the roots, the collector and the bytes of mapped memory. A value the
// position may take (documented: any object for newHeapRef, undefined for an
// optional argument) must not throw anything but a typed error either.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import * as api from '../../src/runtime/index.js';
import {
  array,
  bool,
  createRuntime,
  f64,
  FixAlloc,
  heapRef,
  i8,
  OffheapError,
  OffheapRangeError,
  pageSize,
  ptr,
  setDefaultRuntime,
  sharedPool,
  struct,
  u16,
  u32,
  type Runtime,
} from '../../src/runtime/index.js';
import { snapshot } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

/** Caller code that ran during a call (must stay empty). */
const ran: string[] = [];
class CallerCode extends Error {}

const proxyTarget = {};
const hostileProxy = new Proxy(proxyTarget, {
  get: (_t, k) => (ran.push(`proxy get ${String(k)}`), undefined),
  has: () => (ran.push('proxy has'), false),
  ownKeys: () => {
    ran.push('proxy ownKeys');
    throw new CallerCode('ownKeys trap');
  },
  getOwnPropertyDescriptor: () => {
    ran.push('proxy getOwnPropertyDescriptor');
    throw new CallerCode('getOwnPropertyDescriptor trap');
  },
  getPrototypeOf: () => {
    ran.push('proxy getPrototypeOf');
    throw new CallerCode('getPrototypeOf trap');
  },
});

function revokedProxy(): object {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
}

function hostileFunction(): number {
  ran.push('function called');
  return 8;
}

/** The adversarial values, by label. */
const values: readonly (readonly [string, unknown])[] = [
  ['NaN', NaN],
  ['+Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
  ['0.5', 0.5],
  ['2**32', 2 ** 32],
  ['2**53', 2 ** 53],
  ['-1', -1],
  ["'8'", '8'],
  ['[8]', [8]],
  ['valueOf', { valueOf: () => (ran.push('valueOf'), 8), toString: () => (ran.push('toString'), '8') }],
  ['Proxy', hostileProxy],
  ['null', null],
  ['undefined', undefined],
  ['BigInt', 8n],
  ['Symbol', Symbol('8')],
  ['frozen', Object.freeze({ n: 8 })],
  ['function', hostileFunction],
  ['revoked Proxy', revokedProxy()],
];
type Label = (typeof values)[number][0];
const numbers: Label[] = ['NaN', '+Infinity', '-Infinity', '-0', '0.5', '2**32', '2**53', '-1'];
const all: Label[] = values.map((v) => v[0]);

const Inner = struct('Inner', { x: f64, flag: bool });
const L = struct('L', { a: f64, n: u32, s: u16, b: i8, ok: bool, ref: heapRef<object>(), next: ptr(), hist: array(u32, 4), refs: array(heapRef<object>(), 2), inner: Inner, grid: array(Inner, 2) });

/** What every row works on; made anew after a call that was accepted. */
interface Ctx {
  rt: Runtime;
  shared: Runtime;
  pool: FixAlloc<unknown>;
  raw: FixAlloc<unknown>;
  p: number;
  page: number;
  h: number;
  root: number;
  acc: ReturnType<Runtime['access']>;
}

/** `onShared`: the runtime under test is itself a shared one (its pools named shared pools, whose fast paths keep a cache). */
function makeCtx(debug: boolean, onShared = false): Ctx {
  const rt = createRuntime({ maxBytes: 1 << 20, debug, shared: onShared });
  const shared = createRuntime({ maxBytes: 1 << 20, debug, shared: true });
  setDefaultRuntime(rt);
  const pool = (onShared ? sharedPool(rt, 'L', L) : new FixAlloc(L, { runtime: rt })) as FixAlloc<unknown>;
  const raw = onShared ? sharedPool<unknown>(rt, 'raw', 64) : new FixAlloc<unknown>(64, { runtime: rt });
  const p = pool.alloc();
  raw.alloc();
  const page = rt.sysAlloc(pageSize);
  rt.persistentalloc(24);
  const h = rt.newHeapRef({ live: true });
  const root = rt.sysAlloc(pageSize);
  rt.addRoot(root, L);
  return { rt, shared, pool, raw, p, page, h, root, acc: rt.access(L) };
}

/** FNV-1a over 32-bit words [0, n) of `a`. */
function hash(a: ArrayLike<number>, n = a.length): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < n; i++) x = Math.imul(x ^ a[i], 16777619);
  return x >>> 0;
}

/** A hash of the mapped bytes (a rejected call writes none). */
function memoryHash(rt: Runtime): number {
  return hash(stateOf(rt).space.u32, stateOf(rt).space.mappedEnd >>> 2);
}

/** A shared space's own bookkeeping pages (header, page map, registry, central lists). */
function sharedHash(rt: Runtime): number {
  return hash(new Int32Array(rt.buffer, 0, (stateOf(rt).space.firstPage * pageSize) >>> 2));
}

/** Everything a rejected call must leave as it was. */
function state(c: Ctx): string {
  const heap = stateOf(c.rt).heap;
  return JSON.stringify({
    alloc: snapshot(c.rt, c.pool, c.raw),
    pools: [c.pool.snapshot(), c.raw.snapshot()],
    heap: [heap.live, heap.capacity, heap.pinnedSlots, hash(heap.meta), hash(heap.pinCounts)],
    roots: [...stateOf(c.rt).roots.byAddress.keys()],
    gc: stateOf(c.rt).collector.stats(),
    barrier: stateOf(c.rt).barrier.enabled,
    memory: memoryHash(c.rt),
    shared: [snapshot(c.shared), sharedHash(c.shared), c.rt.shared ? sharedHash(c.rt) : 0],
  });
}

/** One callable: valid arguments, how to call, and per position the adversarial labels it may take. */
interface Row {
  args: (c: Ctx) => unknown[];
  call: (c: Ctx, args: unknown[]) => unknown;
  accepts?: Readonly<Record<number, readonly Label[]>>;
  /** Positions holding an object the call must read (options, fields, a descriptor): a Proxy's traps may run there, and what they throw must come out as a typed error. */
  reads?: readonly number[];
  /** The call refuses another argument first (its value is that one). */
  otherFirst?: boolean;
}

/** `fn` of the module called with the arguments. */
const fnRow = (fn: (...a: never[]) => unknown, args: (c: Ctx) => unknown[], accepts?: Row['accepts']): Row => ({ args, call: (_c, a) => (fn as (...a: unknown[]) => unknown)(...a), accepts });
/** Method `m` of `self(c)`. */
const methodRow = <S extends object>(self: (c: Ctx) => S, m: string, args: (c: Ctx) => unknown[], accepts?: Row['accepts']): Row => ({
  args,
  call: (c, a) => (self(c) as Record<string, (...x: unknown[]) => unknown>)[m](...a),
  accepts,
});

const optional = (n: number, extra: Label[] = []): Record<number, Label[]> => ({ [n]: ['undefined', ...extra] });

/** The module-level functions over the default runtime and the Runtime methods of the same name share these rows. */
const runtimeCalls: Record<string, [args: (c: Ctx) => unknown[], accepts?: Row['accepts']]> = {
  sysAlloc: [() => [pageSize, 'x'], optional(1, ["'8'"])],
  sysFree: [(c) => [c.page, pageSize]],
  persistentalloc: [() => [16, 8, 'x'], { 1: ['undefined'], 2: ['undefined', "'8'"] }],
  memclrNoHeapPointers: [(c) => [c.page, 64], { 1: ['-0'] }],
  typedmemclr: [(c) => [L, c.p]],
  memclrHasPointers: [(c) => [c.page, 64], { 1: ['-0'] }],
  storeHeapRef: [(c) => [c.root + L.offsets.ref, c.h], { 1: ['-0'] }],
  storeHeapRefNoWB: [(c) => [c.root + L.offsets.ref, c.h], { 1: ['-0'] }],
  access: [() => [L]],
  newHeapRef: [() => [{}], { 0: all }],
  deref: [(c) => [c.h]],
  freeHeapRef: [(c) => [c.h]],
  addRoot: [(c) => [c.page, L, 1], optional(2)],
  removeRoot: [(c) => [c.root]],
  pin: [(c) => [c.h]],
  unpin: [(c) => [c.h]],
  gcStart: [() => []],
  gcStep: [() => [10]],
  gcFinish: [() => []],
  gc: [() => []],
  memoryPicture: [() => []],
};

const moduleRows = (name: string): Row[] => {
  const [args, accepts] = runtimeCalls[name];
  return [fnRow((api as unknown as Record<string, (...a: never[]) => unknown>)[name], args, accepts)];
};

/** Runtime methods: the shared calls plus the rest. */
const runtimeMethods: Record<string, Row[]> = {
  ...Object.fromEntries(Object.entries(runtimeCalls).map(([m, [args, accepts]]) => [m, [methodRow((c) => c.rt, m, args, accepts)]])),
  share: [methodRow((c) => c.shared, 'share', () => [])],
  close: [methodRow((c) => c.rt, 'close', () => [])],
  '[Symbol.dispose]': [{ args: () => [], call: (c) => c.rt[Symbol.dispose]() }],
  stats: [methodRow((c) => c.rt, 'stats', () => [])],
  gcStats: [methodRow((c) => c.rt, 'gcStats', () => [])],
  inPersistentAlloc: [methodRow((c) => c.rt, 'inPersistentAlloc', (c) => [c.p], { 0: all })],
  setWriteBarrier: [methodRow((c) => c.rt, 'setWriteBarrier', () => [undefined], { 0: ['undefined', 'function'] })],
};

const fixAllocMethods: Record<string, Row[]> = {
  alloc: [methodRow((c) => c.pool, 'alloc', () => [])],
  free: [methodRow((c) => c.pool, 'free', (c) => [c.p])],
  contains: [methodRow((c) => c.pool, 'contains', (c) => [c.p], { 0: all })],
  deadObjectIn: [methodRow((c) => c.pool, 'deadObjectIn', (c) => [c.p, 8])],
  snapshot: [methodRow((c) => c.pool, 'snapshot', () => [])],
  sharedStats: [methodRow((c) => c.pool, 'sharedStats', () => [])],
  flush: [methodRow((c) => c.pool, 'flush', () => [])],
  closeCache: [methodRow((c) => c.pool, 'closeCache', () => [])],
};

/** Every value export: 'value' (a constant, an error class: nothing to call), or its rows. */
const exportsTable: Record<string, 'value' | Row[]> = {
  nil: 'value',
  AttachError: 'value',
  BadPointerError: 'value',
  ClosedError: 'value',
  DoubleFreeError: 'value',
  ForeignPointerError: 'value',
  MisuseError: 'value',
  OffheapError: 'value',
  OffheapRangeError: 'value',
  OutOfBoundsError: 'value',
  OutOfMemoryError: 'value',
  OptionError: 'value',
  SharedPoolError: 'value',
  StaleHandleError: 'value',
  LostObjectError: 'value',
  notInHeapMark: 'value',
  pageSize: 'value',
  maxSpaceBytes: 'value',
  defaultSpaceBytes: 'value',
  poisonByte: 'value',
  persistentChunkSize: 'value',
  persistentLargeSize: 'value',
  fixAllocChunk: 'value',
  maxFixAllocSize: 'value',
  minFixAllocSize: 'value',
  maxThreads: 'value',
  maxSharedPools: 'value',
  maxPoolName: 'value',
  cacheMax: 'value',
  cacheBatch: 'value',
  maxArrayLength: 'value',
  maxPointerSlots: 'value',
  maxStructSize: 'value',
  maxHeapRefs: 'value',
  u8: 'value',
  u16: 'value',
  u32: 'value',
  i8: 'value',
  i16: 'value',
  i32: 'value',
  f32: 'value',
  f64: 'value',
  bool: 'value',
  notInHeap: [{ ...fnRow(api.notInHeap, () => [class A {}, { kind: 'class', name: 'A' }], { 0: ['function'], 1: ['undefined'] }), reads: [1] }],
  isNotInHeap: [fnRow(api.isNotInHeap, () => [class A {}], { 0: all })],
  isLayout: [fnRow(api.isLayout, () => [L], { 0: all })],
  describeHandle: [fnRow(api.describeHandle, (c) => [c.h, stateOf(c.rt).heap], { 0: all, 1: ['undefined'] })],
  struct: [{ ...fnRow(api.struct, () => ['S', { a: u32 }]), reads: [1] }],
  ptr: [fnRow(api.ptr, () => [() => L], { 0: ['undefined', 'function'] })],
  heapRef: [fnRow(api.heapRef, () => [])],
  array: [fnRow(api.array, () => [u32, 4])],
  FixAlloc: [{ args: (c) => [L, { runtime: c.rt }], call: (_c, a) => new FixAlloc(...(a as [never, never])), accepts: { 1: ['undefined'] }, reads: [1] }],
  sharedPool: [{ ...fnRow(sharedPool, (c) => [c.shared, 'p', L, {}], { 1: ["'8'"], 3: ['undefined'] }), reads: [3] }],
  createRuntime: [{ ...fnRow(createRuntime, () => [{ maxBytes: 1 << 20 }], optional(0)), reads: [0] }],
  attachRuntime: [{ ...fnRow(api.attachRuntime, (c) => [c.shared.share(), {}], optional(1)), reads: [0, 1] }],
  Runtime: [{ args: () => [{ maxBytes: 1 << 20 }], call: (_c, a) => new api.Runtime(...(a as [never])), accepts: { 0: ['undefined'], 1: ['undefined'] }, reads: [0] }],
  defaultRuntime: [fnRow(api.defaultRuntime, () => [])],
  setDefaultRuntime: [fnRow(setDefaultRuntime, (c) => [c.rt])],
  ...Object.fromEntries(Object.keys(runtimeCalls).map((n) => [n, moduleRows(n)])),
};

/** Methods of exported classes, by class: rows for each (prototype methods, getters excluded). */
const classMethods: Record<string, Record<string, Row[]>> = {
  Runtime: runtimeMethods,
  FixAlloc: fixAllocMethods,
};

/** The public methods (no `private`/`protected`, no getters) of class `name` as declared in src/runtime. */
function publicMethods(name: string): string[] {
  const dir = path.resolve(import.meta.dirname, '../../src/runtime');
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.ts')) continue;
    const sf = ts.createSourceFile(f, fs.readFileSync(path.join(dir, f), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      if (!ts.isClassDeclaration(st) || st.name?.text !== name) continue;
      return st.members
        .filter((m) => ts.isMethodDeclaration(m) && !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !ts.isPrivateIdentifier(m.name))
        .map((m) => m.name!.getText(sf));
    }
  }
  throw new Error(`class ${name} not found`);
}

/** The leaf accessors of an accessor object, with their path. */
function leaves(acc: unknown, path: string, out: [string, Record<string, unknown>][] = []): [string, Record<string, unknown>][] {
  const o = acc as Record<string, unknown>;
  if (typeof o.offset === 'number') out.push([path, o]);
  else for (const k of Object.keys(o)) leaves(o[k], `${path}.${k}`, out);
  return out;
}

/** Accessor rows: every method of every leaf accessor of L. */
function accessorRows(c: Ctx): [string, Row][] {
  const rows: [string, Row][] = [];
  for (const [path, leaf] of leaves(c.acc, 'L')) {
    const isArray = typeof leaf.length === 'number';
    const get = (x: Ctx) => path.split('.').slice(1).reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, x.acc as unknown as Record<string, unknown>);
    const kind = path.endsWith('ok') || path.endsWith('flag') ? 'bool' : path.endsWith('ref') || path.endsWith('refs') ? 'ref' : 'num';
    const value = kind === 'bool' ? true : kind === 'ref' ? 0 : 1;
    const valueAccepts: Label[] = kind === 'num' ? numbers : kind === 'ref' ? ['-0'] : [];
    for (const m of Object.keys(leaf)) {
      if (m === 'offset' || m === 'length') continue;
      const at = isArray ? 1 : 0;
      const args = (x: Ctx): unknown[] => {
        const base: unknown[] = isArray ? [x.p, 1] : [x.p];
        return m === 'set' ? [...base, value] : base;
      };
      // An index of -0 is index 0.
      const accepts: Record<number, readonly Label[]> = isArray ? { 1: ['-0'] } : {};
      if (m === 'set') accepts[at + 1] = valueAccepts;
      rows.push([`${path}.${m}`, methodRow(get, m, args, accepts)]);
    }
  }
  return rows;
}

const accessorMethodNames = new Set(['get', 'set', 'at']);

/** Runs one adversarial call; returns a failure description or undefined. */
function probe(c: Ctx, row: Row, args: unknown[], pos: number, label: Label): string | undefined {
  const before = state(c);
  ran.length = 0;
  let caught: unknown;
  let threw = false;
  try {
    row.call(c, args);
  } catch (e) {
    threw = true;
    caught = e;
  }
  const accepted = (row.accepts?.[pos] ?? []).includes(label);
  const trapsAllowed = label === 'Proxy' && (row.reads ?? []).includes(pos);
  const code = ran.length > 0 && !trapsAllowed ? `caller code ran (${ran.join(', ')})` : undefined;
  if (!threw) return accepted ? (code ?? 'accepted') : `accepted ${label} (${code ?? 'no error'})`;
  const typed = caught instanceof OffheapError || caught instanceof OffheapRangeError;
  if (!typed) return `threw ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message?.slice(0, 120)}`;
  const e = caught as { code?: unknown; value?: unknown; limit?: unknown };
  if (typeof e.code !== 'string' || !/^ERR_[A-Z_]+$/.test(e.code)) return `typed error without a code: ${String(e.code)}`;
  if (!Object.hasOwn(e, 'value') || !Object.hasOwn(e, 'limit')) return 'typed error without value/limit';
  if (code !== undefined) return code;
  // A refused primitive is the error's value (an object may be refused for a part of it: a key, a field).
  const v = args[pos];
  if (!accepted && !row.otherFirst && (typeof v !== 'object' || v === null) && typeof v !== 'function' && !Object.is(e.value, v)) {
    return `typed error whose value is not the argument (${(caught as Error).constructor.name}: ${(caught as Error).message.slice(0, 80)})`;
  }
  const after = state(c);
  if (after !== before) return `state changed (${(caught as Error).constructor.name} ${(e.code)})`;
  return undefined;
}

// Test files share a worker (isolate: false): the default runtime goes back to what it was.
const originalDefault = api.defaultRuntime();
afterAll(() => setDefaultRuntime(originalDefault));

describe.each([
  [false, false],
  [true, false],
  [false, true],
  [true, true],
])('the boundary, swept (debug: %s, over a shared space: %s)', (debug, onShared) => {
  it('has a row for every value export, every exported class method and every accessor method', () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(exportsTable).sort());
    // Every exported class: its public methods have rows (the error classes declare none).
    // A class's `prototype` is read-only (a function's is writable); FixAlloc is exported behind a Proxy (requireNew), whose source text is not the class's.
    const classes = Object.entries(api).filter(([, v]) => typeof v === 'function' && Reflect.getOwnPropertyDescriptor(v, 'prototype')?.writable === false);
    expect(classes.map(([n]) => n)).toContain('FixAlloc');
    for (const [name] of classes) expect(publicMethods(name).sort(), name).toEqual(Object.keys(classMethods[name] ?? {}).sort());
    const c = makeCtx(debug, onShared);
    for (const [path, leaf] of leaves(c.acc, 'L')) for (const k of Object.keys(leaf)) expect(['offset', 'length', ...accessorMethodNames], path).toContain(k);
  });

  it('every callable row works with its valid arguments (the baseline the sweep varies)', () => {
    const failures: string[] = [];
    const rows: [string, Row][] = [];
    for (const [name, t] of Object.entries(exportsTable)) if (t !== 'value') for (const r of t) rows.push([name, r]);
    for (const [cls, ms] of Object.entries(classMethods)) for (const [m, rs] of Object.entries(ms)) for (const r of rs) rows.push([`${cls}#${m}`, r]);
    rows.push(...accessorRows(makeCtx(debug, onShared)));
    for (const [name, row] of rows) {
      const c = makeCtx(debug, onShared);
      try {
        row.call(c, row.args(c));
      } catch (e) {
        // A valid call may still be refused for a reason of state (attaching from the owner's thread).
        if (!(e instanceof OffheapError || e instanceof OffheapRangeError)) failures.push(`${name}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every argument position of every row refuses each adversarial value with a typed error and no change', () => {
    const failures: string[] = [];
    let probes = 0;
    const rows: [string, (c: Ctx) => Row][] = [];
    for (const [name, t] of Object.entries(exportsTable)) if (t !== 'value') for (const r of t) rows.push([name, () => r]);
    for (const [cls, ms] of Object.entries(classMethods)) for (const [m, rs] of Object.entries(ms)) for (const r of rs) rows.push([`${cls}#${m}`, () => r]);
    for (const [name] of accessorRows(makeCtx(debug, onShared))) rows.push([name, (c) => accessorRows(c).find(([n]) => n === name)![1]]);
    for (const [name, rowOf] of rows) {
      let c = makeCtx(debug, onShared);
      const arity = rowOf(c).args(c).length;
      // A call without arguments has no position to feed (JS ignores extra arguments).
      for (let pos = 0; pos < arity; pos++) {
        for (const [label, v] of values) {
          const row = rowOf(c);
          const args = row.args(c);
          args[pos] = v;
          probes++;
          const r = probe(c, row, args, pos, label);
          if (r === 'accepted') c = makeCtx(debug, onShared);
          else if (r !== undefined) {
            failures.push(`${name} arg ${pos} = ${label}: ${r}`);
            c = makeCtx(debug, onShared);
          }
        }
      }
    }
    expect(probes).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  }, 180_000);
});
