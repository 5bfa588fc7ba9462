// `npm run build:agent-sea`: devdb-agent as a single executable for linux-x64, for
// workspace images without Node.js (docs/deploy.md, "The agent without Node.js").
//
// Node's single executable applications (SEA), as Node 20 documents them: the agent
// bundle (dist/agent-bundle/devdb-agent, CommonJS, built by `npm run build`) goes into a
// preparation blob (`node --experimental-sea-config`), which postject injects into a
// copy of the node binary that runs this script. The result needs no node, no
// node_modules: only glibc and libstdc++, as the node binary itself does.
//
//   dist/agent-sea/devdb-agent          the executable (mode 0755)
//   dist/agent-sea/devdb-agent.sha256   its digest, in `sha256sum -c` format
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'postject';

export const AGENT_BUNDLE = path.join('dist', 'agent-bundle', 'devdb-agent');
export const SEA_DIR = path.join('dist', 'agent-sea');
export const SEA_EXECUTABLE = path.join(SEA_DIR, 'devdb-agent');

/** The sentinel Node's SEA loader looks for (Node's docs, "Injecting the preparation blob"). */
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Does `strip` exist here? Stripping the copy's symbols saves about 12 MiB. */
function haveStrip() {
  try {
    execFileSync('strip', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds dist/agent-sea/devdb-agent from the agent bundle and the node binary `node`
 * (default: the one running this). Returns the executable's path, size and sha256.
 */
export async function buildAgentSea({ node = process.execPath, strip = haveStrip() } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the SEA agent is built for linux-x64 only (this is ${process.platform}-${process.arch})`,
    );
  }
  const binary = readFileSync(node);
  if (!binary.includes(`${SENTINEL_FUSE}:0`)) {
    // Distribution builds that link a shared libnode have no fuse (and nothing to inject into).
    throw new Error(`${node} has no unflipped SEA fuse: use an official Node.js ≥ 20 binary`);
  }
  let bundle;
  try {
    bundle = readFileSync(AGENT_BUNDLE, 'utf8');
  } catch {
    throw new Error(`${AGENT_BUNDLE} is missing: run \`npm run build\` first`);
  }

  const work = path.join(SEA_DIR, '.work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    // The SEA's main script is CommonJS source, not a file run by a shell: no shebang.
    const main = path.join(work, 'main.cjs');
    writeFileSync(main, bundle.replace(/^#!.*\n/, ''));
    const blob = path.join(work, 'sea-prep.blob');
    const config = path.join(work, 'sea-config.json');
    writeFileSync(
      config,
      JSON.stringify({
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        // V8's code cache for the main script, made now: a faster cold start.
        useCodeCache: true,
      }),
    );
    execFileSync(node, ['--experimental-sea-config', config], { stdio: 'pipe' });

    const staged = path.join(work, 'devdb-agent');
    if (strip) execFileSync('strip', ['--strip-all', node, '-o', staged], { stdio: 'pipe' });
    else copyFileSync(node, staged);
    // postject prints ELF section warnings for node's notes on stderr; they are harmless.
    await inject(staged, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
    chmodSync(staged, 0o755);
    renameSync(staged, SEA_EXECUTABLE);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const built = readFileSync(SEA_EXECUTABLE);
  const sha256 = createHash('sha256').update(built).digest('hex');
  writeFileSync(`${SEA_EXECUTABLE}.sha256`, `${sha256}  devdb-agent\n`);
  return { path: SEA_EXECUTABLE, bytes: built.length, sha256, stripped: strip };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildAgentSea();
  const mib = (built.bytes / 1024 / 1024).toFixed(1);
  console.log(
    `${built.path}: ${mib} MiB${built.stripped ? ' (stripped)' : ''}, sha256 ${built.sha256}`,
  );
}
