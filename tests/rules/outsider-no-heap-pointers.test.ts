// no-heap-pointers' type walk tried on shapes nobody on the team wrote for it (issue 12 item 5: a walk that is long
// or wide must end in a finding or "cannot prove", never in silence). A heap reference held at the top of a 300-deep
// by-value chain of interfaces, type aliases or classes whose bottom is marked NotInHeap is reported with its path;
// a 12,000-member union field beside the mark is reported too. Each case has its twin (the same shape holding a number).
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds, type Options } from '../../src/rules/no-heap-pointers.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();
const head = `import type { NotInHeap } from 'offheap';`;
const valid: ValidTestCase<Options>[] = [];
const invalid: InvalidTestCase<MessageIds, Options>[] = [];

/** `I0 … I{n-1}`, each holding the next by value, the last marked; I0 also holds `label: <held>`. */
function chain(n: number, kind: 'interface' | 'alias' | 'class', held: string): string {
  const rows = [head];
  for (let i = 0; i < n; i++) {
    const next = i < n - 1 ? `next: I${i + 1};` : `mark: NotInHeap<{ n: number }>;`;
    const label = i === 0 ? ` label: ${held};` : '';
    if (kind === 'interface') rows.push(`interface I${i} { ${next}${label} }`);
    else if (kind === 'alias') rows.push(`type I${i} = { ${next}${label} };`);
    else rows.push(`class I${i} { declare ${next}${label ? ` declare${label}` : ''} }`);
  }
  return rows.join('\n');
}
for (const kind of ['interface', 'alias', 'class'] as const) {
  valid.push({ code: chain(300, kind, 'number') });
  invalid.push({ code: chain(300, kind, 'string'), errors: [{ messageId: 'heapPointer', line: 2 }] });
}
// A union of 12,000 interfaces held by value next to the mark: each member is an ordinary object (a heap reference).
const wide = (held: string) =>
  [head, `type Mark = NotInHeap<{ n: number }>;`, ...Array.from({ length: 12000 }, (_, i) => `interface W${i} { v${i}: number }`), `interface Top { m: Mark; w: ${held}; n: number }`].join('\n');
const members = Array.from({ length: 12000 }, (_, i) => `W${i}`).join(' | ');
valid.push({ code: wide('number') });
invalid.push({ code: wide(members), errors: [{ messageId: 'heapPointer', line: 12003 }] });

ruleTester.run('no-heap-pointers (outsider shapes)', rule, { valid, invalid });
