// The entry every rule goes through: type information for files that use
// offheap, nothing for the rest.
import type { ParserServicesWithTypeInformation, TSESLint } from '@typescript-eslint/utils';
import { ESLintUtils } from '@typescript-eslint/utils';
import type ts from 'typescript';
import { reachesRuntime } from './offheap-files.js';
import { programAnalysis, type ProgramAnalysis } from './program-analysis.js';

export interface OffheapContext {
  readonly services: ParserServicesWithTypeInformation;
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly sourceFile: ts.SourceFile;
  /** The program's analysis state, bound to this file's ESTree (`tsOf`, `typeOf`, caches). */
  readonly analysis: ProgramAnalysis;
}

/**
 * Type information for the file being linted, or undefined when the file
 * cannot see offheap (the rule then registers no listeners). Without type
 * information (no `projectService` or `project`) it throws typescript-eslint's
 * "requires type information" error, as typescript-eslint's typed rules do:
 * a rule that cannot see types must not pass the file. The configs are
 * scoped to TypeScript files, so JavaScript files never get here.
 */
export function offheapContext(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
): OffheapContext | undefined {
  const services = ESLintUtils.getParserServices(context);
  const program = services.program;
  const sourceFile = program.getSourceFile(context.physicalFilename) ?? program.getSourceFile(context.filename);
  if (!sourceFile) return undefined;
  const analysis = programAnalysis(program);
  if (!reachesRuntime(analysis, sourceFile)) return undefined;
  analysis.bind(services, context.sourceCode.ast);
  return {
    services,
    program,
    checker: analysis.checker,
    sourceFile,
    analysis,
  };
}
