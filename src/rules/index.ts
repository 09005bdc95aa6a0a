// Every rule of the plugin, by name. Keep sorted; the plugin entry and the
// configs are built from this table.
import type { TSESLint } from '@typescript-eslint/utils';
import type { OffheapRuleDocs } from '../util/create-rule.js';
import nowritebarrier from './nowritebarrier.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rule option tuples differ per rule
export const rules: Record<string, TSESLint.RuleModule<string, any[], OffheapRuleDocs>> = {
  nowritebarrier,
};
