import { ESLintUtils } from '@typescript-eslint/utils';
import { offheapContext } from '../analysis/context.js';

export interface OffheapRuleDocs {
  /** The config that enables the rule; `strict` includes `recommended`. */
  recommended?: 'recommended' | 'strict';
  requiresTypeChecking?: boolean;
}

const docsBase = 'https://github.com/offheap/offheap/blob/main/docs/rules';

const namedRule = ESLintUtils.RuleCreator<OffheapRuleDocs>(
  (name) => `${docsBase}/${name}.md`,
);

/**
 * Every offheap rule starts with `offheapContext` and judges nothing in a
 * file that cannot see offheap: such a file is answered here, before
 * typescript-eslint applies the default options (a structuredClone per rule
 * and file, on every file of a program that never uses offheap).
 */
export const createRule: typeof namedRule = (rule) => {
  const created = namedRule(rule);
  return { ...created, create: (context) => (offheapContext(context) ? created.create(context) : {}) };
};
