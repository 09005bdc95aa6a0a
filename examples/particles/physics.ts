// The physics of the particle system, on its own thread.
//
// The main thread creates the space with `shared: true`; the physics worker
// attaches to it (`attachRuntime(rt.share())`) and, once per frame, advances
// every particle in place: the records are in shared memory, so nothing is
// copied between the threads. It touches only scalars and `Ptr`s: the
// HeapRef slots of particles and emitters name JS objects of the main
// thread's heap, which the worker cannot see; the main thread keeps the
// handles, roots and collector, and its collector steps while the worker
// moves particles (they write different bytes of the same records).
//
// Each frame the worker bins the particles into grid cells, scratch records
// it allocates from a shared pool and frees at the end of the frame, and
// pulls each particle's velocity toward its cell's mean (a crowd moves
// together). The cells are pointer-free, as every record of a pool that
// more than one thread uses must be.
//
// The threads take turns through two words of shared memory: the main
// thread spawns and retires particles (it changes the lists) only while the
// worker waits, and the worker walks the lists only between `begin` and
// `wait`.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { nil, sharedPool, type AccessorOf, type FixAlloc, type Ptr, type Runtime, type SharedRuntime } from 'offheap';
import {
  Cell,
  Emitter,
  Grid,
  gridBuckets,
  maxEmitters,
  Particle,
  PhysicsStats,
  Scene,
  type CellRec,
  type GridRec,
  type ParticleRec,
  type PhysicsStatsRec,
  type SceneRec,
} from './layouts.js';

/** Particles older than this many frames expire. */
export const maxAge = 90;
/** Downward acceleration per frame. */
const gravity = 0.02;
/** Side of a grid cell, in world units. */
const cellSide = 4;
/** How far a particle's velocity moves toward its cell's mean per frame. */
const drag = 0.05;
/** The pool of grid cells: one name opens the same pool in every thread. */
const scratchPool = 'particles.scratch';

/** Opens the scratch pool in `rt`'s thread: the same name, layout and options in every thread. */
export function openScratch(rt: Runtime): FixAlloc<CellRec> {
  return sharedPool(rt, scratchPool, Cell, { stat: 'physics scratch' });
}

/** The control words: the frame the worker is asked to run (or `stop`), and the last one it finished (or a state). */
const commandWord = 0;
const doneWord = 1;
const starting = -3;
const failed = -2;
const stop = -1;

/** What the worker is started with. */
export interface PhysicsWorkerData {
  readonly share: SharedRuntime;
  readonly scene: Ptr<SceneRec>;
  readonly stats: Ptr<PhysicsStatsRec>;
  readonly control: SharedArrayBuffer;
  /** Where the worker sends its error, if it fails. */
  readonly port: MessagePort;
}

/** The worker's counts, as the main thread reads them from shared memory. */
export interface PhysicsCounts {
  readonly frames: number;
  readonly moved: number;
  readonly cellsAllocated: number;
  readonly cellsFreed: number;
  readonly peakCells: number;
  readonly persistentBytes: number;
}

/**
 * Moves one particle. Physics touches only scalars, which the lint proves:
 * no write barrier runs here or in anything it calls.
 *
 * @nowritebarrierrec
 */
function integrate(P: AccessorOf<typeof Particle>, p: Ptr<ParticleRec>): void {
  P.vel.y.set(p, P.vel.y.get(p) - gravity);
  P.pos.x.set(p, P.pos.x.get(p) + P.vel.x.get(p));
  P.pos.y.set(p, P.pos.y.get(p) + P.vel.y.get(p));
  P.age.set(p, P.age.get(p) + 1);
}

/** Whether a particle has expired or fallen below the ground (the main thread retires it). */
export function expired(P: AccessorOf<typeof Particle>, p: Ptr<ParticleRec>): boolean {
  return P.age.get(p) >= maxAge || P.pos.y.get(p) < 0;
}

/** The worker's side: one frame of physics over the shared scene. */
export class Physics {
  private readonly cells: FixAlloc<CellRec>;
  private readonly grid: Ptr<GridRec>;
  private readonly P: AccessorOf<typeof Particle>;
  private readonly E: AccessorOf<typeof Emitter>;
  private readonly S: AccessorOf<typeof Scene>;
  private readonly C: AccessorOf<typeof Cell>;
  private readonly G: AccessorOf<typeof Grid>;
  private readonly St: AccessorOf<typeof PhysicsStats>;
  private frames = 0;
  private moved = 0;
  private cellsAllocated = 0;
  private cellsFreed = 0;
  private peakCells = 0;

  constructor(
    rt: Runtime,
    private readonly scene: Ptr<SceneRec>,
    private readonly stats: Ptr<PhysicsStatsRec>,
  ) {
    this.cells = openScratch(rt);
    this.grid = rt.persistentalloc<GridRec>(Grid.size, Grid.align, 'physics grid');
    this.P = rt.access(Particle);
    this.E = rt.access(Emitter);
    this.S = rt.access(Scene);
    this.C = rt.access(Cell);
    this.G = rt.access(Grid);
    this.St = rt.access(PhysicsStats);
    this.St.persistentBytes.set(stats, Grid.size);
  }

  /** Bins the particles into cells, pulls each toward its cell's mean velocity, moves it, and frees the cells. */
  step(): void {
    const { P, E, S, C, scene } = this;
    const allocatedBefore = this.cellsAllocated;
    for (let slot = 0; slot < maxEmitters; slot++) {
      const e = S.emitters.get(scene, slot);
      if (e === nil) continue;
      for (let p = E.first.get(e); p !== nil; p = P.next.get(p)) {
        const c = this.cellAt(P.pos.x.get(p), P.pos.y.get(p));
        C.count.set(c, C.count.get(c) + 1);
        C.vel.x.set(c, C.vel.x.get(c) + P.vel.x.get(p));
        C.vel.y.set(c, C.vel.y.get(c) + P.vel.y.get(p));
      }
    }
    for (let slot = 0; slot < maxEmitters; slot++) {
      const e = S.emitters.get(scene, slot);
      if (e === nil) continue;
      for (let p = E.first.get(e); p !== nil; p = P.next.get(p)) {
        const c = this.cellAt(P.pos.x.get(p), P.pos.y.get(p));
        const n = C.count.get(c);
        P.vel.x.set(p, P.vel.x.get(p) + drag * (C.vel.x.get(c) / n - P.vel.x.get(p)));
        P.vel.y.set(p, P.vel.y.get(p) + drag * (C.vel.y.get(c) / n - P.vel.y.get(p)));
        integrate(P, p);
        this.moved++;
      }
    }
    this.peakCells = Math.max(this.peakCells, this.cellsAllocated - allocatedBefore);
    this.clearGrid();
    this.frames++;
    this.publish();
  }

  /** The cell holding (x, y), allocated (zeroed) the first time this frame. */
  private cellAt(x: number, y: number): Ptr<CellRec> {
    const { C, G, grid } = this;
    const ix = Math.floor(x / cellSide);
    const iy = Math.floor(y / cellSide);
    const bucket = (Math.imul(ix, 73856093) ^ Math.imul(iy, 19349663)) & (gridBuckets - 1);
    const head = G.buckets.get(grid, bucket);
    for (let c = head; c !== nil; c = C.next.get(c)) if (C.ix.get(c) === ix && C.iy.get(c) === iy) return c;
    const c = this.cells.alloc();
    this.cellsAllocated++;
    C.ix.set(c, ix);
    C.iy.set(c, iy);
    C.next.set(c, head);
    G.buckets.set(grid, bucket, c);
    return c;
  }

  /** Gives every cell of this frame back to the shared pool. */
  private clearGrid(): void {
    const { C, G, grid } = this;
    for (let b = 0; b < gridBuckets; b++) {
      let c = G.buckets.get(grid, b);
      while (c !== nil) {
        const next = C.next.get(c);
        this.cells.free(c);
        this.cellsFreed++;
        c = next;
      }
      G.buckets.set(grid, b, nil);
    }
  }

  /** Writes the counts where the main thread reads them. */
  private publish(): void {
    const { St, stats } = this;
    St.frames.set(stats, this.frames);
    St.moved.set(stats, this.moved);
    St.cellsAllocated.set(stats, this.cellsAllocated);
    St.cellsFreed.set(stats, this.cellsFreed);
    St.peakCells.set(stats, this.peakCells);
  }
}

/** The worker's loop: waits for a frame number, runs it, says it is done; on `stop`, closes its runtime. */
export function serve(rt: Runtime, data: PhysicsWorkerData): void {
  const control = new Int32Array(data.control);
  const done = (v: number): void => {
    Atomics.store(control, doneWord, v);
    Atomics.notify(control, doneWord);
  };
  try {
    const physics = new Physics(rt, data.scene, data.stats);
    done(0);
    let last = 0;
    for (;;) {
      Atomics.wait(control, commandWord, last);
      const command = Atomics.load(control, commandWord);
      if (command === stop) break;
      physics.step();
      last = command;
      done(command);
    }
    rt.close(); // hands this thread's cached cells back to the pool's central list
    done(stop);
  } catch (e) {
    data.port.postMessage(e instanceof Error ? (e.stack ?? e.message) : String(e));
    done(failed);
  } finally {
    data.port.close();
  }
}

/** The main thread's side: starts the worker and takes turns with it. */
export class PhysicsThread {
  private frame = 0;
  private readonly St: AccessorOf<typeof PhysicsStats>;

  private constructor(
    rt: Runtime,
    private readonly worker: Worker,
    private readonly control: Int32Array,
    private readonly errors: MessagePort,
    private readonly stats: Ptr<PhysicsStatsRec>,
  ) {
    this.St = rt.access(PhysicsStats);
    this.await(0);
  }

  /** Starts the worker over `rt`'s space (created with `shared: true`) and waits until it has attached. */
  static start(rt: Runtime, scene: Ptr<SceneRec>): PhysicsThread {
    const stats = rt.persistentalloc<PhysicsStatsRec>(PhysicsStats.size, PhysicsStats.align, 'physics stats');
    const control = new Int32Array(new SharedArrayBuffer(8));
    control[doneWord] = starting;
    const { port1, port2 } = new MessageChannel();
    const data: PhysicsWorkerData = { share: rt.share(), scene, stats, control: control.buffer as SharedArrayBuffer, port: port2 };
    // Node 20 cannot load TypeScript in a worker: the .mjs loads physics-worker.ts through jiti.
    const worker = new Worker(new URL('./physics-worker.mjs', import.meta.url), { workerData: data, transferList: [port2] });
    return new PhysicsThread(rt, worker, control, port1, stats);
  }

  /** Lets the worker run the next frame; returns at once. */
  begin(): void {
    Atomics.store(this.control, commandWord, ++this.frame);
    Atomics.notify(this.control, commandWord);
  }

  /** Waits until the worker has finished the frame `begin` started. */
  wait(): void {
    this.await(this.frame);
  }

  /** Stops the worker (it closes its runtime, flushing its cache) and returns its counts. */
  stop(): PhysicsCounts {
    Atomics.store(this.control, commandWord, stop);
    Atomics.notify(this.control, commandWord);
    this.await(stop);
    void this.worker.terminate();
    this.errors.close();
    const { St, stats } = this;
    return {
      frames: St.frames.get(stats),
      moved: St.moved.get(stats),
      cellsAllocated: St.cellsAllocated.get(stats),
      cellsFreed: St.cellsFreed.get(stats),
      peakCells: St.peakCells.get(stats),
      persistentBytes: St.persistentBytes.get(stats),
    };
  }

  /** Blocks until the done word is `value`; throws the worker's error if it failed. */
  private await(value: number): void {
    for (;;) {
      const now = Atomics.load(this.control, doneWord);
      if (now === value) return;
      if (now === failed) {
        const message = receiveMessageOnPort(this.errors)?.message as string | undefined;
        void this.worker.terminate();
        throw new Error(`the physics worker failed: ${message ?? 'no message'}`);
      }
      if (Atomics.wait(this.control, doneWord, now, 30_000) === 'timed-out') {
        void this.worker.terminate();
        throw new Error(`the physics worker did not answer within 30 s (waiting for ${value}, at ${now})`);
      }
    }
  }
}
