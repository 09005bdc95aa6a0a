import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { array, createRuntime, FixAlloc, f64, heapRef, struct, u32, u8, type MaybeGarbage, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

const KiB = 1024;
/** Bytes of the test block: room for a 64 KiB clear with unaligned edges and a margin on both sides. */
const block = 80 * KiB;

function runtimes(): { name: string; rt: Runtime; base: number }[] {
  return [false, true].map((shared) => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20, shared });
    return { name: shared ? 'shared' : 'unshared', rt, base: rt.sysAlloc(block) };
  });
}

/** Fills the block with a pattern no clear produces, clears [p, p+n) with `clear`, and checks every byte of the block. */
function check(rt: Runtime, base: number, off: number, n: number, clear: (p: number, n: number) => void): void {
  const u = stateOf(rt).space.u8;
  for (let i = 0; i < block; i++) u[base + i] = (i % 251) + 1;
  clear(base + off, n);
  let wrong = -1;
  for (let i = 0; i < block && wrong < 0; i++) {
    const want = i >= off && i < off + n ? 0 : (i % 251) + 1;
    if (u[base + i] !== want) wrong = i;
  }
  expect(wrong, `[${off}, ${off + n}) cleared exactly; first wrong byte at block offset ${wrong}`).toBe(-1);
}

// Sizes around each path of clearBytes: ≤ 256 B aligned words, a shared space's JS word stores
// (≤ 512 B between 8-byte boundaries) and its BigInt64Array.fill above that, the unshared fill.
const sizes = [0, 1, 3, 7, 8, 9, 15, 16, 24, 56, 63, 64, 65, 72, 120, 248, 255, 256, 257, 264, 504, 511, 512, 513, 519, 520, 528, 1000, 4096, 4097, 65536, 65543];
const offsets = [8, 9, 11, 12, 15, 16, 4096 + 5];

describe('memclrNoHeapPointers, shared and unshared spaces', () => {
  for (const { name, rt, base } of runtimes()) {
    it(`${name}: zeroes exactly [p, p+n) for aligned and unaligned heads and tails, every size class`, () => {
      for (const off of offsets) for (const n of sizes) check(rt, base, off, n, (p, k) => rt.memclrNoHeapPointers(p as MaybeGarbage<unknown>, k));
    });

    it(`${name}: random ranges (fast-check) zero exactly their bytes`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: block - 1 }), fc.integer({ min: 0, max: 70 * KiB }), (off, n) => {
          const k = Math.min(n, block - off);
          check(rt, base, off, k, (p, m) => rt.memclrNoHeapPointers(p as MaybeGarbage<unknown>, m));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('a shared clear at the end of mapped memory and at the first page stops at its range', () => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20, shared: true });
    const p = rt.sysAlloc(8192);
    const end = stateOf(rt).space.mappedEnd;
    const u = stateOf(rt).space.u8;
    u.fill(0x77, end - 8192, end);
    rt.memclrNoHeapPointers((end - 1029) as MaybeGarbage<unknown>, 1029);
    expect(u.subarray(end - 1029, end).every((b) => b === 0)).toBe(true);
    expect(u[end - 1030]).toBe(0x77);
    u.fill(0x77, p, p + 8192);
    rt.memclrNoHeapPointers(p, 3);
    expect(Array.from(u.subarray(p, p + 4))).toEqual([0, 0, 0, 0x77]);
  });
});

describe('the barriered clears and FixAlloc zeroing in a shared space', () => {
  // 8 + 4 + 4·300 = 1212 bytes, aligned to 8: a shared clear through BigInt64Array.fill.
  const Big = struct('Big', { x: f64, r: heapRef<object>(), pad: array(u32, 300) });
  // 4 + 1 → 8 bytes aligned to 4: a clear whose tail is not a whole 8-byte word.
  const Odd = struct('Odd', { r: heapRef<object>(), b: u8 });

  for (const shared of [false, true]) {
    it(`${shared ? 'shared' : 'unshared'}: typedmemclr and memclrHasPointers zero exactly the object, barrier on and off`, () => {
      const rt = createRuntime({ maxBytes: 1 << 20, shared });
      const pool = new FixAlloc(Big, { runtime: rt });
      const odd = new FixAlloc(Odd, { runtime: rt });
      const h = rt.newHeapRef({});
      rt.pin(h);
      for (const on of [false, true]) {
        if (on) rt.gcStart();
        const [a, b, c] = [pool.alloc(), pool.alloc(), pool.alloc()];
        const u = stateOf(rt).space.u8;
        for (const q of [a, b, c]) u.fill(0xee, q, q + Big.size);
        for (const q of [a, b, c]) stateOf(rt).space.u32[(q + 8) >>> 2] = h;
        rt.typedmemclr(Big, b);
        expect(u.subarray(b, b + Big.size).every((x) => x === 0)).toBe(true);
        expect(u[b - 1]).toBe(0xee);
        expect(u[b + Big.size]).toBe(0xee);
        rt.memclrHasPointers((c + 4) as Ptr<unknown>, Big.size - 5);
        expect(u[c + 3]).toBe(0xee);
        expect(u.subarray(c + 4, c + Big.size - 1).every((x) => x === 0)).toBe(true);
        expect(u[c + Big.size - 1]).toBe(0xee);
        expect(u.subarray(a, a + 8).every((x) => x === 0xee)).toBe(true); // the neighbour is untouched
        expect(u.subarray(a + 12, a + Big.size).every((x) => x === 0xee)).toBe(true);
        const o = odd.alloc();
        const o2 = odd.alloc();
        u.fill(0xee, o, o + 16);
        rt.typedmemclr(Odd, o2);
        expect(Array.from(u.subarray(o, o + 16))).toEqual([...Array<number>(o2 - o).fill(0xee), ...Array<number>(8).fill(0), ...Array<number>(16 - (o2 - o) - 8).fill(0xee)]);
      }
    });
  }

  it('a shared pool zeroes objects above 64 B on alloc after they were dirtied and freed', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const pool = new FixAlloc(Big, { runtime: rt });
    const ps = Array.from({ length: 4 }, () => pool.alloc());
    for (const q of ps) stateOf(rt).space.u8.fill(0xab, q, q + Big.size);
    for (const q of ps) pool.free(q);
    for (let i = 0; i < 4; i++) {
      const q = pool.alloc();
      expect(stateOf(rt).space.u8.subarray(q, q + Big.size).every((x) => x === 0)).toBe(true);
    }
  });
});
