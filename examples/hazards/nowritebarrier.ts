// offheap/nowritebarrier. Go: //go:nowritebarrier and //go:nowritebarrierrec
// (cmd/compile/internal/ssagen/nowb.go) assert that code running while the
// collector cannot take a write barrier has none, in the function itself or,
// recursively, in anything it calls.
//
// These mistakes have no run-time form here: the runtime's barrier never
// refuses to run. The lint is the only check, as in Go.
import type { HeapRef, Ptr, Runtime } from 'offheap';
import { Rec, type Obj, type RecT } from './layouts.js';

/**
 * A barriered HeapRef store in a function that promises none.
 *
 * @nowritebarrier
 */
export function setOwner(rt: Runtime, p: Ptr<RecT>, h: HeapRef<Obj>): void {
  rt.access(Rec).ref.set(p, h); // expect: offheap/nowritebarrier (prohibited)
}

/**
 * The promise covers everything it calls.
 *
 * @nowritebarrierrec
 */
export function sweepOne(rt: Runtime, p: Ptr<RecT>): void {
  reset(rt, p);
}

function reset(rt: Runtime, p: Ptr<RecT>): void {
  rt.typedmemclr(Rec, p); // expect: offheap/nowritebarrier (prohibitedByCaller)
}

/**
 * A call the analysis cannot follow breaks the promise in `strict`.
 *
 * @nowritebarrierrec
 */
export function runHook(hook: () => void): void {
  hook(); // expect: offheap/nowritebarrier (unresolvedCall)
}

/** @nowritebarrier */ // expect: offheap/nowritebarrier (misplacedDirective)
export const hooks = [(): void => {}];

/**
 * Go's spelling is not read here: without a word, this promise would go unchecked.
 */
//go:nowritebarrier // expect: offheap/nowritebarrier (misspelledDirective)
export function clearOwner(rt: Runtime, p: Ptr<RecT>): void {
  rt.typedmemclr(Rec, p);
}

// A JSDoc after `{` on the same line is attached to nothing: the directive must go above the function.
export function collect(rt: Runtime): void { /** @nowritebarrier */ rt.gc(); } // expect: offheap/nowritebarrier (misplacedDirective)
