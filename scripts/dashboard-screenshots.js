// `npm run screenshots:dashboard`: the dashboard's pages as PNGs in docs/
// (docs/dashboard-overview.png, -databases.png, -database.png, -credentials.png
// from browser.test.ts; -events.png, -settings.png, -trends.png, -fleet.png from
// console.test.ts), taken by the Chromium tests against a real DevDB. Needs
// Debian's chromium (or DEVDB_CHROMIUM) and a build (the script runs one).
import { spawnSync } from 'node:child_process';

const run = (command, args, env = {}) => {
  const { status } = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (status !== 0) process.exit(status ?? 1);
};

run('npm', ['run', 'build', '--silent']);
for (const file of ['browser', 'console']) {
  run('npx', ['vitest', 'run', `test/server/dashboard/${file}.test.ts`], {
    DEVDB_SCREENSHOTS: '1',
  });
}
console.log('wrote docs/dashboard-*.png');
