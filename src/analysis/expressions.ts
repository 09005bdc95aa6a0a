// Small syntactic queries shared by the rules.
import ts from 'typescript';

/**
 * The expression that produces the value: parentheses, `as`, `<T>`,
 * `satisfies` and `!` change the type the checker reports, never the value.
 */
export function skipOuterExpressions(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isTypeAssertionExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isSatisfiesExpression(e)
  ) {
    e = e.expression;
  }
  return e;
}
