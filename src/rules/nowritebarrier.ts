// Go's write-barrier directives (cmd/compile/internal/ssagen/nowb.go) as JSDoc
// tags: `@nowritebarrier` asserts a function's own code has no barrier;
// `@nowritebarrierrec` asserts it of everything the function reaches, up to
// a `@yeswritebarrierrec` function. The flood is computed once per program;
// each file reports the findings that lie in it.
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { functionName } from '../analysis/call-graph/names.js';
import type { GraphNode, UnresolvedReason } from '../analysis/call-graph/graph.js';
import { offheapContext } from '../analysis/context.js';
import { barrierDirectives, directiveMarker, isFunctionLikeWithBody, misplacedDirectives } from '../analysis/directives.js';
import { barrierSites, nowritebarrierrecFlood } from '../analysis/write-barriers.js';
import { createRule } from '../util/create-rule.js';

export interface Options {
  reportUnresolvedCalls?: boolean;
}

type MessageId = 'misplacedDirective' | 'prohibited' | 'prohibitedByCaller' | 'unresolvedCall';

const reasons: Record<UnresolvedReason, string> = {
  any: 'the callee is typed any',
  'function-value': 'the callee is a function value, not a declaration',
  'no-implementation': 'no implementation of this member exists in the program',
  'no-body': 'the callee is declared without a body (declare): there is no body to analyse',
  unanalyzable: 'the type checker failed on this function',
};

/** Go's chain: `fn` then, per step back to the root, `\n\t<fn>: called by <caller>`. */
function chain(path: readonly GraphNode[]): string {
  let text = functionName(path[0]);
  for (let i = 0; i + 1 < path.length; i++) text += `\n\t${functionName(path[i])}: called by ${functionName(path[i + 1])}`;
  return text;
}

export default createRule<[Options], MessageId>({
  name: 'nowritebarrier',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow write barriers in functions marked @nowritebarrier, and in everything @nowritebarrierrec functions reach',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    schema: [
      {
        type: 'object',
        properties: {
          reportUnresolvedCalls: {
            type: 'boolean',
            description:
              'Report calls reached from a @nowritebarrierrec function whose callee cannot be resolved statically (any, function-typed values, interface members with no implementation).',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ reportUnresolvedCalls: false }],
    messages: {
      misplacedDirective:
        'misplaced directive @{{tag}}: it applies only to a function, method, accessor, constructor, or a function expression given a name',
      prohibited: 'write barrier prohibited',
      prohibitedByCaller: 'write barrier prohibited by caller; {{chain}}',
      unresolvedCall: 'call not checked for write barriers: {{reason}}; in {{chain}}',
    },
    languages: ['js/js'],
  },
  defaultOptions: [{ reportUnresolvedCalls: false }],
  create(context, [options]) {
    const offheap = offheapContext(context);
    if (!offheap) return {};
    const { program, sourceFile, services } = offheap;

    const report = (site: ts.Node, messageId: MessageId, data?: Record<string, string>): void => {
      const estree = services.tsNodeToESTreeNodeMap.get(site) as TSESTree.Node | undefined;
      if (estree) {
        context.report({ node: estree, messageId, data });
        return;
      }
      const start = sourceFile.getLineAndCharacterOfPosition(site.getStart(sourceFile));
      const end = sourceFile.getLineAndCharacterOfPosition(site.getEnd());
      context.report({
        loc: { start: { line: start.line + 1, column: start.character }, end: { line: end.line + 1, column: end.character } },
        messageId,
        data,
      });
    };

    return {
      Program(): void {
        // The flood first: a barrier it reports keeps its chain instead of the plain message.
        const reported = new Set<ts.Node>();
        const flood = nowritebarrierrecFlood(program);
        for (const finding of flood.barriers) {
          if (finding.site.getSourceFile() !== sourceFile) continue;
          reported.add(finding.site);
          report(finding.site, 'prohibitedByCaller', { chain: chain(finding.path()) });
        }
        if (options.reportUnresolvedCalls) {
          for (const finding of flood.unresolved) {
            if (finding.site.getSourceFile() !== sourceFile) continue;
            report(finding.site, 'unresolvedCall', { reason: reasons[finding.reason], chain: chain(finding.path()) });
          }
        }

        for (const tag of misplacedDirectives(sourceFile)) report(tag, 'misplacedDirective', { tag: tag.tagName.text });

        if (!sourceFile.text.includes(directiveMarker)) return;
        const visit = (node: ts.Node): void => {
          if (isFunctionLikeWithBody(node) && barrierDirectives(node).nowritebarrier) {
            for (const site of barrierSites(program, node, { closures: true })) {
              if (reported.has(site)) continue;
              reported.add(site);
              report(site, 'prohibited');
            }
          }
          ts.forEachChild(node, visit);
        };
        visit(sourceFile);
      },
    };
  },
});
