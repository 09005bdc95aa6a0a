// A particle fountain whose records live in unmanaged memory: the example
// program of offheap (`npm start` lints it, then runs it).
//
// - layouts.ts: the records (Particle, Emitter, the Scene index) and the JS
//   objects their HeapRef slots name (meshes, labels, callbacks).
// - world.ts: FixAlloc pools, roots, spawning, retiring, rendering into a
//   sysAlloc'd batch.
// - physics.ts: the physics worker, a second thread attached to the same
//   space, which moves the particles in place every frame and allocates its
//   scratch records from a shared pool (physics-worker.ts is its entry).
// - assets.ts: meshes loaded by name, pinned while the library holds them.
//
// The space is created with `shared: true` so the worker can attach. The
// handles, roots and collector stay on this thread: a HeapRef names a JS
// object of this thread's heap.
//
// The collector runs incrementally: each frame that a cycle is under way,
// `gcStep` does a bounded amount of work between the mutator's frames, with
// the write barrier on. Debug mode checks every access and poisons freed
// memory; checkmark verification re-marks from the roots at the end of each
// mark and throws LostObjectError if the incremental mark missed anything.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRuntime,
  type GcStats,
  type Ptr,
  type Runtime,
} from 'offheap';
import { Assets } from './assets.js';
import type { EmitterRec } from './layouts.js';
import { openScratch, PhysicsThread } from './physics.js';
import { World } from './world.js';

const frames = 300;
/** Collector work per frame (units: root slots, pin entries, swept slots). */
const budget = 512;
/** Go's GOGC=100: start a cycle when the live handles have doubled since the last one. */
const gogc = 100;

const rt: Runtime = createRuntime({ maxBytes: 16 << 20, shared: true, debug: true, checkmark: true });
const world = new World(rt);
const physics = PhysicsThread.start(rt, world.scene);
/** This thread's handle on the worker's scratch pool, for its statistics. */
const scratch = openScratch(rt);
const assets = new Assets(rt);
const expired = new Map<string, number>();
const onExpire = (name: string) => (): void => {
  expired.set(name, (expired.get(name) ?? 0) + 1);
};

assets.load('spark', 4);
assets.load('smoke', 12);
assets.load('ember', 6);
const sparks = world.addEmitter({ name: 'sparks', x: 20, y: 0, rate: 12, mesh: assets.mesh('spark'), onExpire: onExpire('sparks') });
const smoke = world.addEmitter({ name: 'smoke', x: 50, y: 5, rate: 6, mesh: assets.mesh('smoke'), onExpire: onExpire('smoke') });

let collections = 0;
let freed = 0;
let trigger = 256;
/** The longest step of each kind, in ms. */
const longest = new Map<string, number>();
const steps: number[] = [];

/** Starts a cycle when the heap has grown enough, and advances a running one by one budget. */
function collect(): void {
  if (rt.gcStats().phase === 'off') {
    if (rt.gcStats().live < trigger) return;
    rt.gcStart();
  }
  const before = rt.gcStats().phase;
  const started = performance.now();
  const more = rt.gcStep(budget);
  const ms = performance.now() - started;
  steps.push(ms);
  const kind = before === 'mark' && rt.gcStats().phase !== 'mark' ? 'mark termination' : before === 'sweep' ? 'sweep' : 'mark';
  longest.set(kind, Math.max(longest.get(kind) ?? 0, ms));
  if (!more) cycleDone(rt.gcStats());
}

function cycleDone(stats: GcStats): void {
  collections++;
  freed += stats.freed;
  trigger = Math.max(256, Math.ceil(stats.live * (1 + gogc / 100)));
}

let fireworks: Ptr<EmitterRec> | undefined;
for (let frame = 0; frame < frames; frame++) {
  if (frame === 100) {
    // New sparks look like embers; the spark mesh is unloaded and lives on
    // only in the HeapRef slots of the sparks still flying.
    world.swapMesh(sparks, assets.mesh('ember'));
    assets.unload('spark');
  }
  if (frame === 150) fireworks = world.addEmitter({ name: 'fireworks', x: 80, y: 0, rate: 20, mesh: assets.mesh('ember'), onExpire: onExpire('fireworks') });
  if (frame === 200) world.removeEmitter(smoke);
  if (frame === 220) world.addEmitter({ name: 'fountain', x: 50, y: 0, rate: 8, mesh: assets.mesh('smoke'), onExpire: onExpire('fountain') });
  // The fireworks end: their particles' slots go back to the pool, and the
  // last frames reuse some of them (the picture shows the rest as free).
  if (frame === 285 && fireworks !== undefined) world.removeEmitter(fireworks);
  world.spawnAll();
  // The worker moves the particles while this thread's collector steps: the
  // worker writes positions and ages, the collector reads HeapRef slots.
  physics.begin();
  collect();
  physics.wait();
  world.expire();
  world.render();
}
const worker = physics.stop();
rt.gc(); // a last full cycle: everything unreachable now is freed
cycleDone(rt.gcStats());

// The memory picture: the address space by owner, written next to the README
// (or where `--picture=<file>` says).
const pictureArg = process.argv.find((a) => a.startsWith('--picture='));
const picture = pictureArg !== undefined ? pictureArg.slice('--picture='.length) : fileURLToPath(new URL('../../docs/memory.svg', import.meta.url));
writeFileSync(picture, rt.memoryPicture());

const stats = rt.stats();
const n = (x: number): string => x.toLocaleString('en-US');
const bytes = (x: number): string => (x < 1024 ? `${x} B` : `${n(Math.round(x / 1024))} KiB`);
const median = [...steps].sort((a, b) => a - b)[steps.length >> 1] ?? 0;
const meshes = [...world.meshesInUse()].map(([name, count]) => `${name} ×${n(count)}`).join(', ');
const rows: [string, string][] = [
  ['frames', `${n(frames)}, debug and checkmark on`],
  ['particles', `${n(world.live)} live (peak ${n(world.peak)}); ${n(world.spawned)} spawned, ${n(world.retired)} retired; ${n(world.reused)} spawned into reused memory`],
  ['emitters', `${n(world.emittersAdded - world.emittersRemoved)} live; ${n(world.emittersAdded)} created, ${n(world.emittersRemoved)} removed, ${n(world.emittersReused)} created into a removed one's memory`],
  ['expired', [...expired].map(([name, count]) => `${name} ${n(count)}`).join(', ')],
  ['live objects', `${n(rt.gcStats().live)} heap objects (labels, names, callbacks, meshes: ${meshes}); ${n(rt.gcStats().roots)} roots; ${assets.size} pinned meshes`],
  ['collections', `${n(collections)} cycles (GOGC=${gogc}), ${n(freed)} objects freed, no lost objects (checkmark)`],
  ['longest step', `${[...longest].map(([kind, ms]) => `${kind} ${ms.toFixed(2)} ms`).join(', ')} (median ${median.toFixed(3)} ms over ${n(steps.length)} steps of ${budget} units; mark termination runs checkmark)`],
  ['sysAlloc', Object.entries(stats.byOwner).map(([owner, b]) => `${owner} ${bytes(b)}`).join(', ') + ` (${bytes(stats.mapped)} mapped)`],
  ['persistentalloc', Object.entries(stats.persistent).map(([stat, b]) => `${stat} ${bytes(b)}`).join(', ')],
  ['FixAlloc in use', `particles ${bytes(world.particles.inuse)} (${world.particles.size} B each), emitters ${bytes(world.emitters.inuse)} (${world.emitters.size} B each)`],
  ['physics worker', `${n(worker.frames)} frames, ${n(worker.moved)} particle moves; ${n(worker.cellsAllocated)} scratch cells allocated and ${n(worker.cellsFreed)} freed (at most ${n(worker.peakCells)} in a frame); ${n(worker.persistentBytes)} B persistentalloc`],
  ['allocations', `main thread ${n(world.spawned + world.emittersAdded)} (${n(world.spawned)} particles, ${n(world.emittersAdded)} emitters), physics worker ${n(worker.cellsAllocated)} (scratch cells)`],
  ['shared pool', sharedPoolLine(scratch.sharedStats())],
  ['memory picture', relative(process.cwd(), picture).startsWith('..') ? picture : relative(process.cwd(), picture)],
];
/** The scratch pool as every thread sees it, once the worker has closed (its cached cells are back on the central list). */
function sharedPoolLine(s: { name: string; spans: number; carved: number; central: number; size: number }): string {
  return `${s.name}: ${n(s.spans)} span${s.spans === 1 ? '' : 's'} of ${n(s.carved)} cells (${s.size} B each); ${n(s.central)} cells on the central list after the worker closed`;
}
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
