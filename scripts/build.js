// `npm run build`: the bindings (generate), tsc, then the assets (scripts/build-assets.js),
// and last the stamp of the sources it was built from (scripts/build-stamp.js).
// `--if-stale` (npm start, npm test, the bench scripts) builds only when the sources
// differ from the stamp's: a second `npm start` with nothing changed starts at once.
import { execFileSync } from 'node:child_process';
import { clearStamp, fingerprint, isFresh, writeStamp } from './build-stamp.js';

const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });

const stamp = fingerprint();
if (process.argv.includes('--if-stale') && isFresh(stamp)) process.exit(0);
clearStamp();
run(['scripts/generate-bindings.js']);
run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
run(['scripts/build-assets.js']);
writeStamp(stamp);
