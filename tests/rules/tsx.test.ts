// The type rules on .tsx files: JSX attributes are values like any other
// (a handle passed as a number prop is a conversion, a literal given to a
// not-in-heap prop is an allocation), and JSX types in records are references.
import path from 'node:path';
import noHeapAllocation from '../../src/rules/no-heap-allocation.js';
import noHeapPointers from '../../src/rules/no-heap-pointers.js';
import noHiddenHeapPointers from '../../src/rules/no-hidden-heap-pointers.js';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const filename = path.join(fixturesDir, 'view.tsx');
/** Lines 1-7 of every case: a minimal JSX namespace, a record type, a handle and a pointer. */
const head = [
  `import { type HeapRef, type NotInHeap, type Ptr } from 'offheap';`,
  `declare global { namespace JSX { interface Element { readonly kind: 'element' } interface IntrinsicElements { div: { id?: string; tabIndex?: number } } } }`,
  `class Owner { name = ''; }`,
  `type Span = NotInHeap<{ start: number; npages: number }>;`,
  `declare const ref: HeapRef<Owner>; declare const span: Ptr<Span>;`,
  `function Gauge(props: { value: number; handle?: HeapRef<Owner> }): JSX.Element { return { kind: 'element', ...props } as unknown as JSX.Element; }`,
  `function SpanView(props: { span: Span | Ptr<Span> }): JSX.Element { void props; return <div />; }`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;
const tester = createRuleTester();

tester.run('no-hidden-heap-pointers (tsx)', noHiddenHeapPointers, {
  valid: [
    // A HeapRef prop keeps the type; a handle rendered as a child or formatted is display text.
    { filename, code: code(`const a = <Gauge value={1} handle={ref} />;`, `const b = <div id={'h' + ref}>{ref}</div>;`) },
  ],
  invalid: [
    // The twin: the same handle given to the number prop.
    {
      filename,
      code: code(`const a = <Gauge value={ref} />;`, `const b = <div tabIndex={ref} />;`),
      errors: [
        { messageId: 'conversion', line: L(1), data: { expr: 'ref', how: 'passed as the `number` prop `value`' } },
        { messageId: 'conversion', line: L(2), data: { expr: 'ref', how: 'passed as the `number` prop `tabIndex`' } },
      ],
    },
  ],
});

tester.run('no-heap-allocation (tsx)', noHeapAllocation, {
  valid: [
    // The pointer to a record is fine as a prop.
    { filename, code: code(`const v = <SpanView span={span} />;`) },
  ],
  invalid: [
    // The twin: a literal given to the not-in-heap prop creates the record on the JS heap.
    {
      filename,
      code: code(`const v = <SpanView span={{ start: 0, npages: 1 }} />;`),
      errors: [{ messageId: 'literal', line: L(1) }],
    },
  ],
});

tester.run('no-heap-pointers (tsx)', noHeapPointers, {
  valid: [{ filename, code: code(`type View = NotInHeap<{ id: number; owner: HeapRef<JSX.Element> }>;`) }],
  invalid: [
    // The twin: a JSX element kept by value in a record is a heap reference.
    {
      filename,
      code: code(`type View = NotInHeap<{ id: number; owner: JSX.Element }>;`),
      errors: [
        {
          messageId: 'heapPointer',
          line: L(1),
          suggestions: [{ messageId: 'useHeapRef', data: { replacement: 'HeapRef<JSX.Element>' }, output: code(`type View = NotInHeap<{ id: number; owner: HeapRef<JSX.Element> }>;`) }],
        },
      ],
    },
  ],
});
