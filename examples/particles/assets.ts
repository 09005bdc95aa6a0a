// The asset library: meshes loaded by name.
//
// JS code holds these handles across frames, while the collector runs
// between them, so each one is pinned (Go: a reference on a goroutine stack)
// until it is unloaded. An unloaded mesh stays alive as long as a particle's
// HeapRef slot refers to it, and is collected after the last one expires.
import type { HeapRef, Runtime } from 'offheap';
import { Mesh } from './layouts.js';

export class Assets {
  private readonly meshes = new Map<string, HeapRef<Mesh>>();

  constructor(private readonly rt: Runtime) {}

  /** Loads a mesh of `sides` vertices around the origin and pins its handle. */
  load(name: string, sides: number): HeapRef<Mesh> {
    const vertices = new Float32Array(2 * sides);
    for (let i = 0; i < sides; i++) {
      vertices[2 * i] = Math.cos((2 * Math.PI * i) / sides);
      vertices[2 * i + 1] = Math.sin((2 * Math.PI * i) / sides);
    }
    const h = this.rt.newHeapRef(new Mesh(name, vertices));
    this.rt.pin(h);
    this.meshes.set(name, h);
    return h;
  }

  /** The handle of a loaded mesh. */
  mesh(name: string): HeapRef<Mesh> {
    const h = this.meshes.get(name);
    if (h === undefined) throw new Error(`mesh ${name} is not loaded`);
    return h;
  }

  /** Unpins a mesh: from now on only HeapRef slots keep it alive. */
  unload(name: string): void {
    this.rt.unpin(this.mesh(name));
    this.meshes.delete(name);
  }

  get size(): number {
    return this.meshes.size;
  }
}
