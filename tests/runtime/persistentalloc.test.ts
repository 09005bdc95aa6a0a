import { describe, expect, it } from 'vitest';
import { ClosedError, createRuntime, OffheapRangeError, OptionError, pageSize, persistentChunkSize, persistentLargeSize } from '../../src/runtime/index.js';
import { isZero, rejects } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const MiB = 1 << 20;

describe('persistentalloc', () => {
  it('bumps through one 256 KiB chunk taken with sysAlloc', () => {
    const rt = createRuntime({ maxBytes: 4 * MiB, debug: true });
    const a = rt.persistentalloc(24);
    const b = rt.persistentalloc(24);
    const c = rt.persistentalloc(1, 1);
    const d = rt.persistentalloc(8);
    expect(a).toBe(pageSize);
    expect(b).toBe(a + 24);
    expect(c).toBe(b + 24);
    expect(d).toBe(c + 8); // aligned up from c+1
    expect(rt.stats().byOwner).toEqual({ persistentalloc: persistentChunkSize });
    expect(rt.stats().persistent).toEqual({ other: 24 + 24 + 1 + 8 });
  });

  it('returns zero memory, aligned to any power of two up to a page', () => {
    const rt = createRuntime({ maxBytes: 4 * MiB, debug: true });
    rt.persistentalloc(3, 1);
    for (let align = 1; align <= pageSize; align *= 2) {
      const p = rt.persistentalloc(100, align);
      expect(p % align).toBe(0);
      expect(isZero(rt, p, 100)).toBe(true);
      stateOf(rt).space.u8.fill(1, p, p + 100);
    }
  });

  it('starts a new chunk when a request does not fit, abandoning the tail', () => {
    const rt = createRuntime({ maxBytes: 4 * MiB });
    const first = rt.persistentalloc(persistentChunkSize - 100);
    const next = rt.persistentalloc(200);
    expect(next).toBe(first + persistentChunkSize);
    expect(rt.stats().byOwner.persistentalloc).toBe(2 * persistentChunkSize);
  });

  it('sends requests of 64 KiB or more straight to sysAlloc and keeps bumping the chunk', () => {
    const rt = createRuntime({ maxBytes: 4 * MiB });
    const small = rt.persistentalloc(16);
    const justBelow = rt.persistentalloc(persistentLargeSize - 1);
    expect(justBelow).toBe(small + 16);
    const large = rt.persistentalloc(persistentLargeSize, 16);
    expect(large % pageSize).toBe(0);
    expect(large).toBe(small + persistentChunkSize);
    expect(isZero(rt, large, persistentLargeSize)).toBe(true);
    const after = rt.persistentalloc(8);
    expect(after).toBe(justBelow + persistentLargeSize - 1 + 1); // aligned to 8, same chunk
    expect(rt.stats().byOwner.persistentalloc).toBe(persistentChunkSize + persistentLargeSize);
    const odd = rt.persistentalloc(persistentLargeSize + 1);
    expect(rt.stats().byOwner.persistentalloc).toBe(persistentChunkSize + persistentLargeSize + persistentLargeSize + pageSize);
    expect(stateOf(rt).persistent.contains(odd + persistentLargeSize)).toBe(true);
    expect(stateOf(rt).persistent.contains(after)).toBe(true);
    expect(stateOf(rt).persistent.contains(odd + persistentLargeSize + pageSize)).toBe(false);
  });

  it('charges bytes to the caller stat', () => {
    const rt = createRuntime({ maxBytes: 4 * MiB });
    rt.persistentalloc(100, 8, 'itab');
    rt.persistentalloc(50, 8, 'itab');
    rt.persistentalloc(70000, 8, 'buckhash');
    expect(rt.stats().persistent).toEqual({ itab: 150, buckhash: 70000 });
  });

  it('rejects bad sizes and alignments without changing state', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    rt.persistentalloc(8);
    for (const size of [0, -8, NaN, 2.5, 2 ** 31 + 1]) {
      rejects(rt, [], () => rt.persistentalloc(size), OffheapRangeError, 'ERR_BAD_SIZE', /^persistentalloc: size must be an integer in \[1, 2147483648\]; got/);
    }
    for (const align of [0, 3, 12, 1.5, NaN, 2 * pageSize]) {
      rejects(rt, [], () => rt.persistentalloc(8, align), OffheapRangeError, 'ERR_BAD_ALIGN', /^persistentalloc: align must be a power of two in \[1, 8192\]; got/);
    }
    rejects(rt, [], () => rt.persistentalloc(8, 16384), OffheapRangeError, 'ERR_BAD_ALIGN', /above the limit 8192/);
    rejects(rt, [], () => rt.persistentalloc(8, 8, {} as never), OptionError, 'ERR_OPTION', /stat must be a string/);
  });

  it('reports out of memory as persistentalloc, naming the chunk or block it could not take and what was asked', () => {
    const rt = createRuntime({ maxBytes: 4 * pageSize });
    expect(() => rt.persistentalloc(8)).toThrow(/^persistentalloc: cannot allocate 262144 bytes \(8 asked\)/);
    expect(() => rt.persistentalloc(100_000)).toThrow(/^persistentalloc: cannot allocate 106496 bytes \(100000 asked\)/);
    expect(rt.stats().inUse).toBe(0);
    // The twin: sysAlloc's own refusal still names sysAlloc.
    expect(() => rt.sysAlloc(100_000)).toThrow(/^sysAlloc: cannot allocate 106496 bytes \(100000 asked\)/);
  });
});

describe('persistentalloc over a shared space', () => {
  it('bumps this runtime’s own chunk, taken from the shared page map, and refuses every request once closed', () => {
    const rt = createRuntime({ maxBytes: 4 << 20, shared: true });
    const first = stateOf(rt).space.firstPage * pageSize;
    const a = rt.persistentalloc(24);
    const b = rt.persistentalloc(8);
    expect([a, b]).toEqual([first, first + 24]);
    expect(stateOf(rt).space.blocks()).toEqual([{ start: first, bytes: persistentChunkSize, stat: 'persistentalloc' }]);
    expect(rt.stats().persistent).toEqual({ other: 32 });
    rt.close();
    // The fast path too: the chunk still has room, but a closed runtime takes no more of it.
    rejects(rt, [], () => rt.persistentalloc(8), ClosedError, 'ERR_CLOSED', /persistentalloc: the runtime is closed/);
  });
});
