// Go's write-barrier directives (cmd/compile/internal/ssagen/nowb.go) as JSDoc
// tags: `@nowritebarrier` asserts a function's own code has no barrier;
// `@nowritebarrierrec` asserts it of everything the function reaches, up to
// a `@yeswritebarrierrec` function. The flood is computed once per program;
// each file reports the findings that lie in it, and every directive it does
// not read (misplaced or misspelled).
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { GraphNode, UnresolvedReason } from '../analysis/call-graph/graph.js';
import { callGraphOf } from '../analysis/call-graph/graph.js';
import { functionName } from '../analysis/call-graph/names.js';
import { offheapContext } from '../analysis/context.js';
import { barrierDirectives, directedFunctions, directiveProblems, findNode, isFunctionLikeWithBody } from '../analysis/directives.js';
import type { DirectiveProblem } from '../analysis/directives.js';
import { barrierName, barrierSites, hasGraphNodes, hasRecRoots, nowritebarrierrecFlood } from '../analysis/write-barriers.js';
import { createRule } from '../util/create-rule.js';

export interface Options {
  reportUnresolvedCalls?: boolean;
}

type MessageId = 'misplacedDirective' | 'misspelledDirective' | 'prohibited' | 'prohibitedByCaller' | 'unresolvedCall' | 'useDirective';

const reasons: Record<UnresolvedReason, string> = {
  any: 'the callee is typed any',
  'function-value': 'the callee is a function value, not a declaration',
  'passed-to-library': 'a function value no declaration names is handed to library code, which may run it',
  'no-implementation': 'no implementation of this member exists in the program',
  'no-body': 'the callee is declared without a body (declare): there is no body to analyse',
  unanalyzable: 'cannot prove: the type checker failed on this function',
};

/** Chain steps shown before the middle of a long chain is elided. */
const chainHead = 6;
const chainTail = 4;

/**
 * Go's chain: `fn` then, per step back to the root, `\n\t<fn>: called by <caller>`.
 * A chain of more than ten steps keeps its first six and last four.
 */
function chain(path: readonly GraphNode[]): string {
  const steps: string[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    if (i === chainHead && path.length - 1 > chainHead + chainTail) {
      const skipped = path.length - 1 - chainHead - chainTail;
      steps.push(`… ${skipped} more calls`);
      i += skipped - 1;
      continue;
    }
    steps.push(`${functionName(path[i])}: called by ${functionName(path[i + 1])}`);
  }
  return [functionName(path[0]), ...steps].join('\n\t');
}

const why: Record<Extract<DirectiveProblem, { kind: 'misspelled' }>['why'], string> = {
  go: "Go's //go: form",
  comment: 'not a JSDoc comment',
  case: 'directives are lower case',
  typo: 'misspelled',
};

export default createRule<[Options], MessageId>({
  name: 'nowritebarrier',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow write barriers in functions marked @nowritebarrier, and in everything @nowritebarrierrec functions reach',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          reportUnresolvedCalls: {
            type: 'boolean',
            description:
              'Report calls reached from a @nowritebarrierrec function whose callee cannot be resolved statically (any, function-typed values, interface members with no implementation, ambient declarations).',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ reportUnresolvedCalls: false }],
    messages: {
      misplacedDirective: 'misplaced directive @{{tag}}: {{fix}}',
      misspelledDirective: '{{found}} is not read as a directive ({{why}}): write {{correct}}',
      prohibited: 'write barrier prohibited: {{barrier}} runs one in {{fn}}; move it out',
      prohibitedByCaller:
        'write barrier prohibited by caller; {{chain}}\n{{barrier}} runs one: move it out of {{fn}}, or mark {{fn}} @yeswritebarrierrec if barriers are allowed again where it runs',
      unresolvedCall: 'call not checked for write barriers: {{reason}}; in {{chain}}',
      useDirective: 'Write @{{tag}}',
    },
    languages: ['js/js'],
  },
  defaultOptions: [{ reportUnresolvedCalls: false }],
  create(context, [options]) {
    const offheap = offheapContext(context);
    if (!offheap) return {};
    const { program, sourceFile, services } = offheap;

    const locOf = (pos: number, end: number): TSESTree.SourceLocation => {
      const start = sourceFile.getLineAndCharacterOfPosition(pos);
      const stop = sourceFile.getLineAndCharacterOfPosition(end);
      return { start: { line: start.line + 1, column: start.character }, end: { line: stop.line + 1, column: stop.character } };
    };
    const report = (site: ts.Node, messageId: MessageId, data?: Record<string, string>): void => {
      const estree = services.tsNodeToESTreeNodeMap.get(site) as TSESTree.Node | undefined;
      if (estree) context.report({ node: estree, messageId, data });
      else context.report({ loc: locOf(site.getStart(sourceFile), site.getEnd()), messageId, data });
    };

    /**
     * The function declared right after the JSDoc holding `pos`, when code precedes that JSDoc on its line
     * (`class B { /** @nowritebarrier *\/ run() {} }`): TypeScript does not attach such a comment.
     */
    const sharedLineFunction = (pos: number): GraphNode | undefined => {
      const text = sourceFile.text;
      const open = text.lastIndexOf('/**', pos);
      const close = text.indexOf('*/', pos);
      if (open < 0 || close < 0 || !/\S/.test(text.slice(text.lastIndexOf('\n', open) + 1, open))) return undefined;
      const at = close + 2 + (/^\s*/.exec(text.slice(close + 2))?.[0].length ?? 0);
      const found = findNode(
        sourceFile,
        (n) => n.getStart(sourceFile) === at && (isFunctionLikeWithBody(n) || (ts.isPropertyDeclaration(n) && n.initializer !== undefined && isFunctionLikeWithBody(n.initializer))),
        (n) => n.end <= at || n.pos > at,
      );
      return found && (ts.isPropertyDeclaration(found) ? (found.initializer as GraphNode) : (found as GraphNode));
    };

    const reportDirective = (problem: DirectiveProblem): void => {
      const loc = locOf(problem.pos, problem.end);
      if (problem.kind === 'misplaced') {
        const fix = problem.overloadOf
          ? `put it on the implementation of ${functionName(problem.overloadOf)}, the signature with the body`
          : problem.inside
            ? `write it in the JSDoc above ${functionName(problem.inside)}, on its own line`
            : sharedLineFunction(problem.pos)
              ? `TypeScript attaches a JSDoc only where no code comes before it on its line, so ${functionName(sharedLineFunction(problem.pos)!)} does not carry it: put the comment on its own line above`
              : 'it applies only to a function, method, accessor, constructor, or a function expression given a name';
        context.report({ loc, messageId: 'misplacedDirective', data: { tag: problem.tag, fix } });
        return;
      }
      const inJsDoc = problem.why === 'case' || problem.why === 'typo';
      const correct = inJsDoc ? `@${problem.tag}` : `/** @${problem.tag} */ in the JSDoc of the function`;
      const range: [number, number] = [problem.pos, problem.end];
      context.report({
        loc,
        messageId: 'misspelledDirective',
        data: { found: problem.found, why: why[problem.why], correct },
        suggest: inJsDoc ? [{ messageId: 'useDirective', data: { tag: problem.tag }, fix: (fixer) => fixer.replaceTextRange(range, `@${problem.tag}`) }] : [],
      });
    };

    return {
      Program(): void {
        // The flood first: a barrier it reports keeps its chain instead of the plain message.
        const reported = new Set<ts.Node>();
        // A program without roots, or a file without functions or classes, holds no flood finding: it needs no
        // flood (an editor re-lint of a constants file, say, costs no call graph).
        const flood = hasRecRoots(program) && hasGraphNodes(sourceFile) ? nowritebarrierrecFlood(program) : { barriers: [], unresolved: [] };
        for (const finding of flood.barriers) {
          if (finding.site.getSourceFile() !== sourceFile) continue;
          reported.add(finding.site);
          const fn = functionName(finding.fn);
          report(finding.site, 'prohibitedByCaller', { chain: chain(finding.path()), barrier: barrierName(program, finding.site), fn });
        }
        for (const finding of flood.unresolved) {
          // "Cannot prove" is always said; calls the graph cannot follow only when asked.
          if (finding.site.getSourceFile() !== sourceFile || !(options.reportUnresolvedCalls || finding.reason === 'unanalyzable')) continue;
          reported.add(finding.site);
          report(finding.site, 'unresolvedCall', { reason: reasons[finding.reason], chain: chain(finding.path()) });
        }

        for (const problem of directiveProblems(sourceFile)) reportDirective(problem);

        const graph = callGraphOf(program);
        for (const node of directedFunctions(sourceFile)) {
          if (barrierDirectives(node).nowritebarrier) {
            const fn = functionName(node);
            for (const site of barrierSites(program, node, { closures: true })) {
              if (reported.has(site)) continue;
              reported.add(site);
              report(site, 'prohibited', { barrier: barrierName(program, site), fn });
            }
            const broken = graph.facts(node).unresolved.find((u) => u.reason === 'unanalyzable');
            if (broken && !reported.has(broken.site)) {
              reported.add(broken.site);
              report(broken.site, 'unresolvedCall', { reason: reasons.unanalyzable, chain: fn });
            }
          }
        }
      },
    };
  },
});
