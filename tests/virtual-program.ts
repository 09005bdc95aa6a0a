import ts from 'typescript';

/**
 * A TypeScript program over in-memory files (paths like `/p/a.ts`), with the
 * default lib from disk. For analysis tests that need a checker but no ESLint.
 */
export const virtualOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  types: [],
};

export function virtualProgram(files: Record<string, string>, roots = Object.keys(files)): ts.Program {
  const options = virtualOptions;
  const host = ts.createCompilerHost(options, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files[name] ?? read(name);
  const dirExists = host.directoryExists?.bind(host);
  host.fileExists = (name) => name in files || exists(name);
  host.directoryExists = (dir) =>
    Object.keys(files).some((f) => f.startsWith(dir.endsWith('/') ? dir : `${dir}/`)) || (dirExists?.(dir) ?? false);
  host.getSourceFile = (name, version, onError, create) =>
    name in files
      ? ts.createSourceFile(name, files[name], version, true)
      : getSourceFile(name, version, onError, create);
  return ts.createProgram(roots, options, host);
}
