// `offheap/eslint-plugin`: the type-aware rules that prove Go's unmanaged
// memory discipline. Default export only: ESLint and eslint-doc-generator
// unwrap `.default` only when nothing else is exported.
//
// The peers (typescript, @typescript-eslint/utils, @typescript-eslint/parser)
// are optional for the package, so they are checked before the rules and the
// configs, which import them, load.
import { createRequire } from 'node:module';
import { peerProblems } from './peers.js';

const pkg = createRequire(import.meta.url)('../package.json') as { peerDependencies: Record<string, string> };
const problems = peerProblems(pkg.peerDependencies);
if (problems.length > 0) throw new Error(problems.join('\n'));

const { default: plugin } = await import('./plugin.js');
export default plugin;
