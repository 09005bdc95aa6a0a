// The decorator is applied through TypeScript's own downlevel emit: vitest's
// transform does not lower standard decorators, and Node 20 cannot run them.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isNotInHeap, MisuseError, notInHeap } from '../../src/runtime/index.js';

/** Compiles `body` (TS with standard decorators, ending in `return …`) and runs it with `notInHeap` in scope. */
function run(body: string): Record<string, new () => unknown> {
  const src = `const result = (() => {\n${body}\n})();`;
  const out = ts.transpileModule(src, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: false },
    reportDiagnostics: true,
  });
  expect(out.diagnostics ?? []).toHaveLength(0);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the compiled snippet
  const compiled = new Function('notInHeap', `${out.outputText}\nreturn result;`) as (d: typeof notInHeap) => Record<string, new () => unknown>;
  return compiled(notInHeap);
}

describe('@notInHeap', () => {
  it('makes new throw a MisuseError naming the class and the allocators', () => {
    const { Span } = run('@notInHeap class Span { base = 0; }\nreturn { Span };');
    expect(() => new Span()).toThrow(MisuseError);
    let caught: unknown;
    try {
      new Span();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    expect((caught as MisuseError).code).toBe('ERR_MISUSE');
    expect((caught as MisuseError).value).toBe('Span');
    expect((caught as Error).message).toMatch(/^Span is not-in-heap/);
    expect((caught as Error).message).toMatch(/sysAlloc, persistentalloc or a FixAlloc pool/);
    expect(Span.name).toBe('Span');
    expect(isNotInHeap(Span)).toBe(true);
  });

  it('also throws for subclasses, and leaves unmarked classes alone', () => {
    const { Derived, Plain } = run('@notInHeap class Base {}\nclass Derived extends Base {}\nclass Plain {}\nreturn { Derived, Plain };');
    expect(() => new Derived()).toThrow(/Base is not-in-heap/);
    expect(isNotInHeap(Derived)).toBe(true);
    expect(isNotInHeap(Plain)).toBe(false);
    expect(new Plain()).toBeInstanceOf(Plain);
  });

  it('keeps static members of the marked class', () => {
    const { S } = run('@notInHeap class S { static size = 48; static make() { return 1; } }\nreturn { S };');
    expect((S as unknown as { size: number }).size).toBe(48);
    expect((S as unknown as { make(): number }).make()).toBe(1);
  });

  it('rejects use on a non-class or a non-class context', () => {
    expect(() => notInHeap(42 as never, { kind: 'class', name: 'X' } as never)).toThrow(MisuseError);
    expect(() => notInHeap(class {} as never, { kind: 'method', name: 'm' } as never)).toThrow(/applies to classes/);
  });
});
