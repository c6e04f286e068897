// Builds dist/ once before the suite, so that CLI tests spawn the code under test and never a stale build.
// A type error does not stop the build (tsc still emits); `npm run typecheck` is where it fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) process.stderr.write(`global-setup: tsc reported errors (build emitted anyway):\n${result.stdout}${result.stderr}\n`);
}
