// What a name of a local variable or parameter can be narrowed to, told
// without the checker's flow analysis.
//
// The checker's type at a read of a variable or parameter is its declared
// type narrowed along the control flow, and it keeps none of those answers:
// each query walks the flow graph back again (in a deep loop nest, hundreds of
// nodes), after resolving the name through every enclosing scope. Narrowing
// only removes alternatives of the declared type or picks its literals
// (assignments, `typeof`, equality, truthiness, `switch`), except where it
// meets a type the code names: a type predicate or assertion (`isRef(x)`,
// `x.isRef()`), `instanceof`, `in`, or a test of `x.constructor`. Each of those
// takes a reference of the variable as a call's argument (of a callee that
// may have a predicate), a receiver, or an operand of `instanceof`/`in`. So a local whose
// declared type is plain primitives and none of whose references stands in
// such a place is plain primitives at every read: no `HeapRef` or other brand
// can appear there. ESLint's scope analysis (already made for the file) gives
// the references.
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

/** Work counters for tests: variables whose declared type and references were read (once per variable and linted file). */
export const narrowingCounters = { variablesJudged: 0 };

type Variable = TSESLint.Scope.Variable;
const { DefinitionType, ScopeType } = TSESLint.Scope;

const plain =
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.StringLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void;

/** Every alternative a number, string, boolean, bigint, enum member, null or undefined (never an intersection: brands are). */
function isPlain(type: ts.Type): boolean {
  const members = type.isUnion() ? type.types : [type];
  return members.every((t) => (t.flags & plain) !== 0 && (t.flags & ts.TypeFlags.Intersection) === 0);
}

/**
 * For one linted file: whether a name read there is a local whose type at
 * every read is plain primitives (true), or cannot be told so (false: ask the
 * checker). Each variable is judged once per file.
 */
export function plainLocals(
  checker: ts.TypeChecker,
  tsOf: (node: TSESTree.Node) => ts.Node,
  scopeManager: TSESLint.Scope.ScopeManager | null,
): (id: TSESTree.Identifier) => boolean {
  let variableOf: Map<TSESTree.Node, Variable> | undefined;
  const judged = new Map<Variable, boolean>();
  const predicateCalls = new Map<TSESTree.CallExpression, boolean>();

  /**
   * Whether the callee may have a type predicate or assertion signature (the checker narrows an argument only
   * through one). No, for a function named directly that is declared in this file or imported, when every
   * declaration of it writes a return type other than a predicate (a predicate is only ever written there, or
   * inferred from the body of one that writes none), and an import is never used where it could be narrowed
   * itself (a function declaration never is). Anything else may: a method or a function-typed variable is not
   * looked at, since its receiver's or its own type would have to be asked.
   */
  function mayHavePredicate(call: TSESTree.CallExpression): boolean {
    let found = predicateCalls.get(call);
    if (found === undefined) {
      found = true;
      const callee = call.callee.type === AST_NODE_TYPES.Identifier ? variableOf!.get(call.callee) : undefined;
      const def = callee?.defs.length === 1 ? callee.defs[0] : undefined;
      if (def && (def.type === DefinitionType.FunctionName || (def.type === DefinitionType.ImportBinding && !callee!.references.some((ref) => narrowingUse(ref.identifier) !== false)))) {
        const name = tsOf(def.name);
        let symbol = ts.isIdentifier(name) ? checker.getSymbolAtLocation(name) : undefined;
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        const decls = symbol?.declarations;
        if (decls && decls.length > 0) found = !decls.every((d) => ts.isFunctionDeclaration(d) && d.type !== undefined && !ts.isTypePredicateNode(d.type));
      }
      predicateCalls.set(call, found);
    }
    return found;
  }

  function judge(variable: Variable): boolean {
    narrowingCounters.variablesJudged++;
    // A global may be declared again in another file, and read there.
    if (variable.scope.type === ScopeType.global || variable.defs.length !== 1) return false;
    const def = variable.defs[0];
    if ((def.type !== DefinitionType.Variable && def.type !== DefinitionType.Parameter) || def.name.type !== AST_NODE_TYPES.Identifier) return false;
    const name = tsOf(def.name);
    const symbol = ts.isIdentifier(name) ? checker.getSymbolAtLocation(name) : undefined;
    if (!symbol || !(symbol.flags & ts.SymbolFlags.Variable) || symbol.declarations?.length !== 1) return false;
    if (!isPlain(checker.getTypeOfSymbol(symbol))) return false;
    return !variable.references.some((ref) => {
      const use = narrowingUse(ref.identifier);
      return use === true || (use !== false && mayHavePredicate(use));
    });
  }

  return (id) => {
    if (!scopeManager) return false;
    // A shorthand property's value is typed as the literal's property.
    if (id.parent.type === AST_NODE_TYPES.Property && id.parent.shorthand) return false;
    if (!variableOf) {
      variableOf = new Map();
      for (const scope of scopeManager.scopes) for (const ref of scope.references) if (ref.resolved) variableOf.set(ref.identifier, ref.resolved);
    }
    const variable = variableOf.get(id);
    if (!variable) return false;
    let found = judged.get(variable);
    if (found === undefined) judged.set(variable, (found = judge(variable)));
    return found;
  };
}

const wrappers = new Set<string>([
  AST_NODE_TYPES.TSAsExpression,
  AST_NODE_TYPES.TSNonNullExpression,
  AST_NODE_TYPES.TSSatisfiesExpression,
  AST_NODE_TYPES.TSTypeAssertion,
  AST_NODE_TYPES.ChainExpression,
]);

/**
 * Whether a reference stands where the checker could narrow it to a type the
 * code names: a receiver (`x.isRef()`, `x.constructor`), the left of
 * `instanceof`, the right of `in` (true); a call's argument, which the
 * callee's type predicate or assertion may take (the call); elsewhere false
 * (a `new` never narrows its arguments). Through casts, `!`, an assignment's
 * target and a sequence's last operand, which the checker looks through when
 * matching a reference.
 */
function narrowingUse(id: TSESTree.Node): boolean | TSESTree.CallExpression {
  let node: TSESTree.Node = id;
  let p = node.parent;
  while (p) {
    if (wrappers.has(p.type)) node = p;
    else if (p.type === AST_NODE_TYPES.AssignmentExpression && p.left === node) node = p;
    else if (p.type === AST_NODE_TYPES.SequenceExpression && p.expressions[p.expressions.length - 1] === node) node = p;
    else break;
    p = node.parent;
  }
  if (!p) return false;
  if (p.type === AST_NODE_TYPES.SpreadElement) {
    node = p;
    p = p.parent;
    if (!p) return false;
  }
  switch (p.type) {
    case AST_NODE_TYPES.CallExpression:
      return p.callee !== node && p;
    case AST_NODE_TYPES.NewExpression:
      return false;
    case AST_NODE_TYPES.MemberExpression:
      return p.object === node;
    case AST_NODE_TYPES.BinaryExpression:
      return (p.operator === 'instanceof' && p.left === node) || (p.operator === 'in' && p.right === node);
    default:
      return false;
  }
}
