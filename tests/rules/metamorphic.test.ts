// Metamorphic test: rewriting a case in ways that do not change its meaning
// (wrap a type in an alias, move it behind a generic, intersect it with `{}`,
// import the brands through a re-export or under other names, reverse the
// declaration order) must not change the verdict. All variants live in one
// program, so the checker meets aliases and declarations in different orders
// within the same caches.
import { describe, expect, it } from 'vitest';
import { virtualProgram } from '../virtual-program.js';
import { lintFile, runtimeIndex } from '../analysis/nih-lint.js';

interface Base {
  readonly rule: 'no-heap-pointers' | 'no-heap-allocation';
  /** The type under test, put in the slot `{{F}}`. */
  readonly F: string;
  /** Expected verdict: messageId and the first quoted name of each report, sorted. */
  readonly verdict: readonly string[];
}

/** Declarations, one per line (the order is a variant); `{{F}}` is the slot. */
const decls: Record<Base['rule'], readonly string[]> = {
  'no-heap-pointers': [
    `class Owner { name = ''; }`,
    `enum E { A = 1 }`,
    `enum SE { A = 'a' }`,
    `type Inner = NotInHeap<{ x: number }>;`,
    `type S = NotInHeap<{ f: {{F}}; n: number }>;`,
  ],
  'no-heap-allocation': [
    `class Owner { name = ''; }`,
    `type S = NotInHeap<{ x: number }>;`,
    `interface H { v: {{F}}; label: number }`,
    `declare const h: H;`,
    `export const hs = new Set([h]);`,
  ],
};

const bases: readonly Base[] = [
  { rule: 'no-heap-pointers', F: 'number', verdict: [] },
  { rule: 'no-heap-pointers', F: 'string', verdict: ['heapPointer S.f'] },
  { rule: 'no-heap-pointers', F: 'Ptr<S>', verdict: [] },
  { rule: 'no-heap-pointers', F: 'HeapRef<Owner>', verdict: [] },
  { rule: 'no-heap-pointers', F: 'Owner', verdict: ['heapPointer S.f'] },
  { rule: 'no-heap-pointers', F: 'number | undefined', verdict: [] },
  { rule: 'no-heap-pointers', F: 'number | string', verdict: ['heapPointer S.f'] },
  { rule: 'no-heap-pointers', F: 'Inner', verdict: [] },
  { rule: 'no-heap-pointers', F: 'E', verdict: [] },
  { rule: 'no-heap-pointers', F: 'SE', verdict: ['heapPointer S.f'] },
  { rule: 'no-heap-pointers', F: 'unknown', verdict: ['unprovable S.f'] },
  { rule: 'no-heap-pointers', F: '() => void', verdict: ['heapPointer S.f'] },
  { rule: 'no-heap-pointers', F: 'HeapRef<Owner> | Ptr<S>', verdict: [] },
  { rule: 'no-heap-allocation', F: 'S', verdict: ['container H[]', 'container Set<H>'] },
  { rule: 'no-heap-allocation', F: 'S | undefined', verdict: ['container H[]', 'container Set<H>'] },
  { rule: 'no-heap-allocation', F: 'Ptr<S>', verdict: [] },
  { rule: 'no-heap-allocation', F: 'number', verdict: [] },
  { rule: 'no-heap-allocation', F: 'Owner', verdict: [] },
];

const brands = ['NotInHeap', 'Ptr', 'HeapRef'];
const importFrom = (from: string, names = brands.join(', ')) => `import type { ${names} } from '${from}';`;
const rename = (text: string) => text.replace(/\bNotInHeap\b/g, 'Nih').replace(/\bHeapRef\b/g, 'Ref').replace(/\bPtr\b/g, 'Addr');

interface Variant {
  readonly name: string;
  readonly build: (lines: readonly string[], F: string) => string;
}

const fill = (lines: readonly string[], F: string) => lines.map((l) => l.replace('{{F}}', F));

const variants: readonly Variant[] = [
  { name: 'base', build: (l, F) => [importFrom(runtimeIndex), ...fill(l, F)].join('\n') },
  { name: 'alias', build: (l, F) => [importFrom(runtimeIndex), `type Alias_ = ${F};`, ...fill(l, 'Alias_')].join('\n') },
  { name: 'generic', build: (l, F) => [importFrom(runtimeIndex), `type Id_<X> = X;`, ...fill(l, `Id_<${F}>`)].join('\n') },
  { name: 'intersect {}', build: (l, F) => [importFrom(runtimeIndex), ...fill(l, `(${F}) & {}`)].join('\n') },
  { name: 're-export', build: (l, F) => [importFrom('./reexport.ts'), ...fill(l, F)].join('\n') },
  {
    name: 'renamed import',
    build: (l, F) => [importFrom(runtimeIndex, 'NotInHeap as Nih, Ptr as Addr, HeapRef as Ref'), ...fill(l, F).map(rename)].join('\n'),
  },
  { name: 'reversed order', build: (l, F) => [importFrom(runtimeIndex), ...fill([...l].reverse(), F)].join('\n') },
];

// `unknown & {}` is `{}` (nullish removed): a different type, so it is not a rewrite of that case.
const applies = (base: Base, variant: Variant) => !(variant.name === 'intersect {}' && base.F === 'unknown');

const files: Record<string, string> = {
  '/p/reexport.ts': `export type { NotInHeap, Ptr, HeapRef } from '${runtimeIndex}';`,
};
const cases: Array<{ base: Base; variant: Variant; file: string }> = [];
bases.forEach((base, i) => {
  variants.forEach((variant, j) => {
    if (!applies(base, variant)) return;
    const file = `/p/case-${i}-${j}.ts`;
    files[file] = `${variant.build(decls[base.rule], base.F)}\nexport {};\n`;
    cases.push({ base, variant, file });
  });
});

const program = virtualProgram(files);

/** `heapPointer S.f`: the message id and the first back-quoted name of the message. */
function verdictOf(file: string, rule: string): string[] {
  return lintFile(program, file, [rule])
    .map((r) => `${r.messageId} ${/`([^`]*)`/.exec(r.message)?.[1] ?? ''}`)
    .sort();
}

describe('verdicts survive meaning-preserving rewrites', () => {
  for (const base of bases) {
    it(`${base.rule}: slot of type ${base.F}`, () => {
      const mine = cases.filter((c) => c.base === base);
      expect(mine.length).toBeGreaterThanOrEqual(6);
      for (const { variant, file } of mine) {
        expect({ variant: variant.name, verdict: verdictOf(file, base.rule) }).toEqual({
          variant: variant.name,
          verdict: [...base.verdict].sort(),
        });
      }
    });
  }
});

// Generic abstractions (no-heap-allocation): whether `new W<S>()` allocates depends only on how W
// uses T, however that use is spelled: directly, through a user alias or a user generic that passes
// T on, under renamed imports, or with the declarations in another order.
describe('generic-use verdicts survive meaning-preserving rewrites', () => {
  const uses: ReadonlyArray<{ readonly G: string; readonly verdict: readonly string[] }> = [
    { G: 'Ptr<T>', verdict: [] },
    { G: 'HeapRef<T>', verdict: [] },
    { G: 'Ptr<T>[]', verdict: [] },
    { G: 'Map<string, Ptr<T>>', verdict: [] },
    { G: '(p: Ptr<T>) => void', verdict: [] },
    { G: 'T[]', verdict: ['container W<S>'] },
    { G: 'Map<string, T>', verdict: ['container W<S>'] },
    { G: '(p: T) => void', verdict: ['container W<S>'] },
  ];
  const lines = (G: string) => [`type S = NotInHeap<{ x: number }>;`, `class W<T> { f?: ${G}; }`, `export const w = new W<S>();`];
  const spell: ReadonlyArray<{ name: string; build: (G: string) => string }> = [
    { name: 'base', build: (G) => [importFrom(runtimeIndex), ...lines(G)].join('\n') },
    { name: 'through an alias', build: (G) => [importFrom(runtimeIndex), `type U_<T> = ${G};`, ...lines('U_<T>')].join('\n') },
    { name: 'through a generic that passes T on', build: (G) => [importFrom(runtimeIndex), `interface V_<T> { g?: ${G} }`, ...lines('V_<T>')].join('\n') },
    { name: 'renamed import', build: (G) => [importFrom(runtimeIndex, 'NotInHeap as Nih, Ptr as Addr, HeapRef as Ref'), ...lines(G).map(rename)].join('\n') },
    { name: 'reversed order', build: (G) => [importFrom(runtimeIndex), ...[...lines(G)].reverse()].join('\n') },
  ];
  const genericFiles: Record<string, string> = {};
  uses.forEach((u, i) => spell.forEach((s, j) => (genericFiles[`/p/generic-${i}-${j}.ts`] = `${s.build(u.G)}\nexport {};\n`)));
  const genericProgram = virtualProgram(genericFiles);
  for (const [i, u] of uses.entries()) {
    it(`a field of type ${u.G}`, () => {
      for (const [j, s] of spell.entries()) {
        const verdict = lintFile(genericProgram, `/p/generic-${i}-${j}.ts`, ['no-heap-allocation'])
          .map((r) => `${r.messageId} ${/`([^`]*)`/.exec(r.message)?.[1] ?? ''}`)
          .sort();
        expect({ spelling: s.name, verdict }).toEqual({ spelling: s.name, verdict: [...u.verdict] });
      }
    });
  }
});
