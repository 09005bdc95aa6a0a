// The runtime's module structure: no import cycles, and the default runtime
// reached from one module only. A cycle makes load order matter (a module
// reading another's binding before it is initialised), which is what this
// pins down.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../../src/runtime');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'));

/** The runtime modules `file` imports at run time: `import type` and all-type import lists are erased, so they do not count. */
function valueImports(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(path.join(dir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      if (clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)) continue;
      spec = st.moduleSpecifier;
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      if (st.isTypeOnly) continue;
      const clause = st.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) continue;
      spec = st.moduleSpecifier;
    }
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('./')) out.push(spec.text.slice(2).replace(/\.js$/, '.ts'));
  }
  return out;
}

const graph = new Map(files.map((f) => [f, valueImports(f)]));

/** Every cycle's members (strongly connected components of more than one module, or a self-import), by Tarjan's algorithm. */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}

describe('runtime module structure', () => {
  it('reads the imports it checks', () => {
    expect(files.length).toBeGreaterThan(15);
    expect(graph.get('runtime.ts')).toContain('space.ts');
    expect(graph.get('index.ts')).toContain('default.ts');
    // A type-only import is not an edge.
    expect(graph.get('heap.ts')).not.toContain('runtime.ts');
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    graph.set('space.ts', [...(graph.get('space.ts') ?? []), 'runtime.ts']);
    try {
      expect(cycles().flat()).toEqual(expect.arrayContaining(['runtime.ts', 'space.ts']));
    } finally {
      graph.set('space.ts', valueImports('space.ts'));
    }
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('makes each module-level function a delegation to the Runtime method of the same name and @offheap id', () => {
    const read = (f: string) => ts.createSourceFile(f, fs.readFileSync(path.join(dir, f), 'utf8'), ts.ScriptTarget.ES2022, true);
    const tag = (n: ts.Node) => ts.getJSDocTags(n).find((t) => t.tagName.text === 'offheap')?.comment;
    const methods = new Map<string, unknown>();
    read('runtime.ts').forEachChild((n) => {
      if (ts.isClassDeclaration(n) && n.name?.text === 'Runtime') for (const m of n.members) if (ts.isMethodDeclaration(m)) methods.set(m.name.getText(), tag(m));
    });
    let wrappers = 0;
    read('default.ts').forEachChild((n) => {
      if (!ts.isFunctionDeclaration(n) || !n.name || ['defaultRuntime', 'madeDefaultRuntime', 'setDefaultRuntime'].includes(n.name.text)) return;
      const name = n.name.text;
      wrappers++;
      expect(methods.has(name), name).toBe(true);
      expect(tag(n), name).toBe(methods.get(name));
      // The body only finds the default runtime and calls the method: `defaultRuntime().name(…)` or `const rt: Runtime = defaultRuntime(); rt.name(…)`.
      const calls: string[] = [];
      const visit = (m: ts.Node): void => {
        if (ts.isCallExpression(m) && ts.isPropertyAccessExpression(m.expression)) calls.push(m.expression.name.text);
        ts.forEachChild(m, visit);
      };
      visit(n.body!);
      expect(calls, name).toEqual([name]);
      expect(n.body!.statements.length, name).toBeLessThanOrEqual(2);
    });
    expect(wrappers).toBeGreaterThan(20);
  });

  it('keeps the default runtime in default.ts', () => {
    const importers = files.filter((f) => (graph.get(f) ?? []).includes('default.ts')).sort();
    // index.ts re-exports the module-level functions; FixAlloc's `runtime` option defaults to the default runtime.
    expect(importers).toEqual(['fixalloc.ts', 'index.ts']);
    for (const f of files) {
      if (f === 'default.ts') continue;
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(/function defaultRuntime\b|let theDefault\b/.test(text), f).toBe(false);
    }
  });
});
