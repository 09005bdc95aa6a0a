// Node 20 cannot load TypeScript in a worker thread: this loads the physics
// worker's entry through jiti, as `npm start` runs main.ts. A compiled
// program points its Worker at physics-worker.js instead.
import { createJiti } from 'jiti';

await createJiti(import.meta.url).import('./physics-worker.ts');
