// Whether a read of a local variable or parameter can be a HeapRef, told
// without the checker's flow analysis.
//
// The checker's type at a read of a variable is its declared type narrowed
// along the control flow, and it keeps none of those answers: each query walks
// the flow graph back again (in a deep loop nest, hundreds of nodes). Narrowing
// only drops alternatives of the declared type or picks literals (assignments,
// `typeof`, equality, truthiness, `switch`), except where it meets a type the
// code names: a type predicate or assertion (`isRef(x)`, `x.isRef()`),
// `instanceof`, `in`, or a test of `x.constructor`. Each of those takes a
// reference of the variable as a receiver, an operand of `instanceof`/`in`, or
// an argument of a call the checker reads for narrowing (a condition, or a
// call statement as a possible assertion) whose callee may have a predicate.
// So a local whose declared type has no HeapRef alternative (and nothing
// narrowing could open up, such as `unknown` or a type parameter), none of
// whose references stands in such a place, is no HeapRef at any read. ESLint's
// scope analysis (already made for the file) gives the references.
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { mayBeHeapRef } from './brands.js';

/** Work counters for tests: variables whose declared type and references were read (once per variable and linted file). */
export const narrowingCounters = { variablesJudged: 0 };

type Variable = TSESLint.Scope.Variable;
const { DefinitionType, ScopeType } = TSESLint.Scope;

/** Types narrowing can turn into something new: `any`, `unknown`, type parameters and other instantiable types. */
const open = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Instantiable;

/**
 * A declared type no read can see as a HeapRef: none of its alternatives is one, and none is open. Narrowing
 * short of a predicate only drops alternatives, picks literals or meets a primitive or `object` with one, and
 * none of those carries the brand.
 */
function neverHeapRefDeclared(checker: ts.TypeChecker, type: ts.Type): boolean {
  const members = type.isUnion() ? type.types : [type];
  return members.every((t) => !(t.flags & open) && !(t.isIntersection() && t.types.some((m) => m.flags & open))) && !mayBeHeapRef(checker, type);
}

/**
 * For one linted file: whether a name read there is a local that is no
 * HeapRef at any read (true), or cannot be told so (false: ask the checker).
 * Each variable is judged once per file.
 */
export function heapRefFreeLocals(
  checker: ts.TypeChecker,
  tsOf: (node: TSESTree.Node) => ts.Node,
  scopeManager: TSESLint.Scope.ScopeManager | null,
): (id: TSESTree.Identifier) => boolean {
  let variableOf: Map<TSESTree.Node, Variable> | undefined;
  const judged = new Map<Variable, boolean>();
  const predicateCalls = new Map<TSESTree.CallExpression, boolean>();

  /** The TS symbol an ESLint variable of one definition declares (through an import to its target), if any. */
  function declaredSymbol(variable: Variable | undefined): { symbol: ts.Symbol; kind: TSESLint.Scope.Definition['type'] } | undefined {
    const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (!def || def.name.type !== AST_NODE_TYPES.Identifier) return undefined;
    const name = tsOf(def.name);
    let symbol = ts.isIdentifier(name) ? checker.getSymbolAtLocation(name) : undefined;
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    return symbol && { symbol, kind: def.type };
  }

  /**
   * A function named directly, declared in this file or imported, every declaration of which writes a return
   * type other than a predicate (a predicate is only ever written there, or inferred from the body of one that
   * writes none), and, imported, never used where it could be narrowed itself (a function declaration never is).
   */
  function plainFunction(callee: TSESTree.Node): boolean {
    if (callee.type !== AST_NODE_TYPES.Identifier) return false;
    const variable = variableOf!.get(callee);
    const found = declaredSymbol(variable);
    if (!found || (found.kind !== DefinitionType.FunctionName && found.kind !== DefinitionType.ImportBinding)) return false;
    if (found.kind === DefinitionType.ImportBinding && variable!.references.some((ref) => narrowingUse(ref.identifier) !== false)) return false;
    const decls = found.symbol.declarations;
    return decls !== undefined && decls.length > 0 && decls.every((d) => ts.isFunctionDeclaration(d) && d.type !== undefined && !ts.isTypePredicateNode(d.type));
  }

  /**
   * For a call statement (which the checker reads as a possible assertion): whether its callee gives no
   * signature to assert with. The checker types such a callee by declared types alone, and only a dotted name
   * (`a.b.c`) whose root is declared with a type (or is a function, class or namespace): a callee that is no
   * dotted name, or whose root is a variable declared without a type annotation (`const B = access(L)`), never
   * asserts.
   */
  function neverAsserts(callee: TSESTree.Node): boolean {
    let root = callee;
    while (root.type === AST_NODE_TYPES.MemberExpression && !root.computed) root = root.object;
    if (root.type === AST_NODE_TYPES.ThisExpression || root.type === AST_NODE_TYPES.Super || root.type === AST_NODE_TYPES.MetaProperty) return false;
    if (root.type !== AST_NODE_TYPES.Identifier) return true;
    const found = declaredSymbol(variableOf!.get(root));
    if (!found || (found.kind !== DefinitionType.Variable && found.kind !== DefinitionType.ImportBinding)) return false;
    const { symbol } = found;
    const decl = symbol.valueDeclaration;
    return (
      (symbol.flags & ts.SymbolFlags.Variable) !== 0 &&
      (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Method | ts.SymbolFlags.Class | ts.SymbolFlags.ValueModule)) === 0 &&
      symbol.declarations?.length === 1 &&
      decl !== undefined &&
      ts.isVariableDeclaration(decl) &&
      decl.type === undefined &&
      !(decl.flags & ts.NodeFlags.JavaScriptFile) &&
      !ts.isForOfStatement(decl.parent.parent)
    );
  }

  /** Whether the checker may narrow an argument of `call` through a type predicate or assertion of its callee. */
  function mayHavePredicate(call: TSESTree.CallExpression): boolean {
    let found = predicateCalls.get(call);
    if (found === undefined) {
      const where = callPosition(call);
      found = where === 'none' ? false : !(plainFunction(call.callee) || (where === 'statement' && neverAsserts(call.callee)));
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
    if (!neverHeapRefDeclared(checker, checker.getTypeOfSymbol(symbol))) return false;
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

/** Comparisons through which the checker reads a call for narrowing (`isRef(x) === true`). */
const equality = new Set(['==', '===', '!=', '!==']);
/** Parents where a call's value is only used as a value, never read as a condition: a predicate there narrows nothing. */
const valueUses = new Set<string>([
  AST_NODE_TYPES.CallExpression,
  AST_NODE_TYPES.NewExpression,
  AST_NODE_TYPES.MemberExpression,
  AST_NODE_TYPES.ReturnStatement,
  AST_NODE_TYPES.ArrowFunctionExpression,
  AST_NODE_TYPES.ArrayExpression,
  AST_NODE_TYPES.Property,
  AST_NODE_TYPES.TemplateLiteral,
  AST_NODE_TYPES.SpreadElement,
  AST_NODE_TYPES.BinaryExpression,
]);

/**
 * Where the checker may read a call for narrowing: `statement`, a call
 * statement (a possible assertion); `none`, where its value is only used (an
 * argument, an operand of arithmetic, a returned value, the right of `x = …`
 * there); `condition` anywhere else: a condition, an operand of `&&`, `||`,
 * `??`, `!` or `?:` (whose other operands read it narrowed), a declaration's
 * initializer (a `const` alias carries it into conditions), and any place not
 * listed.
 */
function callPosition(call: TSESTree.CallExpression): 'statement' | 'condition' | 'none' {
  let node: TSESTree.Node = call;
  let p: TSESTree.Node | undefined = node.parent;
  while (p) {
    if (wrappers.has(p.type)) node = p;
    else if (p.type === AST_NODE_TYPES.BinaryExpression && equality.has(p.operator)) node = p;
    else if (p.type === AST_NODE_TYPES.AssignmentExpression && p.right === node && p.operator === '=') node = p;
    else if (p.type === AST_NODE_TYPES.SequenceExpression && p.expressions[p.expressions.length - 1] === node) node = p;
    else break;
    p = node.parent;
  }
  if (!p) return 'condition';
  if (p.type === AST_NODE_TYPES.ExpressionStatement) return node === call || (node.type === AST_NODE_TYPES.ChainExpression && node.expression === call) ? 'statement' : 'condition';
  if (p.type === AST_NODE_TYPES.AssignmentExpression && p.operator !== '=' && p.operator !== '||=' && p.operator !== '&&=' && p.operator !== '??=') return 'none';
  if (p.type === AST_NODE_TYPES.UnaryExpression && p.operator !== '!') return 'none';
  return valueUses.has(p.type) ? 'none' : 'condition';
}
