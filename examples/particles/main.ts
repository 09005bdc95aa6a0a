// A particle system whose records live in unmanaged memory.
//
// Particles come from a FixAlloc pool (freed particles' memory is reused by
// the same pool), the table of live particles is a persistentalloc'd array
// that is never freed, and the frame loop reads and writes records through
// the layout's accessors: no JS object is allocated per particle.
import {
  createRuntime,
  f64,
  FixAlloc,
  struct,
  u32,
  type LayoutType,
  type Ptr,
  type Runtime,
} from 'offheap';

const Vec2 = struct('Vec2', { x: f64, y: f64 });
const Particle = struct('Particle', { pos: Vec2, vel: Vec2, age: u32, id: u32 });
type Particle = LayoutType<typeof Particle>;

const capacity = 4096;
const frames = 240;
const maxAge = 90;

const rt: Runtime = createRuntime({ debug: true });
const P = rt.access(Particle);
const pool = new FixAlloc(Particle, { runtime: rt });
/** Slot i holds the address of a live particle, or 0. */
const table = rt.persistentalloc<Ptr<Particle>>(capacity * 4, 4, 'particle-table');
const slots = new Uint32Array(rt.buffer, table, capacity);

let nextId = 1;
let spawned = 0;
let retired = 0;
let seed = 0x2545f491;
const random = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

function spawn(slot: number): void {
  const p = pool.alloc(); // zeroed: fresh, or cleared on reuse
  P.pos.x.set(p, random() * 100);
  P.pos.y.set(p, 0);
  P.vel.x.set(p, random() - 0.5);
  P.vel.y.set(p, 1 + random());
  P.id.set(p, nextId++);
  slots[slot] = p;
  spawned++;
}

function step(p: Ptr<Particle>): boolean {
  P.vel.y.set(p, P.vel.y.get(p) - 0.02);
  P.pos.x.set(p, P.pos.x.get(p) + P.vel.x.get(p));
  P.pos.y.set(p, P.pos.y.get(p) + P.vel.y.get(p));
  const age = P.age.get(p) + 1;
  P.age.set(p, age);
  return age < maxAge && P.pos.y.get(p) >= 0;
}

let live = 0;
let highest = 0;
for (let frame = 0; frame < frames; frame++) {
  for (let i = 0; i < 24 && live < capacity; i++) {
    const slot = slots.indexOf(0);
    spawn(slot);
    live++;
  }
  for (let slot = 0; slot < capacity; slot++) {
    const p = slots[slot] as Ptr<Particle>;
    if (p === 0 || step(p)) continue;
    pool.free(p);
    slots[slot] = 0;
    live--;
    retired++;
  }
  highest = Math.max(highest, live);
}

const stats = rt.stats();
console.log(`frames ${frames}: spawned ${spawned}, retired ${retired}, live ${live} (peak ${highest})`);
console.log(`pool: ${pool.size}-byte particles, ${pool.inuse} bytes in use`);
console.log(`address space: ${stats.mapped} bytes mapped, ${stats.inUse} in use; by owner ${JSON.stringify(stats.byOwner)}`);
