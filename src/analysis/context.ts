// The entry every rule goes through: type information for files that use
// offheap, nothing for the rest.
import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ESLintUtils } from '@typescript-eslint/utils';
import ts from 'typescript';
import { mayHoldRuntime } from './not-in-heap.js';
import { reachesRuntime } from './offheap-files.js';
import { programAnalysis, type ProgramAnalysis } from './program-analysis.js';

export interface OffheapContext {
  readonly services: ParserServicesWithTypeInformation;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  /** The program's analysis state, bound to this file's ESTree (`tsOf`, `typeOf`, caches). */
  readonly analysis: ProgramAnalysis;
}

/**
 * Thrown when typescript-eslint's parser ran without type information (`export default [offheap.configs.recommended]`
 * alone): the one line that fixes it, where typescript-eslint's own error only points at its typed-linting guide.
 */
export const noTypeInformation =
  'offheap needs type information, and this file was parsed without it: add `languageOptions: { parserOptions: { projectService: true } }` ' +
  'to your ESLint config (as in https://github.com/offheap/offheap#install).';

/**
 * Type information for the file being linted, or undefined when the file
 * cannot see offheap (the rule then registers no listeners). Without type
 * information (no `projectService` or `project`) it throws (`noTypeInformation`),
 * as typescript-eslint's typed rules do: a rule that cannot see types must not
 * pass the file. The configs are scoped to TypeScript files, so JavaScript files
 * never get here.
 */
export function offheapContext(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
): OffheapContext | undefined {
  // Every rule asks for the same file: the first decides, the others read its answer (on code that never
  // uses offheap, this lookup is all that six of the seven rules do per file).
  const { sourceCode } = context;
  const known = perFile.get(sourceCode);
  if (known !== undefined) {
    known?.analysis.bind(known.services, sourceCode.ast, sourceCode.scopeManager);
    return known ?? undefined;
  }
  const found = resolveContext(context);
  perFile.set(sourceCode, found ?? null);
  return found;
}

/**
 * Per linted file: ESLint's SourceCode object, one per file and lint pass, shared by the rules that run on it
 * (a new lint or fix pass parses again, with a new program or SourceFile, and gets a new object).
 */
const perFile = new WeakMap<object, OffheapContext | null>();

/** Work counters for tests: files whose context was resolved (once per file and lint pass, whatever the number of rules). */
export const contextCounters = { resolved: 0 };

function resolveContext(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): OffheapContext | undefined {
  contextCounters.resolved++;
  // typescript-eslint's own error for a parser other than its own; ours when its parser ran without a program.
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) throw new Error(noTypeInformation);
  const program = services.program;
  const root = context.sourceCode.ast;
  // The SourceFile typescript-eslint converted this ESTree from (no path to normalise and look up).
  const mapped = services.esTreeNodeToTSNodeMap.get(root as never) as ts.Node | undefined;
  const sourceFile =
    mapped && ts.isSourceFile(mapped)
      ? mapped
      : (program.getSourceFile(context.physicalFilename) ?? program.getSourceFile(context.filename));
  if (!sourceFile) return undefined;
  const analysis = programAnalysis(program);
  if (!reachesRuntime(analysis, sourceFile)) return undefined;
  analysis.bind(services, root, context.sourceCode.scopeManager);
  return {
    services,
    program,
    checker: analysis.checker,
    sourceFile,
    analysis,
  };
}

/** Work counters for tests: listener calls answered without a question, their top-level statement carrying nothing of the runtime. */
export const statementGateCounters = { skipped: 0, asked: 0 };

/**
 * The listeners of a type rule, each run only for a node whose top-level
 * statement can hold anything of the runtime (`mayHoldRuntime`: it mentions
 * a name that carries the runtime). Every type such a statement's code has is
 * built from the names it mentions, literals and lib types, so one that
 * mentions none holds no not-in-heap value or `HeapRef` and calls nothing of
 * the runtime, and the rule need not ask the checker anything about it.
 * `Program:exit` and other listeners without a node run as they are.
 */
export function whereRuntimeMayBe<L extends TSESLint.RuleListener>(ctx: OffheapContext, listeners: L): L {
  const known = new Map<TSESTree.Node, boolean>();
  // The last top-level statement met: ESLint visits a statement's nodes together, and a node lying within its
  // range is one of them (top-level statements do not overlap), so most lookups walk no parents.
  let last: TSESTree.Node | undefined;
  const carries = (node: TSESTree.Node): boolean => {
    // The whole file (a `Program` listener) is not a statement: it must not become `last`, whose range holds every node.
    if (node.type === AST_NODE_TYPES.Program) return true;
    let top: TSESTree.Node = node;
    if (last && node.range[0] >= last.range[0] && node.range[1] <= last.range[1]) top = last;
    else while (top.parent && top.parent.type !== AST_NODE_TYPES.Program) top = top.parent;
    last = top;
    let found = known.get(top);
    if (found === undefined) known.set(top, (found = mayHoldRuntime(ctx.analysis, ctx.analysis.tsOf(top))));
    return found;
  };
  const gated: TSESLint.RuleListener = {};
  for (const [selector, listener] of Object.entries(listeners)) {
    if (!listener || selector.endsWith(':exit') && selector.startsWith('Program')) {
      gated[selector] = listener;
      continue;
    }
    gated[selector] = (node: TSESTree.Node) => {
      if (!carries(node)) {
        statementGateCounters.skipped++;
        return;
      }
      statementGateCounters.asked++;
      (listener as (n: TSESTree.Node) => void)(node);
    };
  }
  return gated as L;
}
