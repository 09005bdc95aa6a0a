// The facts the solved flow hands to the rules: what it saw at each site.
// Rules filter these with the named predicates of memory-state.ts.
import type { TSESTree } from '@typescript-eslint/utils';
import type ts from 'typescript';
import type { AllocSite, ObjState, Witness } from '../memory-state.js';

export type ClearApi = 'memclrNoHeapPointers' | 'typedmemclr' | 'memclrHasPointers';

/** For a clear of fewer bytes than the object: bytes, size, and the HeapRef slots left and cleared. */
export interface PartialClear {
  readonly bytes: number;
  readonly size: number;
  readonly left: readonly string[];
  readonly cleared: readonly string[];
}

export type FlowFact =
  | {
      readonly kind: 'clear';
      readonly api: ClearApi;
      /** The clear runs the deletion barrier (from the effect catalogue). */
      readonly barrier: boolean;
      /** The call, or for a raw view write the assignment (see `raw`). */
      readonly call: TSESTree.CallExpression | TSESTree.AssignmentExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** The pointer expression's type says it may be garbage (`Garbage`, `MaybeGarbage`). */
      readonly typeGarbage: boolean;
      /** Field paths of the object's HeapRef slots; undefined when the layout is not known. */
      readonly slots: readonly string[] | undefined;
      /** The pointer addresses a type parameter's record (a generic wrapper): its slots are whatever `T` has. */
      readonly generic?: string;
      readonly partial: PartialClear | undefined;
      /** How the pointer relates to the variable the state came from (`q`, an alias of `p`). */
      readonly alias: string | undefined;
      /** A write through a raw view of the space (`rt.space.u8.fill(0, p, e)`, `u32[(p + o) >> 2] = 0`): its text. */
      readonly raw?: string;
    }
  | {
      readonly kind: 'store';
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** Whether the store runs the write barrier (not storeHeapRefNoWB). */
      readonly barrier: boolean;
      /** The record index the store addresses inside a block rooted with a count, when provably beyond it. */
      readonly beyond: { readonly index: number; readonly count: number } | undefined;
    }
  | {
      readonly kind: 'root';
      readonly node: TSESTree.Node;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** How it becomes visible: `addRoot`, `the global \`roots\``, … */
      readonly how: string;
      readonly slots: readonly string[] | undefined;
      /** Records rooted (addRoot's count) and bytes known cleared, when provable. */
      readonly count: number | undefined;
    }
  | {
      readonly kind: 'unroot';
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      readonly slots: readonly string[] | undefined;
      /** The layout expression the object is known by (an addRoot or pool argument, or its record's struct call). */
      readonly layout: ts.Expression | undefined;
      /** The pointer addresses a type parameter's record (`Ptr<T>` in a generic wrapper): its slots are whatever `T` has. */
      readonly generic?: string;
    }
  | {
      /** pool.free(p) or sysFree(p, n): `state` says whether p may still be rooted. */
      readonly kind: 'free';
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** HeapRef slot paths of the object, when its record is known. */
      readonly slots: readonly string[] | undefined;
    }
  | {
      /** A load, store, clear or root of memory that may already be freed. */
      readonly kind: 'useAfterFree';
      readonly node: TSESTree.Node;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** What the use does: reads (an accessor get), writes (a store or clear), or roots. */
      readonly access: 'read' | 'write' | 'root';
    }
  | {
      /** freeHeapRef(h) while h may still sit in a slot of rooted memory. */
      readonly kind: 'freeHeapRefRooted';
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** The variable naming the rooted object. */
      readonly holder: string;
    }
  | {
      /** A HeapRef kept on the JS heap (a field, a container, a module or closure variable). */
      readonly kind: 'keepHeapRef';
      readonly node: TSESTree.Node;
      readonly value: TSESTree.Node;
      /** The handle's state (its pin bits), undefined when the value is not followed. */
      readonly state: ObjState | undefined;
      /** Where it is kept, for the message: "the field `slot`", "the `Map` `cache`". */
      readonly where: string;
      /** Why an unpinned handle there is lost: the collector call that runs while it is held, or the return (handles.ts). */
      readonly why?: string;
    }
  | {
      /** A value holding a pinned HeapRef leaves `ptr` (`call`), and on some path the function returns without unpinning it (handles.ts). */
      readonly kind: 'notUnpinned';
      readonly call: TSESTree.CallExpression | TSESTree.AssignmentExpression;
      readonly ptr: TSESTree.Node;
      /** `pending` is the removal, with the path it travelled. */
      readonly state: ObjState;
      /** The container as written. */
      readonly container: string;
    }
  | {
      /** A HeapRef store still neither rooted nor escaped at a normal exit of the function. */
      readonly kind: 'unrootedAtExit';
      readonly store: Witness;
      readonly name: string;
      /** Held by a local container used at `use` in a way the flow does not follow: cannot prove it handed on. */
      readonly held?: { readonly container: string; readonly use: TSESTree.Node };
    }
  | {
      /**
       * An object allocated at `site`, with a HeapRef stored into it (`store`),
       * neither rooted on any path of the function nor handed to code that
       * cannot be read: reported when nothing in the program roots that allocation.
       */
      readonly kind: 'storedUnrooted';
      readonly site: AllocSite;
      readonly store: Witness;
    }
  | {
      /** The analysis of a function gave up (a budget, an unforeseen construct): nothing in it is proven. */
      readonly kind: 'cannotProve';
      readonly node: TSESTree.Node;
      readonly reason: string;
    };
