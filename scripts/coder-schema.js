// `npm run schema:coder`: refreshes provider/constructs/schemas/coder.json, the schema
// the `coder` bindings are generated from, from `terraform providers schema -json` of
// the coder stand-in (test/coder-provider). The stand-in is TypeScript under test/, so
// its drift test does the work: vitest --update rewrites the file it compares against.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const vitest = path.join('node_modules', '.bin', 'vitest');
const result = spawnSync(vitest, ['run', 'test/coder-provider/schema.test.ts', '--update'], {
  stdio: 'inherit',
});
if (result.status === 0) console.log('wrote provider/constructs/schemas/coder.json');
process.exit(result.status ?? 1);
