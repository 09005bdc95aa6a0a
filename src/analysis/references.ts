// Which declared variable each identifier reference of a file names, read
// once per file from ESLint's scope analysis (typescript-eslint's scope
// manager, built for every lint anyway).
//
// Why: the checker keeps no answer of `getSymbolAtLocation` for an
// identifier, and the rules ask about the same few names (a pointer, a pool,
// an imported runtime function) at every use. All references to one variable
// name one TypeScript symbol, so `symbolAt` asks the checker at the first
// reference and answers the others from the variable (program-analysis.ts).
//
// Invariant: a reference is indexed only where ESLint's scopes and
// TypeScript's resolve a name alike. Left to the checker:
// - references made inside a namespace or an enum (`tsModule`, `tsEnum`
//   scopes): there TypeScript also sees the exported members of the other
//   declarations merged with it (`namespace N { use(x) }` naming another
//   block's `export const x`), which ESLint resolves to an outer `x`;
// - variables with no declaration in the file (lib globals, `arguments`);
// - names whose symbol is not the variable's: a shorthand property `{ x }`
//   (its property) and an export specifier (its alias). `variableAt` leaves
//   those to its caller, which holds the TypeScript node.
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';

export type Variable = TSESLint.Scope.Variable;
type ScopeManager = TSESLint.Scope.ScopeManager;
type Scope = TSESLint.Scope.Scope;
const { ScopeType } = TSESLint.Scope;

/** Work counters for tests that prove growth (never timing). */
export const referenceCounters = {
  /** Files whose references were indexed: once per ESLint parse of a file that asked. */
  filesIndexed: 0,
  /** References indexed, summed over those files. */
  referencesIndexed: 0,
};

/** Per scope manager (one per parse of a file): each indexed reference's identifier and its variable. */
const indexes = new WeakMap<ScopeManager, Map<TSESTree.Node, Variable>>();

/** The declared variable the identifier reference `id` names, or undefined (not a reference, or left to the checker). */
export function variableAt(scopeManager: ScopeManager, id: TSESTree.Node): Variable | undefined {
  let index = indexes.get(scopeManager);
  if (!index) indexes.set(scopeManager, (index = indexReferences(scopeManager)));
  return index.get(id);
}

function indexReferences(scopeManager: ScopeManager): Map<TSESTree.Node, Variable> {
  referenceCounters.filesIndexed++;
  const index = new Map<TSESTree.Node, Variable>();
  const merged = new Map<Scope, boolean>();
  for (const scope of scopeManager.scopes) {
    if (inMergedScope(scope, merged)) continue;
    for (const ref of scope.references) {
      const variable = ref.resolved;
      if (!variable || variable.defs.length === 0 || ref.identifier.type !== AST_NODE_TYPES.Identifier) continue;
      index.set(ref.identifier, variable);
    }
  }
  referenceCounters.referencesIndexed += index.size;
  return index;
}

/** Whether `scope` is, or lies inside, a namespace or an enum (memoised in `seen`; the walk up stops at a known scope). */
function inMergedScope(scope: Scope, seen: Map<Scope, boolean>): boolean {
  const path: Scope[] = [];
  let answer = false;
  for (let s: Scope | null = scope; s; s = s.upper) {
    const known = seen.get(s);
    if (known !== undefined) {
      answer = known;
      break;
    }
    path.push(s);
    if (s.type === ScopeType.tsModule || s.type === ScopeType.tsEnum) {
      answer = true;
      break;
    }
  }
  // Every scope walked lies below the answer's scope: a namespace's inner scopes are in it, the others are not.
  for (const s of path) seen.set(s, answer);
  return answer;
}
