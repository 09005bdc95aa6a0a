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

/**
 * Successive programs over in-memory files, the way the language server makes
 * them: the host hands back the same SourceFile object for a file whose text
 * did not change (the default lib's too), and each program is built from the
 * previous one.
 */
export function editableProject(initial: Record<string, string>) {
  const files = { ...initial };
  const options = virtualOptions;
  const parsed = new Map<string, ts.SourceFile>();
  const host = ts.createCompilerHost(options, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files[name] ?? read(name);
  host.fileExists = (name) => name in files || exists(name);
  const dirExists = host.directoryExists?.bind(host);
  host.directoryExists = (dir) => Object.keys(files).some((f) => f.startsWith(`${dir.replace(/\/$/, '')}/`)) || (dirExists?.(dir) ?? false);
  host.getSourceFile = (name, version, onError, create) => {
    const old = parsed.get(name);
    if (!(name in files)) {
      if (!old) {
        const sf = getSourceFile(name, version, onError, create);
        if (sf) parsed.set(name, sf);
        return sf;
      }
      return old;
    }
    if (old && old.text === files[name]) return old;
    const sf = ts.createSourceFile(name, files[name], version, true);
    parsed.set(name, sf);
    return sf;
  };
  let program: ts.Program | undefined;
  return {
    build(): ts.Program {
      program = ts.createProgram(Object.keys(files), options, host, program);
      return program;
    },
    edit(name: string, text: string): void {
      files[name] = text;
    },
    /** The same files as a program of their own: nothing carried from an earlier program. */
    cold(): ts.Program {
      return virtualProgram(files);
    },
  };
}
