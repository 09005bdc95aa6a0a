// A TypeScript program over the runtime's entry, for tests that pin the
// declaration tags the lint rules rely on. Built once per worker.
import path from 'node:path';
import ts from 'typescript';

const entry = path.resolve(import.meta.dirname, '../../src/runtime/index.ts');
const program = ts.createProgram([entry], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
});
export const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));

/** The symbol `offheap` exports under `name` (an alias). */
export function exported(name: string): ts.Symbol {
  const s = exports.get(name);
  if (!s) throw new Error(`offheap does not export ${name}`);
  return s;
}

/** A member of an exported class or interface. */
export function member(owner: string, name: string): ts.Symbol {
  const cls = checker.getAliasedSymbol(exported(owner));
  const m = cls.members?.get(name as ts.__String);
  if (!m) throw new Error(`${owner} has no member ${name}`);
  return m;
}

export function hasWriteBarrierTag(symbol: ts.Symbol): boolean {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return (target.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'writebarrier'));
}
