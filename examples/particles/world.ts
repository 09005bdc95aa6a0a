// The simulation: emitters spawn particles, particles fly (physics.ts, on
// the physics worker) and expire.
//
// Every record comes from a FixAlloc pool and is registered as a root while
// it is live, because its HeapRef slots (mesh, label, callback) are the only
// thing that keeps those JS objects alive: the collector never traces into
// unmanaged memory (Go's rule 1). Pools zero reused objects, so a record's
// HeapRef slots are zero when `addRoot` publishes it (rule 2). A record is
// retired by clearing it with `typedmemclr`, whose deletion barrier shades the
// references it drops while the collector marks (rule 3), then unrooted and
// freed; the pool hands the same memory to the next spawn.
import { FixAlloc, nil, type AccessorOf, type HeapRef, type Ptr, type Runtime } from 'offheap';
import { Emitter, maxEmitters, Particle, Scene, type EmitterRec, type Label, type Mesh, type OnExpire, type ParticleRec, type SceneRec } from './layouts.js';
import { expired } from './physics.js';

/** What the caller needs to create an emitter. */
export interface EmitterSpec {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  /** Particles spawned per frame. */
  readonly rate: number;
  readonly mesh: HeapRef<Mesh>;
  readonly onExpire: OnExpire;
}

export class World {
  readonly particles: FixAlloc<ParticleRec>;
  readonly emitters: FixAlloc<EmitterRec>;
  /** The scene index: persistentalloc'd, never freed, pointer-free (no root needed). */
  readonly scene: Ptr<SceneRec>;
  /** Particles spawned, retired, and spawned into memory a retired particle had used. */
  spawned = 0;
  retired = 0;
  reused = 0;
  live = 0;
  peak = 0;
  /** Emitters created, removed, and created into a removed emitter's memory. */
  emittersAdded = 0;
  emittersRemoved = 0;
  emittersReused = 0;
  private nextId = 0;
  /** Every record address ever handed out: tells reuse from fresh memory in the report. */
  private readonly seen = new Set<number>();
  private readonly P: AccessorOf<typeof Particle>;
  private readonly E: AccessorOf<typeof Emitter>;
  private readonly S: AccessorOf<typeof Scene>;
  private readonly random: () => number;
  /** The render batch: sysAlloc'd pages of f32 (x, y) pairs, replaced when it is too small. */
  private batch: Ptr<number> = nil;
  private batchBytes = 0;
  private batchView: Float32Array<ArrayBufferLike> = new Float32Array(0);

  constructor(
    readonly rt: Runtime,
    seed = 0x2545f491,
  ) {
    this.particles = new FixAlloc(Particle, { runtime: rt, stat: 'particles' });
    this.emitters = new FixAlloc(Emitter, { runtime: rt, stat: 'emitters' });
    this.scene = rt.persistentalloc<SceneRec>(Scene.size, Scene.align, 'scene');
    this.P = rt.access(Particle);
    this.E = rt.access(Emitter);
    this.S = rt.access(Scene);
    let s = seed;
    this.random = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
  }

  /** Creates an emitter in a free scene slot. */
  addEmitter(spec: EmitterSpec): Ptr<EmitterRec> {
    const { rt, E, S, scene } = this;
    let slot = 0;
    while (slot < maxEmitters && S.emitters.get(scene, slot) !== nil) slot++;
    if (slot === maxEmitters) throw new Error(`the scene holds at most ${maxEmitters} emitters`);
    const e = this.emitters.alloc(); // zeroed, even when reused
    if (this.seen.has(e)) this.emittersReused++;
    else this.seen.add(e);
    this.emittersAdded++;
    rt.addRoot(e, Emitter); // publish first: the slots are zero, then every store is seen
    E.pos.x.set(e, spec.x);
    E.pos.y.set(e, spec.y);
    E.rate.set(e, spec.rate);
    E.name.set(e, rt.newHeapRef<Label>({ text: spec.name }));
    E.mesh.set(e, spec.mesh);
    E.onExpire.set(e, rt.newHeapRef(spec.onExpire));
    S.emitters.set(scene, slot, e);
    return e;
  }

  /** Gives an emitter's future particles another mesh. Its live particles keep the old one. */
  swapMesh(e: Ptr<EmitterRec>, mesh: HeapRef<Mesh>): void {
    this.E.mesh.set(e, mesh);
  }

  /** Retires an emitter and all its particles; its memory goes back to the pool. */
  removeEmitter(e: Ptr<EmitterRec>): void {
    const { rt, E, P, S, scene } = this;
    let p = E.first.get(e);
    while (p !== nil) {
      const next = P.next.get(p);
      this.retire(e, p);
      p = next;
    }
    for (let slot = 0; slot < maxEmitters; slot++) if (S.emitters.get(scene, slot) === e) S.emitters.set(scene, slot, nil);
    rt.typedmemclr(Emitter, e); // drops name, mesh and callback through the deletion barrier
    rt.removeRoot(e);
    this.emitters.free(e);
    this.emittersRemoved++;
  }

  /** The first half of a frame: every emitter spawns its particles (the physics worker moves them next). */
  spawnAll(): void {
    const { E, S, scene } = this;
    for (let slot = 0; slot < maxEmitters; slot++) {
      const e = S.emitters.get(scene, slot);
      if (e === nil) continue;
      for (let k = E.rate.get(e); k > 0; k--) this.spawn(e);
    }
    this.peak = Math.max(this.peak, this.live);
  }

  /** The second half, once the physics worker has moved them: particles that expired are unlinked and retired. */
  expire(): void {
    const { E, P, S, scene } = this;
    for (let slot = 0; slot < maxEmitters; slot++) {
      const e = S.emitters.get(scene, slot);
      if (e === nil) continue;
      let prev: Ptr<ParticleRec> = nil;
      let p = E.first.get(e);
      while (p !== nil) {
        const next = P.next.get(p);
        if (!expired(P, p)) {
          prev = p;
        } else {
          if (prev === nil) E.first.set(e, next);
          else P.next.set(prev, next);
          this.retire(e, p);
        }
        p = next;
      }
    }
    S.frame.set(scene, S.frame.get(scene) + 1);
  }

  /** A new particle at its emitter, linked at the head of the emitter's list. */
  private spawn(e: Ptr<EmitterRec>): void {
    const { rt, E, P } = this;
    const p = this.particles.alloc(); // zeroed: fresh, or cleared on reuse
    rt.addRoot(p, Particle);
    if (this.seen.has(p)) this.reused++;
    else this.seen.add(p);
    const id = ++this.nextId;
    P.id.set(p, id);
    P.pos.x.set(p, E.pos.x.get(e));
    P.pos.y.set(p, E.pos.y.get(e));
    P.vel.x.set(p, this.random() - 0.5);
    P.vel.y.set(p, 1 + this.random());
    P.mesh.set(p, E.mesh.get(e)); // a handle copied from one root slot to another, through the barrier
    P.label.set(p, rt.newHeapRef<Label>({ text: `${rt.deref(E.name.get(e)).text} #${id}` }));
    P.next.set(p, E.first.get(e));
    E.first.set(e, p);
    E.live.set(e, E.live.get(e) + 1);
    this.spawned++;
    this.live++;
  }

  /** Runs the emitter's callback, then clears, unroots and frees the particle (already unlinked). */
  private retire(e: Ptr<EmitterRec>, p: Ptr<ParticleRec>): void {
    const { rt, E, P } = this;
    rt.deref(E.onExpire.get(e))(P.id.get(p), P.age.get(p));
    rt.typedmemclr(Particle, p); // zeroing type-safe memory: the barrier shades mesh and label
    rt.removeRoot(p);
    this.particles.free(p);
    E.live.set(e, E.live.get(e) - 1);
    this.retired++;
    this.live--;
  }

  /**
   * Fills the render batch with the (x, y) of every particle and returns how
   * many there are. The batch is whole pages from sysAlloc, given back with
   * sysFree when a bigger one is needed.
   */
  render(): number {
    const { rt, E, P, S, scene } = this;
    const need = this.live * 8;
    if (need > this.batchBytes) {
      if (this.batch !== nil) rt.sysFree(this.batch, this.batchBytes);
      this.batchBytes = Math.ceil((need * 1.5) / 8192) * 8192;
      this.batch = rt.sysAlloc<number>(this.batchBytes, 'render batch');
      this.batchView = new Float32Array(rt.buffer, this.batch, this.batchBytes / 4);
    }
    const v = this.batchView;
    let n = 0;
    for (let slot = 0; slot < maxEmitters; slot++) {
      const e = S.emitters.get(scene, slot);
      if (e === nil) continue;
      for (let p = E.first.get(e); p !== nil; p = P.next.get(p)) {
        v[2 * n] = P.pos.x.get(p);
        v[2 * n + 1] = P.pos.y.get(p);
        n++;
      }
    }
    return n;
  }

  /** The mesh each live particle is drawn with, counted by mesh name (dereferences every handle). */
  meshesInUse(): Map<string, number> {
    const { rt, E, P, S, scene } = this;
    const counts = new Map<string, number>();
    for (let slot = 0; slot < maxEmitters; slot++) {
      const e = S.emitters.get(scene, slot);
      if (e === nil) continue;
      for (let p = E.first.get(e); p !== nil; p = P.next.get(p)) {
        const name = rt.deref(P.mesh.get(p)).name;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    return counts;
  }
}
