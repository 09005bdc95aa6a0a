// The physics worker's entry: attach to the main thread's space and serve frames.
import { workerData } from 'node:worker_threads';
import { attachRuntime } from 'offheap';
import { serve, type PhysicsWorkerData } from './physics.js';

const data = workerData as PhysicsWorkerData;
serve(attachRuntime(data.share), data);
