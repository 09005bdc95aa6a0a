// How a function is named in messages: Go-like `T.m`, `get T.p`, `new T`,
// and closures numbered after their encloser, `e1.func1`.
import ts from 'typescript';
import { isFunctionLikeWithBody, namingHost } from '../directives.js';
import { syntaxCache } from '../program-analysis.js';
import type { GraphNode } from './graph.js';

function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return `[${name.expression.getText()}]`;
  return undefined;
}

function className(cls: ts.ClassLikeDeclaration): string {
  if (cls.name) return cls.name.text;
  const host = cls.parent;
  if (ts.isVariableDeclaration(host) && ts.isIdentifier(host.name)) return host.name.text;
  return '(class)';
}

/** The name a function gets in messages. */
export function functionName(node: GraphNode): string {
  const nameCache = syntaxCache<ts.Node, string>('function-names', node.getSourceFile());
  let name = nameCache.get(node);
  if (name === undefined) {
    name = computeName(node);
    nameCache.set(node, name);
  }
  return name;
}

function computeName(node: GraphNode): string {
  if (ts.isClassLike(node) || ts.isConstructorDeclaration(node)) {
    return `new ${className(ts.isClassLike(node) ? node : node.parent)}`;
  }
  if (ts.isFunctionDeclaration(node)) return node.name?.text ?? 'default';
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const member = propertyNameText(node.name) ?? '?';
    const owner = ts.isClassLike(node.parent) ? className(node.parent) : objectName(node.parent);
    const qualified = owner ? `${owner}.${member}` : member;
    return ts.isGetAccessorDeclaration(node) ? `get ${qualified}` : ts.isSetAccessorDeclaration(node) ? `set ${qualified}` : qualified;
  }
  // A function expression or arrow: named by what it is assigned to, else a closure of its encloser.
  const host = namingHost(node);
  if (ts.isVariableDeclaration(host) && ts.isIdentifier(host.name)) return host.name.text;
  if (ts.isPropertyDeclaration(host)) {
    const member = propertyNameText(host.name) ?? '?';
    return ts.isClassLike(host.parent) ? `${className(host.parent)}.${member}` : member;
  }
  if (ts.isPropertyAssignment(host)) {
    const member = propertyNameText(host.name) ?? '?';
    const owner = objectName(host.parent);
    return owner ? `${owner}.${member}` : member;
  }
  if (ts.isBinaryExpression(host) && host.operatorToken.kind === ts.SyntaxKind.EqualsToken) return host.left.getText();
  if (ts.isFunctionExpression(node) && node.name) return node.name.text;
  return closureName(node);
}

/** `outer.funcN` for an anonymous closure; `func@line` at the top level. */
function closureName(node: GraphNode): string {
  const encloser = ts.findAncestor(node.parent, (n): n is GraphNode => isFunctionLikeWithBody(n) || ts.isClassLike(n));
  if (!encloser) return `func@${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const owner = ts.isClassLike(encloser) ? className(encloser) : functionName(encloser);
  return `${owner}.func${closureIndex(encloser, node)}`;
}

function objectName(literal: ts.Node): string | undefined {
  const host = literal.parent;
  if (host && ts.isVariableDeclaration(host) && ts.isIdentifier(host.name)) return host.name.text;
  return undefined;
}

/** Go numbers closures 1, 2, … in source order within their enclosing function. */
function closureIndex(encloser: ts.Node, target: ts.Node): number {
  let index = 0;
  let found = 0;
  const stack: ts.Node[] = [];
  ts.forEachChild(encloser, (c) => void stack.push(c));
  stack.reverse();
  while (stack.length > 0 && !found) {
    const n = stack.pop()!;
    if (ts.isFunctionExpression(n) || ts.isArrowFunction(n)) {
      index++;
      if (n === target) found = index;
      continue;
    }
    if (isFunctionLikeWithBody(n) || ts.isClassLike(n)) continue;
    const children: ts.Node[] = [];
    ts.forEachChild(n, (c) => void children.push(c));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return found || index + 1;
}
