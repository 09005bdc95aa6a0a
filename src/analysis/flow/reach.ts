// Whether a file's values can have offheap types at all. A `Ptr`, `Garbage`
// or `HeapRef` type, and every runtime call, comes from a declaration of the
// runtime, which a module reaches only by naming a binding of it (directly or
// through modules that do): a file that only runs the runtime for its side
// effects (`import 'offheap'`) holds no memory state, and the flow answers it
// without asking a single type. The fixpoint over the program's imports is
// offheap-files.ts's `namesRuntime`, shared with the type rules, so the flow
// rules and the type rules skip exactly the same files.
//
// A file that names the runtime but sees only its numbers (`Ptr`, `Garbage`,
// `MaybeGarbage`, nil: `seesHeapRefs` false, through every file whose
// bindings it names) holds no handle and calls nothing of the runtime, here or
// through those files' functions: every allocation, clear, store, root, pin and
// free is a runtime call, so the flow can find nothing in it either.
//
// Naming is not using: a file whose runtime imports never occur again, directly
// or through the files whose bindings it uses (`usesRuntime`, the type rules'
// gate), holds no runtime value either. That test reads names only, and is
// asked before the runtime view, which resolves bindings.
import type ts from 'typescript';
import { namesRuntime, seesHeapRefs, usesRuntime } from '../offheap-files.js';
import type { ProgramAnalysis } from '../program-analysis.js';

/**
 * Counted work, for tests: files answered from their imports alone, of the others those that use no runtime binding,
 * and of the rest those that see only the runtime's numbers.
 */
export const reachCounters = { filesWithoutBindings: 0, filesNotUsing: 0, filesSeeingNumbersOnly: 0 };

/** False only when no value of `file` can have an offheap type or take part in a runtime effect (see above). Memoised per program. */
export function mayNameRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const memo = pa.cache<ts.SourceFile, boolean>('flow:names-runtime');
  let found = memo.get(file);
  if (found === undefined) {
    found = namesRuntime(pa, file);
    if (!found) reachCounters.filesWithoutBindings++;
    else if (!usesRuntime(pa, file)) {
      reachCounters.filesNotUsing++;
      found = false;
    } else if (!seesHeapRefs(pa, file)) {
      reachCounters.filesSeeingNumbersOnly++;
      found = false;
    }
    memo.set(file, found);
  }
  return found;
}
