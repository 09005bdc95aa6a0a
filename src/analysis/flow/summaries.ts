// Summaries of same-file functions: what a call does to each object passed
// in (zeroes it, stores a HeapRef into it, roots it on every or on some
// path, hands it on, frees it) and what it returns. A helper that roots on
// some path makes the object possibly visible (may-analysis for roots); a
// clear counts only when it happens on every path (must-analysis).
//
// Summaries are computed callees first, in an iterative post-order over the
// file's direct calls, so a chain of hundreds of helpers needs no recursion.
// A call that reaches back into a function still being summarised (recursion)
// has no summary and is treated like unknown code.
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { isKnownZero, isMaybeFreed, isMaybeRooted, isMaybeTypeSafe, isRooted, joinState, type ObjState } from '../memory-state.js';
import type { Env } from './env.js';
import type { PathInfo } from './recorder.js';
import type { LocalContainer } from './containers.js';

export interface ParamEffect {
  readonly mem: 'zero' | 'stores' | 'keeps';
  readonly rooted: 'must' | 'may' | 'no';
  /** Handed on (returned, stored, passed to unknown code) on every path that keeps it pending. */
  readonly escapes: boolean;
  readonly freed: boolean;
  /** Kept on some path in a local container of the callee that the flow does not follow (containers.ts): not provably handed on. */
  readonly held?: LocalContainer;
}

export interface Summary {
  /** Per parameter index: what the callee leaves the object as, or undefined when unknown. */
  readonly params: (ParamEffect | undefined)[];
  /** The object every normal return hands back (a fresh allocation, zeroed or not), if known. */
  readonly ret: ObjState | undefined;
}

export interface SummaryRun {
  /** Keys of the parameters' variables, by index (undefined for a pattern). */
  readonly keys: readonly (string | undefined)[];
  readonly exit: Env;
  readonly returns: readonly (ObjState | undefined)[];
}

/** Reads a summary off a solved run from an entry where parameter i is in group `param:i`. */
export function summaryOf(run: SummaryRun): Summary {
  let ret: ObjState | undefined;
  for (const r of run.returns) {
    if (!r || !r.local || r.group.startsWith('param:')) {
      ret = undefined;
      break;
    }
    ret = ret ? joinState(ret, r, 'ret') : r;
  }
  if (run.returns.length === 0) ret = undefined;
  const params = run.keys.map((k, i): ParamEffect | undefined => {
    const s = k && run.exit.get(k);
    if (!s || s.group !== `param:${i}`) return undefined;
    return {
      mem: isKnownZero(s) ? 'zero' : isMaybeTypeSafe(s) ? 'stores' : 'keeps',
      rooted: isRooted(s) ? 'must' : isMaybeRooted(s) ? 'may' : 'no',
      escapes: s.pending === undefined,
      freed: isMaybeFreed(s),
    };
  });
  return { params, ret };
}

/**
 * The functions of `paths` ordered callees first (iterative DFS post-order
 * over `calleesOf`). Back edges (recursion) are cut where they close a cycle.
 */
export function calleesFirst(paths: readonly PathInfo[], calleesOf: (p: PathInfo) => readonly PathInfo[]): PathInfo[] {
  const order: PathInfo[] = [];
  const state = new Map<PathInfo, 1 | 2>(); // 1: on the stack, 2: done
  for (const root of paths) {
    if (state.has(root)) continue;
    const stack: { path: PathInfo; callees: readonly PathInfo[]; i: number }[] = [{ path: root, callees: calleesOf(root), i: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i < top.callees.length) {
        const c = top.callees[top.i++];
        if (!state.has(c)) {
          state.set(c, 1);
          stack.push({ path: c, callees: calleesOf(c), i: 0 });
        }
        continue;
      }
      stack.pop();
      state.set(top.path, 2);
      order.push(top.path);
    }
  }
  return order;
}

/** The parameter nodes of a function, as identifiers where they are simple. */
export function paramIds(fn: TSESTree.FunctionLike): (TSESTree.Node | undefined)[] {
  return fn.params.map((param) => {
    const id = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param.type === AST_NODE_TYPES.TSParameterProperty ? param.parameter : param;
    if (id.type === AST_NODE_TYPES.Identifier) return id;
    return id.type === AST_NODE_TYPES.AssignmentPattern && id.left.type === AST_NODE_TYPES.Identifier ? id.left : undefined;
  });
}
