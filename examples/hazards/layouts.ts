// Layouts shared by the hazards. Nothing in this file is a mistake.
import { heapRef, struct, u32, type LayoutType } from 'offheap';

/** The JS object the records refer to. */
export interface Obj {
  readonly name: string;
}

/** A record with one HeapRef slot. It is not the first word: a free FixAlloc object's first word is its free-list link. */
export const Rec = struct('Rec', { n: u32, ref: heapRef<Obj>() });
export type RecT = LayoutType<typeof Rec>;

/** An ordinary interface; a not-in-heap type built from it in another file inherits its string field. */
export interface Named {
  label: string;
}
