// Type-level guarantees, checked by `tsc --noEmit` (expectTypeOf and
// expect-error directives) and executed by vitest so the runtime side runs too.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  array,
  bool,
  createRuntime,
  f32,
  f64,
  FixAlloc,
  heapRef,
  memclrNoHeapPointers,
  ptr,
  setDefaultRuntime,
  struct,
  typedmemclr,
  u32,
  u8,
  type FixedArray,
  type Garbage,
  type HeapRef,
  type LayoutType,
  type MaybeGarbage,
  type NotInHeap,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';

interface Mesh {
  vertices: number[];
}
const Vec2 = struct('Vec2', { x: f64, y: f64 });
type Vec2Rec = LayoutType<typeof Vec2>;
const Particle = struct('Particle', {
  pos: Vec2,
  mesh: heapRef<Mesh>(),
  next: ptr<ParticleRec>(),
  hist: array(f32, 8),
  flags: u32,
  alive: bool,
});
// A record that points to its own kind is declared as an interface.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a record that points to its own kind is declared as an interface
interface ParticleRec extends LayoutType<typeof Particle> {}
const Flat = struct('Flat', { a: u32, b: u8 });
type FlatRec = LayoutType<typeof Flat>;

describe('types from one source', () => {
  it('derives the record type from the layout', () => {
    expectTypeOf<Vec2Rec>().toEqualTypeOf<NotInHeap<{ x: number; y: number }>>();
    expectTypeOf<ParticleRec['mesh']>().toEqualTypeOf<HeapRef<Mesh>>();
    expectTypeOf<ParticleRec['next']>().toEqualTypeOf<Ptr<ParticleRec>>();
    expectTypeOf<ParticleRec['pos']>().toEqualTypeOf<Vec2Rec>();
    expectTypeOf<ParticleRec['hist']>().toEqualTypeOf<FixedArray<number, 8>>();
    expectTypeOf<ParticleRec['flags']>().toEqualTypeOf<number>();
    expectTypeOf<ParticleRec['alive']>().toEqualTypeOf<boolean>();
    expect(Particle.size).toBe(64);
  });

  it('types accessors per field kind', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const P = rt.access(Particle);
    const pool = new FixAlloc(Particle, { runtime: rt });
    const p = pool.alloc();
    expectTypeOf(p).toEqualTypeOf<Ptr<ParticleRec>>();
    expectTypeOf(P.flags.get(p)).toEqualTypeOf<number>();
    expectTypeOf(P.alive.get(p)).toEqualTypeOf<boolean>();
    expectTypeOf(P.mesh.get(p)).toEqualTypeOf<HeapRef<Mesh>>();
    expectTypeOf(P.next.get(p)).toEqualTypeOf<Ptr<ParticleRec>>();
    expectTypeOf(P.pos.x.get(p)).toEqualTypeOf<number>();
    expectTypeOf(P.hist.get(p, 0)).toEqualTypeOf<number>();
    // @ts-expect-error a number is not a HeapRef (type level only: the runtime refuses it too, accessor tests)
    const storeNumber = () => P.mesh.set(p, 5);
    void storeNumber;
    // @ts-expect-error a Ptr to another record is not this record's Ptr
    P.flags.get(rt.sysAlloc<Vec2Rec>(8192));
    expect(P.flags.get(p)).toBe(0);
  });
});

describe('memory state in the types', () => {
  it('a zeroing pool returns Ptr, a non-zeroing one MaybeGarbage', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const zeroing = new FixAlloc(Flat, { runtime: rt });
    const raw = new FixAlloc(Flat, { runtime: rt, zero: false });
    const sized = new FixAlloc<FlatRec, false>(16, { runtime: rt, zero: false });
    expectTypeOf(zeroing.alloc()).toEqualTypeOf<Ptr<FlatRec>>();
    expectTypeOf(raw.alloc()).toEqualTypeOf<MaybeGarbage<FlatRec>>();
    expectTypeOf(sized.alloc()).toEqualTypeOf<MaybeGarbage<FlatRec>>();
    // @ts-expect-error zero: true and the type argument false disagree
    new FixAlloc<FlatRec, false>(Flat, { runtime: rt, zero: true });
  });

  it('zero: false with only the record type given types the pool FixAlloc<T, false> (the constructor overloads)', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    // The natural spelling: one type argument and zero: false (was TS2322 "Type 'false' is not assignable to type 'true'").
    const raw = new FixAlloc<FlatRec>(Flat, { runtime: rt, zero: false });
    expectTypeOf(raw).toEqualTypeOf<FixAlloc<FlatRec, false>>();
    expectTypeOf(raw.alloc()).toEqualTypeOf<MaybeGarbage<FlatRec>>();
    const sized = new FixAlloc<FlatRec>(16, { runtime: rt, zero: false });
    expectTypeOf(sized.alloc()).toEqualTypeOf<MaybeGarbage<FlatRec>>();
    // The twins: zero: true or no zero keeps Ptr; a zero known only as a boolean gives MaybeGarbage (sound either way).
    expectTypeOf(new FixAlloc<FlatRec>(Flat, { runtime: rt, zero: true }).alloc()).toEqualTypeOf<Ptr<FlatRec>>();
    expectTypeOf(new FixAlloc<FlatRec>(Flat, { runtime: rt }).alloc()).toEqualTypeOf<Ptr<FlatRec>>();
    expectTypeOf(new FixAlloc<FlatRec>(Flat).alloc()).toEqualTypeOf<Ptr<FlatRec>>();
    const zero = raw.size > 0 && rt.debug;
    expectTypeOf(new FixAlloc<FlatRec>(Flat, { runtime: rt, zero }).alloc()).toEqualTypeOf<MaybeGarbage<FlatRec>>();
    expectTypeOf(new FixAlloc(Flat, { runtime: rt, zero }).alloc()).toEqualTypeOf<MaybeGarbage<FlatRec>>();
    // Both type arguments still decide, and still disagree with a contrary option.
    expectTypeOf(new FixAlloc<FlatRec, true>(Flat, { runtime: rt }).alloc()).toEqualTypeOf<Ptr<FlatRec>>();
    // @ts-expect-error zero: false and the type argument true disagree
    new FixAlloc<FlatRec, true>(Flat, { runtime: rt, zero: false });
    // The value is the class: instanceof, and a subclass naming both type arguments.
    expect(raw).toBeInstanceOf(FixAlloc);
    class Flats extends FixAlloc<FlatRec, true> {}
    expectTypeOf(new Flats(Flat, { runtime: rt }).alloc()).toEqualTypeOf<Ptr<FlatRec>>();
  });

  it('memclrNoHeapPointers narrows MaybeGarbage to Ptr; Ptr-only APIs reject garbage', () => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20 });
    setDefaultRuntime(rt);
    const raw = new FixAlloc(Flat, { runtime: rt, zero: false });
    const p = raw.alloc();
    // @ts-expect-error possibly-garbage memory is not type-safe
    typedmemclr(Flat, p);
    memclrNoHeapPointers(p, Flat.size);
    expectTypeOf(p).toEqualTypeOf<Ptr<FlatRec>>();
    typedmemclr(Flat, p);
    const q = raw.alloc();
    rt.memclrNoHeapPointers(q, Flat.size); // explicitly typed receiver: narrows too
    expectTypeOf(q).toEqualTypeOf<Ptr<FlatRec>>();
    const g = 8192 as Garbage<FlatRec>;
    // @ts-expect-error Garbage is not Ptr
    const bad: Ptr<FlatRec> = g;
    expect(bad).toBe(8192);
  });
});
