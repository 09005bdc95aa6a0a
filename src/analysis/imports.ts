// The local names under which a file imported runtime declarations, so a
// suggestion can spell `HeapRef<…>` or `Ptr<…>` the way the file does (or
// offer nothing when the file has no such name in scope).
import ts from 'typescript';
import { offheapIdOf } from './declarations.js';
import { cacheOf } from './program-analysis.js';

/** The local name bound to the runtime declaration tagged `id` by a named import, if any. */
export function importedNameOf(checker: ts.TypeChecker, file: ts.SourceFile, id: string): string | undefined {
  // Program-scoped: the ids resolve through other files (re-exports), and checker symbols change with the program.
  const cache = cacheOf<ts.SourceFile, Map<string, string>>(checker, 'imports:names');
  let names = cache.get(file);
  if (!names) {
    names = new Map();
    for (const stmt of file.statements) {
      // CommonJS (a checkJs `.cjs` file): `const { a, b: c } = require('…')` binds like `import { a, b as c }`.
      if (ts.isVariableStatement(stmt)) {
        for (const d of stmt.declarationList.declarations) {
          const init = d.initializer;
          const required = init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1 && ts.isStringLiteralLike(init.arguments[0]);
          if (!ts.isObjectBindingPattern(d.name) || !required) continue;
          for (const el of d.name.elements) {
            if (el.dotDotDotToken || !ts.isIdentifier(el.name)) continue;
            const found = offheapIdOf(checker, checker.getSymbolAtLocation(el.name));
            if (found && !names.has(found)) names.set(found, el.name.text);
          }
        }
        continue;
      }
      if (!ts.isImportDeclaration(stmt)) continue;
      const bindings = stmt.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      for (const spec of bindings.elements) {
        const found = offheapIdOf(checker, checker.getSymbolAtLocation(spec.name));
        if (found && !names.has(found)) names.set(found, spec.name.text);
      }
    }
    cache.set(file, names);
  }
  return names.get(id);
}
