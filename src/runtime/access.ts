// Module-level accessor lookup over the default runtime.

import type { Accessor } from './accessor.js';
import type { Fields, Layout } from './layout.js';
import { defaultRuntime } from './runtime.js';

/**
 * The field accessors of `layout` over the default runtime's memory:
 * `const P = access(Particle); P.flags.set(p, 1)`. Fetch once, outside hot loops.
 *
 * @offheap access
 */
export function access<T, F extends Fields>(layout: Layout<T, F>): Accessor<F, T> {
  return defaultRuntime().access(layout);
}
