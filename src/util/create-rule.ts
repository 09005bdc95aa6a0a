import { ESLintUtils } from '@typescript-eslint/utils';

export interface OffheapRuleDocs {
  /** The config that enables the rule; `strict` includes `recommended`. */
  recommended?: 'recommended' | 'strict';
  requiresTypeChecking?: boolean;
}

const docsBase = 'https://github.com/offheap/offheap/blob/main/docs/rules';

export const createRule = ESLintUtils.RuleCreator<OffheapRuleDocs>(
  (name) => `${docsBase}/${name}.md`,
);
