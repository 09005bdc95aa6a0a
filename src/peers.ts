// The lint side's peer dependencies. They are optional for the package (the
// runtime entry needs none of them), so `offheap/eslint-plugin` checks them
// before the rules load: a missing or unsupported peer is named in one clear
// error instead of a module-resolution failure deep inside the rules.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version of an installed package as seen from this package, or undefined when it cannot be resolved. */
export type VersionOf = (name: string) => string | undefined;

const installedVersion: VersionOf = (name) => {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
};

/**
 * The peers the plugin imports at run time (the rules: typescript and utils; the configs: the parser they set), with
 * the packages a user installs to get them.
 */
const runtimePeers: readonly { name: string; via: string }[] = [
  { name: 'typescript', via: 'typescript@~6.0' },
  { name: '@typescript-eslint/utils', via: 'typescript-eslint' },
  { name: '@typescript-eslint/parser', via: 'typescript-eslint' },
];

/** The peers typescript-eslint brings, checked against their caret ranges (`^8.40.0`: 8.40.0 up to, not including, 9). */
const typescriptEslintPeers = ['@typescript-eslint/utils', '@typescript-eslint/parser'];

/**
 * What keeps the plugin from loading, one problem per line; empty when it can
 * load. `ranges` are the package's peerDependencies.
 */
export function peerProblems(ranges: Readonly<Record<string, string>>, versionOf: VersionOf = installedVersion): string[] {
  const problems: string[] = [];
  // The peer range is the runtime's (its types check under TypeScript 7 too); the rules run inside typescript-eslint 8,
  // which does not run on TypeScript 7, and below the range's floor they would call compiler APIs that do not exist
  // yet. (A newer 6.x is let through: it is likely to work, and typescript-eslint warns about it.)
  const tsVersion = versionOf('typescript');
  const tsFloor = /^>=\s*(\d+\.\d+\.\d+)/.exec(ranges.typescript ?? '')?.[1] ?? '0.0.0';
  const tsBelow = tsVersion !== undefined && compareVersions(tsVersion, tsFloor) < 0;
  const tsAbove = tsVersion !== undefined && compareVersions(tsVersion, '7.0.0') >= 0;
  const missing = runtimePeers.filter((peer) => versionOf(peer.name) === undefined);
  if (missing.length > 0) {
    // One command that works: with an unsupported TypeScript installed, npm refuses typescript-eslint unless the
    // same command brings a TypeScript it accepts.
    const install = [...(tsBelow || tsAbove ? ['typescript@~6.0'] : []), ...missing.map((p) => p.via)];
    problems.push(
      `offheap/eslint-plugin needs ${listed(missing.map((p) => `${p.name} (${ranges[p.name] ?? 'any'})`))}, ` +
        `which ${missing.length > 1 ? 'are' : 'is'} not installed. The runtime (\`offheap\`) needs no dependencies; ` +
        `the lint side does: npm i -D eslint ${[...new Set(install)].join(' ')} jiti`,
    );
  }
  if (tsBelow || tsAbove) {
    problems.push(
      `offheap/eslint-plugin supports typescript ${tsFloor} to 6.x; found ${tsVersion}` +
        `${tsAbove ? ' (typescript-eslint 8 does not run on TypeScript 7)' : ''}: npm i -D typescript@~6.0`,
    );
  }
  // An installed typescript-eslint package outside its range: nothing below the floor is tested (the pack test installs
  // the floor and the latest 8), and another major is another API. Both come with typescript-eslint, but one the user
  // installed directly (a devDependency of its own) stays where it is when only typescript-eslint moves: the command
  // names each package out of range too.
  const outside = typescriptEslintPeers.flatMap((name) => {
    const version = versionOf(name);
    const range = /^\^\s*(\d+)\.(\d+)\.(\d+)$/.exec(ranges[name] ?? '');
    if (version === undefined || !range) return [];
    const [, major] = range;
    const inRange = Number(version.split('.')[0]) === Number(major) && compareVersions(version, range.slice(1).join('.')) >= 0;
    return inRange ? [] : [{ name, version, range: ranges[name], major }];
  });
  if (outside.length > 0) {
    problems.push(
      `offheap/eslint-plugin supports ${listed(outside.map((p) => `${p.name} ${p.range}`))}; ` +
        `found ${listed(outside.map((p) => p.version))}: npm i -D typescript-eslint@^${outside[0].major} ${outside.map((p) => `${p.name}@${p.range}`).join(' ')}`,
    );
  }
  return problems;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : (items[0] ?? '');
}

/** Compares the numeric major.minor.patch of two versions (a prerelease counts as its release). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(/[.+-]/, 3).map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] || 0) - (y[i] || 0);
  return 0;
}
