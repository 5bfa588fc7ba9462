import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { createServerCertificate } from '../../../provider/plugin/transport/certificate.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMsgpack, encodeMsgpack } from '../../../provider/plugin/values/msgpack.js';
import { types } from '../../../provider/plugin/values/types.js';
import { isUnknown } from '../../../provider/plugin/values/value.js';
import { buildExample, type BuiltExample } from './helpers/example-build.js';
import {
  MAGIC_COOKIE,
  startPlugin,
  toPem,
  unary,
  type PluginConnection,
} from './helpers/plugin-client.js';

// Level (a): the bundled example provider spawned and spoken to over the real
// protocol (go-plugin handshake, mutual TLS, tfplugin6 calls) without Terraform.

let example: BuiltExample;
const open: PluginConnection[] = [];

beforeAll(async () => {
  example = await buildExample();
});
afterAll(() => example?.cleanup());
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

async function start(options: Parameters<typeof startPlugin>[1] = {}) {
  const plugin = await startPlugin(example.executable, options);
  open.push(plugin);
  return plugin;
}

const fileType = types.object({
  path: types.string,
  content: types.string,
  secret: types.string,
  permissions: types.string,
  delay_ms: types.number,
  id: types.string,
  checksum: types.string,
  label: types.list(types.object({ name: types.string, value: types.string })),
});

const dv = (value: Record<string, unknown> | null) => ({
  msgpack: encodeMsgpack(fileType, value as never),
});

describe('plugin process', () => {
  it('explains itself and exits non-zero when started outside Terraform', () => {
    const result = spawnSync(example.executable, [], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/is a Terraform plugin/);
  });

  it('prints a go-plugin handshake with a padding-free localhost certificate', async () => {
    const plugin = await start();
    const { core, protocol, network, address, transport, certificate } = plugin.handshake;
    expect([core, protocol, network, transport]).toEqual(['1', '6', 'unix', 'grpc']);
    expect(existsSync(address)).toBe(true);
    expect(certificate).not.toMatch(/=/);
    const cert = new X509Certificate(toPem(certificate));
    expect(cert.subjectAltName).toBe('DNS:localhost');
    expect(cert.ca).toBe(true);
  });

  it('serves the schema over mutual TLS', async () => {
    const plugin = await start();
    const response = await plugin.call<{
      resource_schemas: Record<
        string,
        { block: { attributes: { name: string; sensitive: boolean; type: Buffer }[] } }
      >;
      server_capabilities: { plan_destroy: boolean };
    }>('GetProviderSchema');
    const attributes = response.resource_schemas.example_file?.block.attributes ?? [];
    const secret = attributes.find((a) => a.name === 'secret');
    expect(secret?.sensitive).toBe(true);
    expect(JSON.parse(Buffer.from(secret!.type).toString())).toBe('string');
    expect(response.server_capabilities.plan_destroy).toBe(true);
  });

  it('refuses a client whose certificate is not the one Terraform announced', async () => {
    const plugin = await start();
    const stranger = createServerCertificate();
    const credentials = grpc.credentials.createSsl(
      Buffer.from(toPem(plugin.handshake.certificate)),
      Buffer.from(stranger.keyPem),
      Buffer.from(stranger.certPem),
    );
    const client = new grpc.Client(`unix://${plugin.handshake.address}`, credentials, {
      'grpc.ssl_target_name_override': 'localhost',
    });
    const error = await new Promise<Error | undefined>((resolve) =>
      client.waitForReady(Date.now() + 1000, (e) => resolve(e)),
    );
    client.close();
    expect(error).toBeInstanceOf(Error);
  });

  it('serves plaintext when Terraform disables TLS', async () => {
    const plugin = await start({ tls: false });
    expect(plugin.handshake.certificate).toBe('');
    const response = await plugin.call<{ resources: { type_name: string }[] }>('GetMetadata');
    expect(response.resources.map((r) => r.type_name)).toEqual(['example_file']);
  });

  it('plans computed attributes as unknown and validates with attribute paths', async () => {
    const plugin = await start();
    await plugin.call('ConfigureProvider', {
      config: {
        msgpack: encodeMsgpack(types.object({ base_dir: types.string }), { base_dir: '/tmp' }),
      },
    });
    const config = {
      path: 'x.txt',
      content: 'hi',
      secret: null,
      permissions: null,
      delay_ms: null,
      id: null,
      checksum: null,
      label: [{ name: 'Bad Name', value: null }],
    };
    const validation = await plugin.call<{
      diagnostics: { summary: string; attribute: { steps: object[] } }[];
    }>('ValidateResourceConfig', { type_name: 'example_file', config: dv(config) });
    expect(validation.diagnostics).toHaveLength(1);
    expect(validation.diagnostics[0]?.attribute.steps).toEqual(
      [
        {
          attribute_name: 'label',
          selector: 'attribute_name',
          element_key_string: '',
          element_key_int: 0,
        },
        {
          element_key_int: 0,
          selector: 'element_key_int',
          attribute_name: '',
          element_key_string: '',
        },
        {
          attribute_name: 'name',
          selector: 'attribute_name',
          element_key_string: '',
          element_key_int: 0,
        },
      ].map((step) =>
        expect.objectContaining({
          selector: step.selector,
          [step.selector]: (step as Record<string, unknown>)[step.selector],
        }),
      ),
    );

    const good = { ...config, label: [] };
    const plan = await plugin.call<{ planned_state: { msgpack: Buffer }; diagnostics: unknown[] }>(
      'PlanResourceChange',
      {
        type_name: 'example_file',
        prior_state: dv(null),
        proposed_new_state: dv(good),
        config: dv(good),
      },
    );
    expect(plan.diagnostics).toEqual([]);
    const planned = decodeMsgpack(fileType, plan.planned_state.msgpack) as Record<string, unknown>;
    expect(planned.permissions).toBe('0644');
    expect(isUnknown(planned.id)).toBe(true);
    expect(isUnknown(planned.checksum)).toBe(true);
    expect(planned.content).toBe('hi');
  });

  it('exits promptly on Shutdown and removes its socket', async () => {
    const plugin = await start();
    const stream = plugin.broker.makeBidiStreamRequest(
      '/plugin.GRPCBroker/StartStream',
      (x: Buffer) => x,
      (x: Buffer) => x,
    );
    stream.on('error', () => undefined);
    const started = Date.now();
    await unary(plugin.controller, 'Shutdown');
    expect(await plugin.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(existsSync(plugin.handshake.address)).toBe(false);
  });

  it("keeps V8's code cache of the bundle in XDG_CACHE_HOME, private, and reuses it", async () => {
    const home = mkdtempSync(join(tmpdir(), 'plugin-cache-'));
    try {
      const env = { XDG_CACHE_HOME: home };
      const run = async () => {
        const plugin = await start({ env });
        await plugin.call('GetProviderSchema');
        await unary(plugin.controller, 'Shutdown');
        expect(await plugin.exited).toBe(0);
      };
      await run();
      const dir = join(home, 'devdb-terraform-provider');
      const [name, ...others] = readdirSync(dir);
      expect(others).toEqual([]);
      expect(name).toMatch(new RegExp(`^[0-9a-f]{32}-${process.version}-${process.arch}$`));
      const file = join(dir, name!);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const written = statSync(file);
      await run();
      // Accepted by V8, so not written again.
      expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
      expect(statSync(file).ino).toBe(written.ino);
      // A cache V8 rejects costs only the saving: the provider serves and rewrites it.
      writeFileSync(file, 'not a code cache');
      await run();
      expect(statSync(file).size).toBeGreaterThan(1000);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('ignores SIGINT, exits on SIGTERM', async () => {
    const plugin = await start();
    plugin.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    const response = await plugin.call<{ Error: string }>('StopProvider');
    expect(response.Error).toBe('');
    expect(plugin.child.exitCode).toBe(null);
    plugin.child.kill('SIGTERM');
    expect(await plugin.exited).toBe(0);
    expect(existsSync(plugin.handshake.address)).toBe(false);
  });

  it('keeps stdout to the handshake line only and logs to stderr at TF_LOG level', async () => {
    const plugin = await start({ env: { TF_LOG: 'DEBUG', TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE } });
    await plugin.call('GetProviderSchema');
    expect(plugin.stderr()).toMatch(/"@level":"debug"/);
  });
});
