// Real worker threads for the threads tests: each loads the runtime source
// through jiti (as an application's worker imports the runtime) and runs
// code the test sends, step by step, so a test can interleave what the
// owner and each worker do and see every typed error a worker gets.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const entry = path.resolve(import.meta.dirname, '../../src/runtime/index.ts');
const jiti = createRequire(import.meta.url).resolve('jiti');

/** What a step gives back: its value, or the error it threw (class name, code, message). */
export interface Outcome {
  readonly value?: unknown;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
}

/**
 * A worker that evaluates steps: `run(body, arg)` runs `body` as an async
 * function body with `off` (the runtime module), `data` (the worker's start
 * data), `state` (an object kept between steps), `attempt(fn)` (which
 * returns the Outcome of `fn`) and `arg`, and resolves with what the body
 * returns.
 */
export class Remote {
  private constructor(
    private readonly worker: Worker,
    private next = 0,
  ) {}

  static async start(data: unknown): Promise<Remote> {
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { createJiti } = require(workerData.jiti);
       const state = {};
       const attempt = (fn) => {
         try { return { value: fn() }; }
         catch (e) { return { name: e.constructor.name, code: e.code, message: e.message }; }
       };
       const ready = createJiti(workerData.entry).import(workerData.entry);
       parentPort.on('message', async ({ id, body, arg }) => {
         try {
           const off = await ready;
           const fn = new Function('off', 'data', 'state', 'attempt', 'arg', 'return (async () => {' + body + '})()');
           const value = await fn(off, workerData.data, state, attempt, arg);
           parentPort.postMessage({ id, value });
         } catch (e) {
           parentPort.postMessage({ id, error: String((e && e.stack) || e) });
         }
       });`,
      { eval: true, workerData: { jiti, entry, data } },
    );
    const remote = new Remote(worker);
    await remote.run('return 0');
    return remote;
  }

  /** Runs `body` in the worker, with `arg` (posted: structured clone, SharedArrayBuffers shared); rejects if it throws (use `attempt` inside for expected errors). */
  run<T = unknown>(body: string, arg?: unknown): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (msg: { id: number; value?: T; error?: string }): void => {
        if (msg.id !== id) return;
        this.worker.off('message', onMessage);
        this.worker.off('error', reject);
        if (msg.error !== undefined) reject(new Error(msg.error));
        else resolve(msg.value as T);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      this.worker.postMessage({ id, body, arg });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Runs `fn` and returns its Outcome (the same shape a worker's `attempt` gives). */
export function attempt(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (e) {
    const err = e as { constructor: { name: string }; code?: string; message?: string };
    return { name: err.constructor.name, code: err.code, message: err.message };
  }
}
