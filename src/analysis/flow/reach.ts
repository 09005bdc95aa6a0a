// Whether a file's values can have offheap types at all. A `Ptr`, `Garbage`
// or `HeapRef` type, and every runtime call, comes from a declaration of the
// runtime, which a module reaches only through what it imports: a file whose
// import declarations name no binding of a module that reaches the runtime
// (only side-effect imports such as `import 'offheap'`) holds no memory state,
// and the flow answers it without asking a single type. Conservative where
// that argument does not hold: a script (not a module), a `declare module`
// augmentation, a specifier that does not resolve, or a program where a file
// that reaches the runtime augments `global`.
import ts from 'typescript';
import { isRuntimeFile } from '../not-in-heap.js';
import { reachesRuntime } from '../offheap-files.js';
import { walkSpecifiers, type ProgramAnalysis } from '../program-analysis.js';

/** Counted work, for tests: files answered from their imports alone. */
export const reachCounters = { filesWithoutBindings: 0 };

interface CollectedReferences {
  readonly imports?: readonly ts.StringLiteralLike[];
  readonly moduleAugmentations?: readonly (ts.StringLiteral | ts.Identifier)[];
}

interface ResolvedModuleLookup {
  getResolvedModuleFromModuleSpecifier?: (spec: ts.StringLiteralLike, file: ts.SourceFile) => { resolvedModule?: { resolvedFileName: string } } | undefined;
}

/** False only when no value of `file` can have an offheap type (see above). Memoised per program. */
export function mayNameRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const memo = pa.cache<ts.SourceFile, boolean>('flow:names-runtime');
  let found = memo.get(file);
  if (found === undefined) memo.set(file, (found = namesRuntime(pa, file)));
  return found;
}

function namesRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  if (isRuntimeFile(file) || !ts.isExternalModule(file)) return true;
  const refs = file as CollectedReferences;
  if ((refs.moduleAugmentations?.length ?? 0) > 0 || globalsFromRuntime(pa)) return true;
  // The file's own walk first: it caches every file it passes, so the targets below are answered from it.
  if (!reachesRuntime(pa, file)) {
    reachCounters.filesWithoutBindings++;
    return false;
  }
  const specs = refs.imports ?? walkSpecifiers(file);
  for (const spec of specs) {
    const p = spec.parent;
    // `import 'offheap'`: runs the module, names nothing.
    if (ts.isImportDeclaration(p) && p.importClause === undefined) continue;
    const target = resolve(pa, spec, file);
    if (!target || reachesRuntime(pa, target)) return true;
  }
  reachCounters.filesWithoutBindings++;
  return false;
}

function resolve(pa: ProgramAnalysis, spec: ts.StringLiteralLike, file: ts.SourceFile): ts.SourceFile | undefined {
  const lookup = (pa.program as ResolvedModuleLookup).getResolvedModuleFromModuleSpecifier;
  if (typeof lookup === 'function') {
    const name = lookup.call(pa.program, spec, file)?.resolvedModule?.resolvedFileName;
    const target = name === undefined ? undefined : pa.program.getSourceFile(name);
    if (target) return target;
  }
  const decl = pa.checker.getSymbolAtLocation(spec)?.valueDeclaration;
  return decl && ts.isSourceFile(decl) ? decl : undefined;
}

/** Whether a file that reaches the runtime declares globals (`declare global`): then any file may name them. Once per program. */
function globalsFromRuntime(pa: ProgramAnalysis): boolean {
  const memo = pa.cache<'globals', boolean>('flow:runtime-globals');
  let found = memo.get('globals');
  if (found === undefined) {
    found = false;
    for (const f of pa.program.getSourceFiles()) {
      const augments = (f as CollectedReferences).moduleAugmentations ?? [];
      if (augments.some((m) => ts.isIdentifier(m) && m.text === 'global') && reachesRuntime(pa, f)) {
        found = true;
        break;
      }
    }
    memo.set('globals', found);
  }
  return found;
}
