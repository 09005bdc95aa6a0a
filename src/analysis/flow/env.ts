// The flow's state at a program point: per tracked variable, the state of
// the object it names (variables that must-alias share a group). Joins are
// per-variable unions (memory-state.ts), so the lattice has finite height.
import type { TSESTree } from '@typescript-eslint/utils';
import { joinState, sameState, viaEdge, type ObjState } from '../memory-state.js';
import { line } from './explain.js';
import { flowStats } from './solver.js';

export type Env = ReadonlyMap<string, ObjState>;
export type MutableEnv = Map<string, ObjState>;

export function copyEnv(env: Env, label: string | undefined): MutableEnv {
  const out = new Map<string, ObjState>();
  for (const [k, s] of env) out.set(k, label ? viaEdge(s, label) : s);
  return out;
}

export function joinEnv(acc: MutableEnv, env: Env, label: string | undefined): MutableEnv {
  // Held by a local container on one side only (`box:` entries, transfer.ts): where the other side
  // follows the object outside the container, handing the container on must not hand the object on.
  let drop: string[] | undefined;
  for (const [k, s] of acc) if (k.startsWith('box:') && !env.has(k) && hasGroup(env, s.group)) (drop ??= []).push(k);
  for (const [k, s] of env) if (k.startsWith('box:') && !acc.has(k) && hasGroup(acc, s.group)) (drop ??= []).push(k);
  for (const [k, s0] of env) {
    const s = label ? viaEdge(s0, label) : s0;
    const a = acc.get(k);
    acc.set(k, a ? joinState(a, s, k) : s);
  }
  if (drop) for (const k of drop) acc.delete(k);
  return acc;
}

/** Whether some variable of `env` (not a container's entry) names the object of `group`. */
function hasGroup(env: Env, group: string): boolean {
  for (const [k, s] of env) if (s.group === group && !k.startsWith('box:')) return true;
  return false;
}

export function envEqual(a: Env, b: Env): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, s] of a) {
    const t = b.get(k);
    if (!t || !sameState(s, t)) return false;
  }
  return true;
}

/** Accumulates into `exc` the state an exception inside try `t` may carry out. */
export function addThrown(exc: Map<TSESTree.TryStatement, Env>, t: TSESTree.TryStatement, env: Env): void {
  flowStats.stateOps += env.size;
  const acc = exc.get(t) as MutableEnv | undefined;
  if (acc) joinEnv(acc, env, undefined);
  else exc.set(t, new Map(env));
}

/** Joins the states exceptions carry out of a try block into a handler's input. */
export function joinThrown(input: Env, thrown: Iterable<Env>, t: TSESTree.TryStatement): Env {
  let acc: MutableEnv | undefined;
  for (const env of thrown) {
    flowStats.stateOps += env.size;
    acc ??= new Map(input);
    for (const [k, st] of env) {
      const a = acc.get(k);
      const s = st.memWhy || st.pending || st.freed ? viaEdge(st, `an exception thrown inside the \`try\` at line ${line(t)}`) : st;
      acc.set(k, a ? joinState(a, s, k) : s);
    }
  }
  return acc ?? input;
}
