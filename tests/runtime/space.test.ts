import { describe, expect, it } from 'vitest';
import {
  BadPointerError,
  createRuntime,
  DoubleFreeError,
  OffheapRangeError,
  OptionError,
  OutOfMemoryError,
  pageSize,
  poisonByte,
  type Ptr,
} from '../../src/runtime/index.js';
import { gcEventsDuring, isZero, rejects } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const MiB = 1 << 20;

describe('address space', () => {
  it('reserves a fixed buffer, plain or shared, and never hands out address 0', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    expect(rt.buffer).toBeInstanceOf(ArrayBuffer);
    expect(rt.buffer.byteLength).toBe(MiB);
    expect((rt.buffer as ArrayBuffer & { resizable?: boolean }).resizable).toBe(false);
    expect(rt.sysAlloc(1)).toBe(pageSize);
    const shared = createRuntime({ maxBytes: MiB, shared: true });
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.stats()).toMatchObject({ reserved: MiB, mapped: 0, inUse: 0, free: 0, byOwner: {} });
  });

  it('rounds the reservation up to pages and validates options', () => {
    expect(createRuntime({ maxBytes: 3 * pageSize + 1 }).stats().reserved).toBe(4 * pageSize);
    expect(createRuntime({ size: 4 * pageSize }).stats().reserved).toBe(4 * pageSize);
    for (const bad of [0, -1, NaN, 1.5, pageSize, 2 ** 31 + 1]) {
      expect(() => createRuntime({ maxBytes: bad })).toThrow(OptionError);
    }
    expect(() => createRuntime({ maxBytes: 0 })).toThrow(/option maxBytes must be an integer in \[16384, 2147483648\]; got 0/);
    expect(() => createRuntime({ debug: 1 as never })).toThrow(OptionError);
  });

  it('runtimes are independent', () => {
    const a = createRuntime({ maxBytes: MiB });
    const b = createRuntime({ maxBytes: MiB });
    const p = a.sysAlloc(pageSize);
    stateOf(a).space.u8[p] = 7;
    expect(b.sysAlloc(pageSize)).toBe(p);
    expect(stateOf(b).space.u8[p]).toBe(0);
    expect(a.stats().inUse).toBe(pageSize);
    expect(b.stats().inUse).toBe(pageSize);
  });
});

describe('sysAlloc / sysFree', () => {
  it('hands out whole pages, page-aligned, rounding n up', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const a = rt.sysAlloc(1);
    const b = rt.sysAlloc(pageSize + 1);
    const c = rt.sysAlloc(3 * pageSize);
    expect([a, b, c]).toEqual([pageSize, 2 * pageSize, 4 * pageSize]);
    for (const p of [a, b, c]) expect(p % pageSize).toBe(0);
    expect(rt.stats()).toMatchObject({ mapped: 6 * pageSize, inUse: 6 * pageSize, free: 0, byOwner: { other: 6 * pageSize } });
  });

  it('zeroes fresh pages and zeroes again pages freed and handed out again', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const p = rt.sysAlloc(2 * pageSize);
    expect(isZero(rt, p, 2 * pageSize)).toBe(true);
    stateOf(rt).space.u8.fill(0xff, p, p + 2 * pageSize);
    rt.sysFree(p, 2 * pageSize);
    const q = rt.sysAlloc(pageSize);
    expect(q).toBe(p);
    expect(isZero(rt, q, pageSize)).toBe(true);
    // The page not handed out again keeps its (dirty) bytes until it is.
    expect(stateOf(rt).space.u8[p + pageSize]).toBe(0xff);
    const r = rt.sysAlloc(pageSize);
    expect(r).toBe(p + pageSize);
    expect(isZero(rt, r, pageSize)).toBe(true);
  });

  it('does not re-zero fresh pages (Go: needzero)', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const fills: number[] = [];
    const u8 = stateOf(rt).space.u8;
    const orig = u8.fill.bind(u8);
    u8.fill = ((v: number, s?: number, e?: number) => {
      fills.push(s ?? 0);
      return orig(v, s, e);
    });
    const p = rt.sysAlloc(4 * pageSize);
    expect(fills).toEqual([]);
    rt.sysFree(p, 4 * pageSize);
    rt.sysAlloc(pageSize);
    expect(fills).toEqual([p]);
  });

  it('reuses pages first-fit and coalesces free neighbours', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const a = rt.sysAlloc(pageSize);
    const b = rt.sysAlloc(2 * pageSize);
    const c = rt.sysAlloc(pageSize);
    const d = rt.sysAlloc(pageSize);
    rt.sysFree(a, pageSize);
    rt.sysFree(c, pageSize);
    rt.sysFree(b, 2 * pageSize); // a, b, c now one run of 4 pages
    expect(rt.stats()).toMatchObject({ mapped: 5 * pageSize, inUse: pageSize, free: 4 * pageSize });
    expect(rt.sysAlloc(4 * pageSize)).toBe(a);
    expect(rt.sysAlloc(pageSize)).toBe(d + pageSize); // nothing free below: extends mapped memory
    rt.sysFree(d, pageSize);
    expect(rt.sysAlloc(pageSize)).toBe(d);
  });

  it('keeps per-owner stats that never go negative', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const a = rt.sysAlloc(pageSize, 'stacks');
    const b = rt.sysAlloc(3 * pageSize, 'mspan');
    const c = rt.sysAlloc(pageSize, 'stacks');
    expect(rt.stats().byOwner).toEqual({ stacks: 2 * pageSize, mspan: 3 * pageSize });
    rt.sysFree(a, pageSize);
    rt.sysFree(b, 3 * pageSize);
    expect(rt.stats().byOwner).toEqual({ stacks: pageSize });
    rt.sysFree(c, 1);
    expect(rt.stats()).toMatchObject({ inUse: 0, mapped: 0, free: 0, byOwner: {} });
  });

  it('returns a freed top block, with the free run below it, to the unmapped tail', () => {
    const rt = createRuntime({ maxBytes: 8 * pageSize, debug: true });
    const a = rt.sysAlloc(pageSize);
    const b = rt.sysAlloc(3 * pageSize);
    const c = rt.sysAlloc(3 * pageSize);
    rt.sysFree(b, 3 * pageSize);
    expect(rt.stats()).toMatchObject({ mapped: 7 * pageSize, inUse: 4 * pageSize, free: 3 * pageSize });
    rt.sysFree(c, 3 * pageSize);
    expect(rt.stats()).toMatchObject({ mapped: pageSize, inUse: pageSize, free: 0 });
    // The six pages are one run again: without the merge this would be out of memory.
    const d = rt.sysAlloc(6 * pageSize);
    expect(d).toBe(b);
    expect(isZero(rt, d, 6 * pageSize)).toBe(true); // poisoned pages, zeroed again
    expect(a).toBe(pageSize);
  });

  it('throws OutOfMemoryError with the request and the mapped bytes, and changes nothing', () => {
    const rt = createRuntime({ maxBytes: 8 * pageSize, debug: true });
    rt.sysAlloc(6 * pageSize);
    const e = rejects(rt, [], () => rt.sysAlloc(2 * pageSize), OutOfMemoryError, 'ERR_OUT_OF_MEMORY', /cannot allocate 16384 bytes .*49152 of 57344 usable bytes mapped/);
    expect(e).toMatchObject({ requested: 2 * pageSize, mapped: 6 * pageSize, value: 2 * pageSize, limit: 8 * pageSize });
    expect(rt.sysAlloc(pageSize)).toBe(7 * pageSize);
    // Larger than the whole space but within the absolute limit: out of memory, not a bad size.
    rejects(rt, [], () => rt.sysAlloc(2 ** 31), OutOfMemoryError, 'ERR_OUT_OF_MEMORY', /cannot allocate 2147483648 bytes/);
  });

  it('poisons freed pages in debug mode', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const p = rt.sysAlloc(pageSize);
    rt.sysFree(p, pageSize);
    expect(stateOf(rt).space.u8[p]).toBe(poisonByte);
    expect(stateOf(rt).space.u8[p + pageSize - 1]).toBe(poisonByte);
  });

  it('rejects bad sizes with a RangeError naming n, its value and the limit', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    rt.sysAlloc(pageSize);
    for (const n of [0, -1, NaN, 1.5, 2 ** 31 + 1, Infinity, '8192' as never]) {
      const e = rejects(rt, [], () => rt.sysAlloc(n), OffheapRangeError, 'ERR_BAD_SIZE', /^sysAlloc: n must be an integer in \[1, 2147483648\]; got /);
      expect(e).toBeInstanceOf(RangeError);
    }
    rejects(rt, [], () => rt.sysAlloc(8, 7 as never), OptionError, 'ERR_OPTION', /stat must be a string/);
  });

  it('rejects nil, foreign, unaligned, interior and already-freed pointers and wrong sizes', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const p = rt.sysAlloc(3 * pageSize);
    const q = rt.sysAlloc(pageSize);
    rt.sysFree(q, pageSize);
    const P = (x: number) => x as Ptr<unknown>;
    rejects(rt, [], () => rt.sysFree(P(0), pageSize), BadPointerError, 'ERR_BAD_POINTER', /p must be an address aligned to 1 in \[8192, 1048576\); got 0 \(nil\)/);
    rejects(rt, [], () => rt.sysFree(P(-8192), pageSize), BadPointerError, 'ERR_BAD_POINTER', /got -8192/);
    rejects(rt, [], () => rt.sysFree(P(p + 8), pageSize), BadPointerError, 'ERR_BAD_POINTER', /not page-aligned/);
    rejects(rt, [], () => rt.sysFree(P(p + pageSize), pageSize), BadPointerError, 'ERR_BAD_POINTER', /middle of a block starting at 8192/);
    rejects(rt, [], () => rt.sysFree(P(q), pageSize), DoubleFreeError, 'ERR_DOUBLE_FREE', /not allocated \(already freed/);
    rejects(rt, [], () => rt.sysFree(P(40 * pageSize), pageSize), BadPointerError, 'ERR_BAD_POINTER', /never handed out/);
    rejects(rt, [], () => rt.sysFree(P(MiB), pageSize), BadPointerError, 'ERR_BAD_POINTER', /got 1048576/);
    rejects(rt, [], () => rt.sysFree(P(p), pageSize), OffheapRangeError, 'ERR_BAD_SIZE', /n must be the size the block was allocated with \(3 pages, 24576 bytes\); got 8192/);
    rejects(rt, [], () => rt.sysFree(P(p), 0), OffheapRangeError, 'ERR_BAD_SIZE', /n must be an integer/);
    rejects(rt, [], () => rt.sysFree(P(p), NaN), OffheapRangeError, 'ERR_BAD_SIZE', /NaN/);
    rt.sysFree(p, 3 * pageSize - 5);
    expect(rt.stats().inUse).toBe(0);
  });
});

describe('page bookkeeping', () => {
  it('allocates no JS objects on an 8 KiB sysAlloc/sysFree pair (typed arrays only)', async () => {
    // Counted in GC events against a control that allocates one small object per pair.
    const rt = createRuntime({ maxBytes: 4 << 20 });
    const keepA = rt.sysAlloc(pageSize, 'pinned'); // free runs below and above the pair: coalescing paths run
    const hole = rt.sysAlloc(pageSize, 'hole');
    rt.sysAlloc(pageSize, 'pinned');
    rt.sysFree(hole, pageSize);
    const loop = (n: number): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const p = rt.sysAlloc(pageSize, 'pair');
        const q = rt.sysAlloc(2 * pageSize, 'pair');
        rt.sysFree(p, pageSize);
        rt.sysFree(q, 2 * pageSize);
        sum += p;
      }
      return sum;
    };
    // The control allocates about 100 bytes per pair: 30 MB over 300k pairs, past any young generation.
    const keep: number[][] = new Array<number[]>(1024);
    const control = (n: number): number => {
      for (let i = 0; i < n; i++) {
        const p = rt.sysAlloc(pageSize, 'pair');
        rt.sysFree(p, pageSize);
        keep[i & 1023] = [p, i, p, i, p, i, p, i];
      }
      return keep.length;
    };
    for (let k = 0; k < 3; k++) loop(20_000);
    control(20_000);
    expect(await gcEventsDuring(() => control(300_000))).toBeGreaterThan(0);
    // A loop that allocated would see GC events in every run; a GC that V8 began before the loop
    // (finalised at a stack check inside it) shows in one run at most. So: the fewest over three runs.
    const runs: number[] = [];
    for (let k = 0; k < 3; k++) runs.push(await gcEventsDuring(() => loop(100_000)));
    expect(Math.min(...runs), `GC events per run: ${runs.join(", ")}`).toBe(0);
    expect(rt.stats().byOwner).toEqual({ pinned: 2 * pageSize });
    expect(stateOf(rt).space.freeRuns()).toEqual([[keepA / pageSize + 1, 1]]);
  });
});

describe('a shared space', () => {
  it('keeps its bookkeeping in its first pages and hands out pages after them, with the same first-fit, coalescing and stats', () => {
    const rt = createRuntime({ maxBytes: MiB, shared: true });
    const first = stateOf(rt).space.firstPage * pageSize;
    expect(stateOf(rt).space.firstPage).toBeGreaterThan(1);
    const a = rt.sysAlloc(1, 'stacks');
    const b = rt.sysAlloc(2 * pageSize, 'mspan');
    const c = rt.sysAlloc(pageSize, 'stacks');
    expect([a, b, c]).toEqual([first, first + pageSize, first + 3 * pageSize]);
    expect(rt.stats()).toMatchObject({ mapped: 4 * pageSize, inUse: 4 * pageSize, byOwner: { stacks: 2 * pageSize, mspan: 2 * pageSize } });
    rt.sysFree(b, 2 * pageSize);
    expect(stateOf(rt).space.freeRuns()).toEqual([[stateOf(rt).space.firstPage + 1, 2]]);
    expect(rt.sysAlloc(pageSize)).toBe(b);
    // The bookkeeping pages are never handed out nor taken back.
    rejects(rt, [], () => rt.sysFree(pageSize, pageSize), BadPointerError, 'ERR_BAD_POINTER', new RegExp(`in \\[${first}, `));
    rejects(rt, [], () => rt.sysFree(first - pageSize, pageSize), BadPointerError, 'ERR_BAD_POINTER', /below/);
    expect(stateOf(rt).space.isLive(pageSize, 4)).toBe(false);
    expect(stateOf(rt).space.blocks().map((x) => x.stat)).toEqual(['stacks', 'other', 'stacks']);
  });

  it('poisons freed pages in debug mode and zeroes them when handed out again (word fills over the SharedArrayBuffer)', () => {
    const rt = createRuntime({ maxBytes: MiB, shared: true, debug: true });
    const p = rt.sysAlloc(2 * pageSize);
    stateOf(rt).space.u8.fill(7, p, p + 2 * pageSize);
    rt.sysFree(p, 2 * pageSize);
    expect(stateOf(rt).space.u8.subarray(p, p + 2 * pageSize).every((b) => b === poisonByte)).toBe(true);
    expect(rt.sysAlloc(2 * pageSize)).toBe(p);
    expect(isZero(rt, p, 2 * pageSize)).toBe(true);
  });

  // The same limits over an unshared space (it accepted any number of any length, so code that ran unshared failed
  // once it shared its space; found by an outsider's probe).
  for (const shared of [true, false]) {
    it(`names at most 64 stat categories of at most 47 UTF-16 units, for every thread (shared ${shared})`, () => {
      const rt = createRuntime({ maxBytes: 4 * MiB, shared });
      rejects(rt, [], () => rt.sysAlloc(1, 'x'.repeat(48)), OptionError, 'ERR_OPTION', /^sysAlloc: a stat category is at most 47 UTF-16 units/);
      expect(rt.sysAlloc(1, 'x'.repeat(47))).toBeGreaterThan(0); // the twin: at the limit
      const ps: number[] = [];
      for (let k = 0; k < 63; k++) ps.push(rt.sysAlloc(1, `s${k}`));
      const e = rejects(rt, [], () => rt.sysAlloc(1, 's63'), OptionError, 'ERR_OPTION', /^sysAlloc: a space tracks at most 64 stat categories/);
      expect((e as OptionError).limit).toBe(64);
      expect(Object.keys(rt.stats().byOwner)).toHaveLength(64);
      for (const p of ps) rt.sysFree(p, pageSize);
      // Categories stay named once made; an existing one is still accepted.
      expect(rt.sysAlloc(1, 's62')).toBe(ps[0]);
    });
  }

  it('names no stat category for a request it refuses (out of memory leaves the shared table as it was)', () => {
    const rt = createRuntime({ maxBytes: MiB, shared: true });
    const header = (): string => Array.from(new Int32Array(rt.buffer, 0, pageSize >>> 2)).join(',');
    const before = header();
    rejects(rt, [], () => rt.sysAlloc(MiB, 'too-big'), OutOfMemoryError, 'ERR_OUT_OF_MEMORY', /cannot allocate/);
    expect(header()).toBe(before);
    // The twin: the same category on a request that fits is named, once.
    const p = rt.sysAlloc(1, 'too-big');
    expect(header()).not.toBe(before);
    expect(rt.stats().byOwner).toEqual({ 'too-big': pageSize });
    rt.sysFree(p, pageSize);
  });
});
