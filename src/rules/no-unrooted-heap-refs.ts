// offheap/no-unrooted-heap-refs: Go's rule 1 for unmanaged memory
// (HACKING.md): every heap pointer in it must be an explicit root, because
// the collector never traces into unmanaged memory. A HeapRef stored into an
// object that is neither rooted nor handed on before the function returns
// keeps nothing alive; a pool whose objects are never rooted anywhere holds
// references the collector cannot see; and hiding a root while its slots
// still hold references leaves them for the next reuse (Go's runfinq clears
// before it hides).
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { offheapContext } from '../analysis/context.js';
import { calleeId, declarationId, offheapIdAt } from '../analysis/declarations.js';
import { sizeOfLayout, skipOuterEs as unwrap } from '../analysis/expressions.js';
import { flowFacts } from '../analysis/flow/index.js';
import { isMaybeTypeSafe } from '../analysis/memory-state.js';
import { isRuntimeFile } from '../analysis/not-in-heap.js';
import { usesOffheap } from '../analysis/offheap-files.js';
import { heapRefSlotsOf, isReference, pointeeOf, staticLayoutOf, structCallOf, structCallOfRecord } from '../analysis/record-layout.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'unrootedStore' | 'neverRooted' | 'unrootUncleared';

interface RootedKinds {
  /** `struct(...)` calls of the layouts passed to addRoot. */
  readonly layouts: Set<ts.Node>;
  /** Some addRoot's layout is not provable (a parameter, a computed table): nothing is provably never rooted. */
  unknown: boolean;
}

const rootedCache = new WeakMap<ts.Program, RootedKinds>();

function structCallOfRecordOf(checker: ts.TypeChecker, record: ts.Type | undefined): ts.CallExpression | undefined {
  return record && structCallOfRecord(checker, record);
}

/** The names the runtime declares its `@offheap addRoot` functions and methods under (read from the tags). */
function addRootNames(program: ts.Program): Set<string> {
  const names = new Set<string>();
  for (const file of program.getSourceFiles()) {
    if (!isRuntimeFile(file)) continue;
    const visit = (n: ts.Node): void => {
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isMethodSignature(n)) && n.name && ts.isIdentifier(n.name) && declarationId(n) === 'addRoot') {
        names.add(n.name.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  return names;
}

/** What the program ever roots: scanned once per program over the files that use offheap. */
function rootedKinds(program: ts.Program, checker: ts.TypeChecker): RootedKinds {
  let found = rootedCache.get(program);
  if (found) return found;
  found = { layouts: new Set(), unknown: false };
  const out = found;
  // A method is called by its declared name (a property name cannot be renamed), so member calls
  // under other names are skipped before the checker resolves their receivers; the tag decides.
  const methodNames = addRootNames(program);
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file) || isRuntimeFile(file) || !usesOffheap(program, file)) continue;
    const visit = (n: ts.Node): void => {
      const callee = ts.isCallExpression(n) && n.arguments.length >= 1 ? n.expression : undefined;
      const name = callee && (ts.isPropertyAccessExpression(callee) ? callee.name : ts.isIdentifier(callee) ? callee : undefined);
      if (name && (ts.isIdentifier(callee) || methodNames.has(name.text)) && offheapIdAt(checker, name) === 'addRoot') {
        // The layout argument names the struct syntactically; the pointer's type only when it does not.
        const call = n as ts.CallExpression;
        const rec = () => pointeeOf(checker, checker.getTypeAtLocation(call.arguments[0]));
        const l = (call.arguments[1] && structCallOf(checker, call.arguments[1])) ?? structCallOfRecordOf(checker, rec());
        if (l) out.layouts.add(l);
        else out.unknown = true;
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  rootedCache.set(program, out);
  return out;
}

export default createRule<[], MessageIds>({
  name: 'no-unrooted-heap-refs',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every HeapRef stored in unmanaged memory to be covered by an explicit root',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    schema: [],
    messages: {
      unrootedStore:
        'A HeapRef is stored into `{{ptr}}` here, but on {{path}} the function returns with `{{ptr}}` neither registered with `addRoot` nor handed on: the collector never scans unmanaged memory that is not a root, so the referenced object can be freed while this slot still names it (Go: every heap pointer in unmanaged memory must be an explicit root).',
      neverRooted:
        'Objects of `{{record}}` have HeapRef slots ({{slots}}), but nothing in the program passes them to `addRoot`: the collector never sees those references and frees their objects (Go: heap pointers in unmanaged memory must be explicit roots, e.g. allfin for finalizers). Register the blocks with `addRoot`.',
      unrootUncleared:
        '`removeRoot({{ptr}})` hides HeapRef slots ({{slots}}) that may still hold references: the last barriered clear is skipped and the stale words wait in memory for the next reuse (Go: runfinq clears fn, arg and ot before it lowers cnt). Clear them with `typedmemclr` first.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [],
  create(context) {
    const ctx = offheapContext(context);
    if (!ctx || isRuntimeFile(ctx.sourceFile)) return {};
    const { checker, services, program } = ctx;
    const text = (n: TSESTree.Node): string => context.sourceCode.getText(n);
    const tsOf = (n: TSESTree.Node): ts.Node => services.esTreeNodeToTSNodeMap.get(n);

    const checkNeverRooted = (node: TSESTree.Node, record: ts.Type | undefined, layoutArg: TSESTree.Node | undefined): void => {
      const layoutExpr = layoutArg ? (tsOf(layoutArg) as ts.Expression) : record && structCallOfRecord(checker, record);
      const layout = layoutExpr && staticLayoutOf(checker, layoutExpr);
      const slots = record ? heapRefSlotsOf(checker, record) : layout?.slots.map((s) => s.path);
      if (!slots || slots.length === 0) return;
      const struct = (layoutArg && structCallOf(checker, tsOf(layoutArg) as ts.Expression)) ?? structCallOfRecordOf(checker, record);
      if (!struct) return;
      const rooted = rootedKinds(program, checker);
      if (rooted.unknown || rooted.layouts.has(struct)) return;
      const name = layout?.name ?? (record ? checker.typeToString(record) : 'the layout');
      context.report({ node, messageId: 'neverRooted', data: { record: name, slots: slots.join(', ') } });
    };

    return {
      ...flowFacts(context, ctx, (facts) => {
        for (const f of facts) {
          if (f.kind === 'unrootedAtExit') {
            const path = f.store.via ?? 'the path that falls through to the end';
            context.report({ node: f.store.node, messageId: 'unrootedStore', data: { ptr: f.name, path } });
          } else if (f.kind === 'unroot' && isMaybeTypeSafe(f.state) && f.slots && f.slots.length > 0) {
            context.report({ node: f.call, messageId: 'unrootUncleared', data: { ptr: text(unwrap(f.ptr)), slots: f.slots.join(', ') } });
          }
        }
      }),
      NewExpression(node) {
        if (calleeId(checker, tsOf(node) as ts.NewExpression) !== 'FixAlloc') return;
        const t = checker.getTypeAtLocation(tsOf(node));
        const rec = isReference(t) ? checker.getTypeArguments(t)[0] : undefined;
        checkNeverRooted(node, rec && !(rec.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) ? rec : undefined, node.arguments[0]);
      },
      CallExpression(node) {
        const id = calleeId(checker, tsOf(node) as ts.CallExpression);
        if (id !== 'persistentalloc' && id !== 'sysAlloc') return;
        const rec = pointeeOf(checker, checker.getTypeAtLocation(tsOf(node)));
        // `persistentalloc(L.size)` without a type argument: the layout whose size is asked for.
        const size = node.arguments[0];
        const bySize = !rec && size ? sizeOfLayout(tsOf(size) as ts.Expression) : undefined;
        const layout = bySize && (services.tsNodeToESTreeNodeMap.get(bySize.layout) as TSESTree.Node | undefined);
        if (rec || layout) checkNeverRooted(node, rec, layout);
      },
    };
  },
});
