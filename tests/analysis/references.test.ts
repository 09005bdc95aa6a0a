// symbolAt answers a reference from the variable ESLint's scopes resolve it
// to (src/analysis/references.ts): it must give the checker's own answer for
// every identifier, and ask the checker once per variable, not per reference.
import type { Rule } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { offheapContext } from '../../src/analysis/context.js';
import { analysisCounters, symbolAt } from '../../src/analysis/program-analysis.js';
import { referenceCounters } from '../../src/analysis/references.js';
import { virtualProgram } from '../virtual-program.js';
import { lintFile } from './nih-lint.js';

const runtime = `/** @offheap sysAlloc */ export function sysAlloc(n: number): number { return n; }`;

/** Lints `/p/user.ts` with a probe that runs `ask` at Program:exit with the checker and the file. */
function probe(user: string, ask: (checker: ts.TypeChecker, file: ts.SourceFile) => void): void {
  const program = virtualProgram({ '/p/runtime.ts': runtime, '/p/user.ts': user });
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile('/p/user.ts'));
  expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  let ran = false;
  const rule: Rule.RuleModule = {
    create(context) {
      const ctx = offheapContext(context as never);
      if (!ctx) return {};
      return {
        'Program:exit'() {
          ran = true;
          ask(ctx.checker, ctx.sourceFile);
        },
      };
    },
  };
  const messages = lintFile(program, '/p/user.ts', [], { r: rule });
  expect(messages).toEqual([]);
  expect(ran).toBe(true);
}

function identifiers(file: ts.SourceFile): ts.Identifier[] {
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(file);
  return out;
}

// Names ESLint's scopes and TypeScript resolve differently come first in source order, so that a wrong first
// answer would be carried to the variable's later references.
const tricky = `import { sysAlloc } from './runtime.ts';
import * as rt from './runtime.ts';
const x = 0;
namespace N { export const x = 1; }
namespace N { export const y = x + 1; }
const A = 5;
enum E { A = 1 }
enum E { B = A + 1 }
export const z = x + N.y + A + E.B;
const p = sysAlloc(8);
const o = { p, q: p };
const { p: p2, q } = o;
let r = 0;
({ r } = { r: p2 + q });
export { r, o, sysAlloc as alloc };
export default p;
class C {
  static k = 1;
  static make(): C { return new C(); }
  m(): number { return C.k + rt.sysAlloc(1); }
}
const D = class Inner { f(): Inner { return this; } };
type Body = { n: number };
const Body: Body = { n: 1 };
function f<T>(T: T): T { const w: typeof T = T; return w; }
function g(...rest: number[]): number { return arguments.length + rest.length; }
declare global { var gl: number }
export const all = [C.make().m(), new D().f(), Body.n, f(1), g(), new Map<string, number>().size, globalThis.gl];
label: for (const i of [1]) { if (i) break label; }
`;

describe('symbolAt through ESLint scopes', () => {
  it("gives the checker's answer for every identifier, the names scoped differently included", () => {
    probe(tricky, (checker, file) => {
      const byVariable = analysisCounters.symbolsByVariable;
      const wrong: string[] = [];
      for (const id of identifiers(file)) {
        const expected = checker.getSymbolAtLocation(id);
        const got = symbolAt(checker, id);
        if (got !== expected) {
          const { line } = file.getLineAndCharacterOfPosition(id.getStart());
          wrong.push(`${id.text} (line ${line + 1}): ${got?.name ?? '-'} from ${got?.declarations?.[0]?.getText().slice(0, 30) ?? '-'}`);
        }
      }
      expect(wrong).toEqual([]);
      // The shortcut ran: later references of `p`, `x`, `C`, `Body`... were answered from their variables.
      expect(analysisCounters.symbolsByVariable - byVariable).toBeGreaterThan(10);
    });
  });

  it('asks the checker once per variable, however many references name it', () => {
    const lookups = (uses: number): { checker: number; indexed: number } => {
      const body = Array.from({ length: uses }, (_, i) => `use(p + ${i});`).join('\n');
      let asked = 0;
      const files = referenceCounters.filesIndexed;
      probe(`import { sysAlloc } from './runtime.ts';\nconst p = sysAlloc(8);\nfunction use(n: number): number { return n; }\n${body}\n`, (checker, file) => {
        const before = analysisCounters.symbolLookups;
        for (const id of identifiers(file)) if (id.text === 'p' || id.text === 'use') expect(symbolAt(checker, id)?.name).toBe(id.text);
        asked = analysisCounters.symbolLookups - before;
      });
      return { checker: asked, indexed: referenceCounters.filesIndexed - files };
    };
    // `const p = …` is p's first reference (a write), `function use` a declaration name, and the first call of use
    // is its first reference: 3 lookups, the other 2 × uses references answered from their variables (before,
    // 2 + 2 × uses lookups).
    expect([lookups(10), lookups(40)]).toEqual([
      { checker: 3, indexed: 1 },
      { checker: 3, indexed: 1 },
    ]);
  });
});
