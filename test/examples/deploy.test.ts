/**
 * examples/deploy: what can be checked without Docker or Kubernetes (neither runs here).
 * The files parse; compose's services, volumes, build targets and host names agree with
 * each other and with Dockerfile.coder; every path the Dockerfile COPYs or compose mounts
 * exists in the repository; every `devdb …` command they run is a real command with real
 * flags (`devdb <command> --help`); every DEVDB_* variable is one DevDB reads; no secret
 * is written down; the CloudNativePG manifest has what DevDB needs. bootstrap.mjs runs for
 * real against a throwaway PostgreSQL, and a database is then provisioned through it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { startTempCluster, type TempCluster } from '../helpers/cluster.js';

const run = promisify(execFile);
const DIR = path.join('examples', 'deploy');
const CLI = path.resolve('dist/server/cli.js');
const read = (file: string) => readFileSync(path.join(DIR, file), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

// Compose files use YAML merge keys (`<<: *devdb-image`).
const compose = parse(read('compose.yaml'), { merge: true }) as Compose;
const services = compose.services;

/** Dockerfile.coder as instructions (continuation lines joined, comments dropped). */
function dockerfile(): { op: string; args: string }[] {
  return read('Dockerfile.coder')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}
const instructions = dockerfile();
const stages = instructions
  .filter((i) => i.op === 'FROM')
  .map((i) => /\bAS\s+(\S+)$/i.exec(i.args)?.[1]);

/** `devdb` command lines the deployment runs: compose commands, Dockerfile RUN and CMD. */
function devdbCommandLines(): string[][] {
  const lines: string[][] = [];
  for (const service of Object.values(services)) {
    if (!service.build || service.build.target !== 'devdb') continue;
    const entry = service.entrypoint ?? ['devdb'];
    if (entry[0] === 'devdb') lines.push(service.command ?? []);
    else
      for (const script of service.command ?? [])
        for (const m of script.matchAll(/\bdevdb ([^&|;]+)/g))
          lines.push(m[1]!.trim().split(/\s+/));
  }
  for (const { op, args } of instructions) {
    if (op === 'RUN') {
      for (const m of args.matchAll(/dist\/server\/cli\.js ([^&|;]+)/g))
        lines.push(m[1]!.trim().split(/\s+/));
    }
    if (op === 'CMD') lines.push(JSON.parse(args) as string[]);
  }
  return lines;
}

describe('examples/deploy/compose.yaml', () => {
  it('has the six services, each depending only on services that exist', () => {
    expect(Object.keys(services).sort()).toEqual([
      'coder',
      'coder-postgres',
      'devdb',
      'devdb-agent-files',
      'devdb-bootstrap',
      'devdb-postgres',
    ]);
    expect(services['devdb-postgres']!.image).toBe('postgres:17');
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
      }
    }
    // The one-shot step gates both long-running consumers of DevDB's schema.
    expect(services.devdb!.depends_on!['devdb-bootstrap']!.condition).toBe(
      'service_completed_successfully',
    );
    expect(services.coder!.depends_on!['devdb-bootstrap']!.condition).toBe(
      'service_completed_successfully',
    );
  });

  it('builds from the repository root with Dockerfile.coder targets that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      expect(path.resolve(DIR, service.build.context), name).toBe(process.cwd());
      expect(existsSync(service.build.dockerfile), name).toBe(true);
      expect(stages, name).toContain(service.build.target);
    }
    expect(services.coder!.build!.target).toBe('coder');
  });

  it('names only hosts that are its services, and volumes it declares or files that exist', () => {
    const env = Object.values(services).flatMap((s) => Object.values(s.environment ?? {}));
    for (const value of env) {
      for (const m of String(value).matchAll(/(?:@|https?:\/\/)([a-z][a-z0-9-]*):\d+/g)) {
        expect(Object.keys(services), value).toContain(m[1]);
      }
    }
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(path.join(DIR, source)), volume).toBe(true);
        else if (!source.startsWith('/')) expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });

  it('writes no secret down: passwords come from .env, which env.example lists and git ignores', () => {
    const text = read('compose.yaml');
    const variables = new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
    const example = read('env.example');
    for (const name of variables) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    // Every password is a required variable, and every URL's password one too.
    const passwords = [...text.matchAll(/^\s+(\w*PASSWORD\w*):\s*(\S+)/gm)];
    expect(passwords.length).toBeGreaterThanOrEqual(3);
    for (const m of passwords) expect(m[2], m[1]).toMatch(/^\$\{[A-Z_]+:\?/);
    for (const m of text.matchAll(/postgresql:\/\/[^:\s]+:([^@\s]+)@/g)) {
      expect(m[1]).toMatch(/^\$\{[A-Z_]+:\?/);
    }
    expect(readFileSync('.gitignore', 'utf8')).toMatch(/^\.env$/m);
  });

  it('passes DevDB only DEVDB_* variables DevDB reads', async () => {
    const sources = await sourceText();
    for (const service of Object.values(services)) {
      for (const name of Object.keys(service.environment ?? {})) {
        if (!name.startsWith('DEVDB_')) continue;
        // The bootstrap step's own two are read by bootstrap.mjs.
        const reader = name.startsWith('DEVDB_SUPERUSER') || name === 'DEVDB_PROVISIONER_PASSWORD';
        expect(reader ? read('bootstrap.mjs') : sources, name).toContain(name);
      }
    }
    expect(services.devdb!.environment!.DEVDB_API_LISTEN).toBe('0.0.0.0:7432');
  });
});

/** DevDB's shipped TypeScript, concatenated: where its environment variables are read. */
async function sourceText(): Promise<string> {
  const texts: string[] = [];
  for (const root of ['server', 'provisioning', 'provider/devdb']) {
    for (const entry of await readdir(root, { recursive: true })) {
      if (entry.endsWith('.ts')) texts.push(await readFile(path.join(root, entry), 'utf8'));
    }
  }
  return texts.join('\n');
}

describe('examples/deploy/Dockerfile.coder', () => {
  it('extends a pinned official Coder image and copies only what exists', () => {
    const args = Object.fromEntries(
      instructions.filter((i) => i.op === 'ARG').map((i) => i.args.split('=') as [string, string]),
    );
    expect(args.CODER_IMAGE).toMatch(/^ghcr\.io\/coder\/coder:v\d+\.\d+\.\d+$/);
    expect(stages).toEqual(['build', 'runtime-deps', 'agent-sea', 'agent-files', 'devdb', 'coder']);
    const ignored = read('Dockerfile.coder.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const { op, args: line } of instructions) {
      if (op !== 'COPY') continue;
      const from = /--from=(\S+)/.exec(line)?.[1];
      const parts = line.split(/\s+/).filter((p) => !p.startsWith('--'));
      const sources = parts.slice(0, -1);
      if (from) {
        expect(stages.indexOf(from), line).toBeGreaterThanOrEqual(0);
        continue;
      }
      for (const source of sources) {
        expect(existsSync(source), `COPY ${source}`).toBe(true);
        expect(ignored, `COPY ${source} is in the .dockerignore`).not.toContain(source);
      }
    }
  });

  it('puts an executable `devdb` on the devdb image PATH (tsc writes cli.js without +x)', () => {
    const link = instructions.find(
      (i) => i.op === 'RUN' && /ln -s \S+ \/usr\/local\/bin\/devdb/.test(i.args),
    );
    const target = /ln -s (\S+) \/usr\/local\/bin\/devdb/.exec(link!.args)![1]!;
    expect(link!.args).toMatch(new RegExp(`chmod (755|\\+x) ${target.replaceAll('.', '\\.')}`));
    expect(target).toBe('/opt/devdb/dist/server/cli.js');
    expect(readFileSync(CLI, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('points TF_CLI_CONFIG_FILE at the terraform.rc `devdb provider install --dir` writes', async () => {
    const install = instructions.find((i) => i.op === 'RUN' && i.args.includes('provider install'));
    const mirror = /--dir (\S+)/.exec(install!.args)![1]!;
    const env = instructions.find((i) => i.op === 'ENV' && i.args.startsWith('TF_CLI_CONFIG_FILE'));
    expect(env!.args).toBe(`TF_CLI_CONFIG_FILE=${mirror}/terraform.rc`);
    const copy = instructions.find((i) => i.op === 'COPY' && i.args.includes(mirror));
    expect(copy!.args).toBe(`--from=build ${mirror} ${mirror}`);
    // The real command lays out exactly that file.
    const dir = await mkdtemp(path.join(tmpdir(), 'devdb-deploy-mirror-'));
    try {
      await run(process.execPath, [CLI, 'provider', 'install', '--dir', dir]);
      const rc = await readFile(path.join(dir, 'terraform.rc'), 'utf8');
      expect(rc).toContain(`path    = ${JSON.stringify(dir)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the agent-sea stage's steps work on the files it copies (run here, outside Docker)", async () => {
    const start = instructions.findIndex((i) => i.op === 'FROM' && / AS agent-sea$/.test(i.args));
    const end = instructions.findIndex((i, n) => n > start && i.op === 'FROM');
    const stage = instructions.slice(start + 1, end);
    const workdir = stage.find((i) => i.op === 'WORKDIR')!.args;
    const root = await mkdtemp(path.join(tmpdir(), 'devdb-deploy-agent-sea-'));
    try {
      const work = path.join(root, 'work');
      for (const { op, args } of stage) {
        if (op !== 'COPY') continue;
        const [source, target] = args.replace(/--from=\S+\s+/, '').split(/\s+/) as [string, string];
        // The build stage's WORKDIR is the repository after `npm ci`: dist/ and node_modules/ as here.
        const from = source.startsWith(`${workdir}/`) ? source.slice(workdir.length + 1) : source;
        await cp(from, path.resolve(work, target), { recursive: true });
      }
      const runs = stage.filter((i) => i.op === 'RUN').map((i) => i.args);
      expect(runs).toHaveLength(1);
      await mkdir(path.join(root, 'srv'));
      await run('sh', ['-c', runs[0]!.replaceAll('/srv/', `${root}/srv/`)], {
        cwd: work,
        timeout: 240_000,
      });
      const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string })
        .version;
      const served = path.join(root, 'srv', 'devdb-agent', version);
      expect((await readdir(served)).sort()).toEqual([
        'bundle',
        'devdb-agent',
        'devdb-agent.sha256',
      ]);
      const { stdout } = await run(path.join(served, 'devdb-agent'), ['--version'], {
        env: { PATH: path.join(root, 'srv') },
      });
      expect(stdout).toBe(`${version}\n`);
      expect(existsSync(path.join(served, 'bundle', 'devdb-agent'))).toBe(true);
      // agent-files serves exactly that tree.
      const files = instructions.find(
        (i) => i.op === 'COPY' && i.args.startsWith('--from=agent-sea'),
      );
      expect(files!.args).toBe('--from=agent-sea /srv/devdb-agent /usr/share/nginx/html');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 300_000);

  it('runs only real devdb commands with real flags', async () => {
    const lines = devdbCommandLines();
    // provider install, migrate --status (bootstrap), serve (compose and the image's CMD).
    expect(lines.map((l) => l.filter((w) => !w.startsWith('-'))[0]).sort()).toEqual(
      expect.arrayContaining(['migrate', 'provider', 'serve']),
    );
    for (const line of lines) {
      const words: string[] = [];
      for (const word of line) {
        if (word.startsWith('-')) break;
        words.push(word);
      }
      // Values of flags are not words: `serve --log-format json` is the command `serve`.
      const { stdout } = await run(process.execPath, [CLI, ...words, '--help']);
      for (const flag of line.filter((w) => w.startsWith('--'))) {
        expect(stdout, `devdb ${line.join(' ')}`).toContain(flag);
      }
    }
  });
});

describe('examples/deploy/cnpg-cluster.yaml', () => {
  it('is a CloudNativePG Cluster of three PostgreSQL 17 instances that creates devdb', () => {
    const docs = parseAllDocuments(read('cnpg-cluster.yaml'));
    expect(docs).toHaveLength(1);
    for (const doc of docs) expect(doc.errors).toEqual([]);
    const cluster = docs[0]!.toJS() as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: {
        instances: number;
        imageName: string;
        enableSuperuserAccess: boolean;
        bootstrap: { initdb: { database: string; owner: string; secret: { name: string } } };
      };
    };
    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(cluster.kind).toBe('Cluster');
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:17(\.\d+)?$/);
    expect(cluster.spec.bootstrap.initdb).toMatchObject({
      database: 'devdb',
      owner: 'devdb_provisioner',
    });
    // The guide points DevDB at <name>-rw and runs bootstrap.mjs with <name>-superuser.
    const guide = readFileSync(path.join('docs', 'deploy.md'), 'utf8');
    expect(guide).toContain(`${cluster.metadata.name}-rw`);
    expect(guide).toContain(`${cluster.metadata.name}-superuser`);
    expect(guide).toContain(cluster.spec.bootstrap.initdb.secret.name);
  });
});

describe('examples/deploy/bootstrap.mjs, for real', () => {
  let cluster: TempCluster;
  beforeAll(async () => {
    cluster = await startTempCluster();
  });
  afterAll(() => cluster?.stop());

  it('sets DevDB up on a bare PostgreSQL (twice: idempotent); devdb provision then works', async () => {
    const password = 'deploy-test-provisioner-pw';
    const env = {
      PATH: process.env.PATH,
      DEVDB_SUPERUSER_URL: cluster.url(),
      DEVDB_PROVISIONER_PASSWORD: password,
    };
    const script = path.join(DIR, 'bootstrap.mjs');
    const first = await run(process.execPath, [script], { env });
    expect(first.stderr).toMatch(/devdb_provisioner and the devdb database are ready/);
    const again = await run(process.execPath, [script], { env });
    expect(again.stderr).toMatch(/\(0 migrations applied now\)/);

    const adminUrl = cluster.url('devdb_provisioner', password, 'devdb');
    const cli = (args: string[]) =>
      run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH, DEVDB_ADMIN_URL: adminUrl, DEVDB_API_LISTEN: '127.0.0.1:0' },
      });
    await cli(['migrate', '--status']);
    // CREATE DATABASE goes through the loopback bootstrap.mjs configured.
    const { stdout } = await cli([
      'provision',
      '--type',
      'individual',
      '--owner',
      'alice',
      '--workspace-id',
      'deploy-ws-1',
      '--json',
    ]);
    expect((JSON.parse(stdout) as { name: string }).name).toBe('dev_alice');
  });

  it('refuses to start without its settings', async () => {
    const failed = await run(process.execPath, [path.join(DIR, 'bootstrap.mjs')], {
      env: { PATH: process.env.PATH },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('DEVDB_SUPERUSER_URL is not set');
  });
});
