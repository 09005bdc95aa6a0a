// Outsider round 2 (issue 14): a program's own hook throwing mid-operation.
// A FixAlloc `first` hook that throws (a constructor-like init that validates
// and fails) must leave the pool consistent: the object it was given is not
// counted as handed out, the next alloc hands it out again, and debug mode's
// tracking agrees (no double free, no lost object).
import { describe, expect, it } from 'vitest';
import { createRuntime, FixAlloc, struct, u32 } from '../../src/runtime/index.js';

const P = struct('P', { a: u32, b: u32 });

describe('a first hook that throws', () => {
  for (const debug of [false, true]) {
    it(`leaves the pool consistent and the object reusable (debug ${debug})`, () => {
      const rt = createRuntime({ maxBytes: 1 << 20, debug });
      let fail = true;
      const seen: number[] = [];
      const pool = new FixAlloc(P, {
        runtime: rt,
        first: (p) => {
          seen.push(p);
          if (fail) throw new Error('init failed');
        },
      });
      expect(() => pool.alloc()).toThrow('init failed');
      expect(pool.inuse).toBe(0);
      fail = false;
      const a = pool.alloc();
      expect(a).toBe(seen[0]); // the object the failed init got is handed out, once
      const b = pool.alloc();
      expect(b).not.toBe(a);
      expect(pool.inuse).toBe(2 * P.size);
      pool.free(a);
      pool.free(b);
      expect(pool.inuse).toBe(0);
    });
  }

  it('the twin: a hook that does not throw initialises each object once', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const seen: number[] = [];
    const pool = new FixAlloc(P, { runtime: rt, first: (p) => void seen.push(p) });
    const a = pool.alloc();
    const b = pool.alloc();
    expect(seen).toEqual([a, b]);
    expect(pool.inuse).toBe(2 * P.size);
  });
});
