// The recorder: while ESLint walks a file, log per code-path segment the
// nodes the transfer functions read (calls, `new`, declarations,
// assignments, returns, yields, literals, JSX attributes). Nothing is
// evaluated during the walk; the solver runs once the walk is over.
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

export type Segment = TSESLint.CodePathSegment;
export type CodePath = TSESLint.CodePath;

export interface SegInfo {
  readonly seg: Segment;
  /** Position in the file's walk: a rough topological order, and the loop test (a back edge goes to a lower index). */
  readonly index: number;
  readonly start: TSESTree.Node;
  readonly events: TSESTree.Node[];
}

export interface PathInfo {
  readonly codePath: CodePath;
  readonly node: TSESTree.Node;
  /** The path's segments in walk order (ascending `index`). */
  readonly segs: SegInfo[];
  /** The segments open at the walk's position. */
  readonly current: Set<SegInfo>;
}

export interface Recording {
  readonly paths: PathInfo[];
  readonly byFunction: Map<TSESTree.Node, PathInfo>;
}

/** Node types whose `:exit` (or entry, for statements) is an event. */
const eventSelectors = [
  'CallExpression:exit',
  'NewExpression:exit',
  'VariableDeclarator:exit',
  'AssignmentExpression:exit',
  'ReturnStatement',
  'YieldExpression', // on entry: a generator abandoned at the yield has already handed the value out
  'Property:exit',
  'ArrayExpression:exit',
  'JSXAttribute:exit',
  'AwaitExpression:exit', // a suspension: any code may run (handles.ts)
] as const;

/**
 * Listeners that record the file's code paths into `rec`; `done` runs at
 * `Program:exit`, when every path is complete.
 */
export function recorderListeners(rec: Recording, done: () => void): TSESLint.RuleListener {
  const stack: PathInfo[] = [];
  let nextIndex = 0;
  const log = (node: TSESTree.Node): void => {
    const top = stack[stack.length - 1];
    if (top) for (const s of top.current) s.events.push(node);
  };
  const listeners: Record<string, (...args: never[]) => void> = {
    onCodePathStart(codePath: CodePath, node: TSESTree.Node) {
      const info: PathInfo = { codePath, node, segs: [], current: new Set() };
      stack.push(info);
      rec.paths.push(info);
      rec.byFunction.set(node, info);
    },
    onCodePathEnd() {
      stack.pop();
    },
    onCodePathSegmentStart(seg: Segment, node: TSESTree.Node) {
      const top = stack[stack.length - 1];
      const info: SegInfo = { seg, index: nextIndex++, start: node, events: [] };
      top.segs.push(info);
      top.current.add(info);
    },
    onCodePathSegmentEnd(seg: Segment) {
      // The segment is one of the few open ones: no map by id is needed to find it.
      const top = stack[stack.length - 1];
      for (const info of top.current) {
        if (info.seg === seg) {
          top.current.delete(info);
          break;
        }
      }
    },
    'Program:exit': done,
  };
  for (const sel of eventSelectors) listeners[sel] = log;
  return listeners;
}
