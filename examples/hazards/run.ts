// Runs every run-time hazard and prints the failure each mistake causes
// (`npm start` runs this after the particle example). `--json` prints the
// outcomes as JSON, for tests/examples/hazards.test.ts. Exits with 1 if a
// scenario did not fail the way it should.
import { runScenario, scenarios } from './scenarios.js';

const outcomes = scenarios.map(runScenario);
const failed = outcomes.filter((o) => o.code !== o.expected);

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(outcomes));
} else {
  const short = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  for (const o of outcomes) {
    const mark = o.code === o.expected ? 'ok ' : 'BAD';
    console.log(`${mark} ${o.rule} (${o.mistake}): ${o.what}`);
    console.log(`      → ${o.error ?? 'no error'}${o.code ? ` ${o.code}` : ''}: ${short(o.message, 140)}`);
  }
  console.log(`${outcomes.length - failed.length} of ${outcomes.length} hazards failed the way their rule predicts`);
}
if (failed.length > 0) process.exitCode = 1;
