// Every rule of the plugin, by name. Keep sorted; the plugin entry and the
// configs are built from this table.
import type { TSESLint } from '@typescript-eslint/utils';
import type { OffheapRuleDocs } from '../util/create-rule.js';
import noHeapAllocation from './no-heap-allocation.js';
import noHeapPointers from './no-heap-pointers.js';
import noHiddenHeapPointers from './no-hidden-heap-pointers.js';
import noUnrootedHeapRefs from './no-unrooted-heap-refs.js';
import nowritebarrier from './nowritebarrier.js';
import zeroBeforeRoot from './zero-before-root.js';
import zeroingVariant from './zeroing-variant.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rule option tuples differ per rule
export const rules: Record<string, TSESLint.RuleModule<string, any[], OffheapRuleDocs>> = {
  'no-heap-allocation': noHeapAllocation,
  'no-heap-pointers': noHeapPointers,
  'no-hidden-heap-pointers': noHiddenHeapPointers,
  'no-unrooted-heap-refs': noUnrootedHeapRefs,
  nowritebarrier,
  'zero-before-root': zeroBeforeRoot,
  'zeroing-variant': zeroingVariant,
};
