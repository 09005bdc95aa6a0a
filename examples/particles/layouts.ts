// The records of the particle system and the JS objects they refer to.
//
// Records live in unmanaged memory and hold only numbers: scalars, `Ptr`s to
// other records, and `HeapRef` handles to ordinary JS objects (meshes,
// labels, callbacks). A `HeapRef` slot is in the layout's pointer bitmap, so
// the collector sees it once the record is a root; a `Ptr` is never followed.
import { array, f64, heapRef, i32, ptr, struct, u32, type LayoutType } from 'offheap';

/** Vertex data the renderer draws each particle with: an ordinary JS object. */
export class Mesh {
  constructor(
    readonly name: string,
    readonly vertices: Float32Array,
  ) {}
}

/** A string, wrapped in an object so that a handle can name it. */
export interface Label {
  readonly text: string;
}

/** Called when a particle of an emitter expires. */
export type OnExpire = (id: number, age: number) => void;

export const Vec2 = struct('Vec2', { x: f64, y: f64 });

/** One particle: physics state, its emitter's list link and three heap references. */
export const Particle = struct('Particle', {
  pos: Vec2,
  vel: Vec2,
  age: u32,
  id: u32,
  /** The next particle of the same emitter, or nil. */
  next: ptr<ParticleRec>(),
  /** The mesh it is drawn with; shared with its emitter (until the emitter swaps meshes). */
  mesh: heapRef<Mesh>(),
  /** Its own label, e.g. `sparks #12`; garbage once the particle is freed. */
  label: heapRef<Label>(),
});
export interface ParticleRec extends LayoutType<typeof Particle> {}

/** A source of particles: where, how many per frame, what they look like. */
export const Emitter = struct('Emitter', {
  pos: Vec2,
  rate: u32,
  live: u32,
  /** Head of the list of this emitter's particles (linked through `Particle.next`). */
  first: ptr<ParticleRec>(),
  name: heapRef<Label>(),
  mesh: heapRef<Mesh>(),
  onExpire: heapRef<OnExpire>(),
});
export interface EmitterRec extends LayoutType<typeof Emitter> {}

/** Most emitters a scene holds. */
export const maxEmitters = 8;

/**
 * The scene index: the emitter table. Allocated once with persistentalloc
 * (it lives as long as the program) and pointer-free, so it needs no root.
 */
export const Scene = struct('Scene', {
  emitters: array(ptr<EmitterRec>(), maxEmitters),
  frame: u32,
});
export type SceneRec = LayoutType<typeof Scene>;

/**
 * A grid cell of the physics worker's scratch: the particles inside one
 * square of the world this frame, summed. Allocated and freed every frame
 * from a shared pool, so it is pointer-free apart from `Ptr`s (a pool that
 * other threads use cannot hold HeapRefs: they name JS objects of one thread).
 */
export const Cell = struct('Cell', {
  /** Summed velocity of the cell's particles. */
  vel: Vec2,
  ix: i32,
  iy: i32,
  count: u32,
  /** The next cell of the same bucket, or nil. */
  next: ptr<CellRec>(),
});
export interface CellRec extends LayoutType<typeof Cell> {}

/** Buckets of the physics worker's cell table. */
export const gridBuckets = 256;

/** The worker's cell table: bucket heads, allocated once in its own thread with persistentalloc. */
export const Grid = struct('Grid', { buckets: array(ptr<CellRec>(), gridBuckets) });
export type GridRec = LayoutType<typeof Grid>;

/**
 * What the physics worker has done, written by the worker after every frame
 * into shared memory that the main thread allocated, and read there for the
 * report.
 */
export const PhysicsStats = struct('PhysicsStats', {
  frames: u32,
  /** Particles integrated, summed over frames. */
  moved: u32,
  /** Scratch cells allocated and freed by the worker, and the most in one frame. */
  cellsAllocated: u32,
  cellsFreed: u32,
  peakCells: u32,
  /** Bytes the worker took with persistentalloc (its cell table). */
  persistentBytes: u32,
});
export type PhysicsStatsRec = LayoutType<typeof PhysicsStats>;
