// The provider against a `devdb up` that serves TLS, under real terraform: the
// admin URL `devdb admin-url` prints (verify-full, sslrootcert) is all it needs
// to hand workspaces sslmode=verify-full and the CA, and a second plan is empty.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentials, urlFor, withServerTls } from '../../../provisioning/schema/index.js';
import { configure } from '../../../provider/devdb/config.js';
import { tlsDir } from '../../../server/embedded/tls.js';
import { startUpInTempDir, type TempUp } from '../../helpers/up-process.js';
import { databaseConfig, startHarness, vars, type Harness } from './harness.js';

let harness: Harness;
let up: TempUp;
let adminUrl: string;
let caPem: string;

beforeAll(async () => {
  [harness, up] = await Promise.all([startHarness('tls'), startUpInTempDir('devdb-tf-tls-')]);
  const credentials = (await readCredentials(up.dataDir))!;
  adminUrl = withServerTls(urlFor(credentials, 'provisioner'), credentials);
  caPem = await readFile(path.join(tlsDir(up.dataDir), 'ca.crt'), 'utf8');
});

afterAll(async () => {
  await up?.stop();
  await harness?.cleanup();
});

const OUTPUTS = `
output "url" { value = devdb_database.db.url }
output "ca_cert" { value = devdb_database.db.ca_cert }
`;

describe('devdb_database on a server with TLS', () => {
  it('hands the workspace verify-full and the CA, and plans no change afterwards', async () => {
    const work = await harness.workdir('tls', databaseConfig(OUTPUTS));
    const env = { DEVDB_ADMIN_URL: adminUrl };
    const args = vars({ workspace_id: 'ws-tls-tf', owner: 'tlsalice' });
    const apply = await work.tf(['apply', '-auto-approve', ...args], { env });
    expect(apply.code, apply.output).toBe(0);
    const state = work.attributes()!;
    expect(state.url).toMatch(
      /^postgresql:\/\/[^@]+@127\.0\.0\.1:\d+\/dev_tlsalice\?sslmode=verify-full$/,
    );
    expect(state.ca_cert).toBe(caPem);
    expect(state.env).toMatchObject({ DEVDB_URL: state.url, DEVDB_CA_CERT: caPem });

    const plan = await work.tf(['plan', '-detailed-exitcode', ...args], { env });
    expect(plan.code, plan.output).toBe(0);

    // What the workspace does with them: connect, verifying the server with the CA.
    const url = new URL(String(state.url));
    const client = new pg.Client({
      host: url.hostname,
      port: Number(url.port),
      user: decodeURIComponent(url.username),
      database: url.pathname.slice(1),
      password: String(state.password),
      ssl: { ca: String(state.ca_cert) }, // node-postgres verifies the certificate and the name
    });
    await client.connect();
    await client.end();
  });
});

describe('the provider block', () => {
  const config = {
    admin_url: 'postgresql://devdb_provisioner:pw@db.example.test:5432/devdb',
    host: null,
    port: null,
    sslmode: null,
    ca_cert: null as string | null,
    on_unavailable: null,
  };

  it('without a CA hands out no sslmode, as before', () => {
    expect(configure({ config }).endpoint).toEqual({ host: 'db.example.test', port: 5432 });
  });

  it('takes ca_cert, and refuses what is no PEM certificate', () => {
    const endpoint = configure({ config: { ...config, ca_cert: caPem } }).endpoint;
    expect(endpoint).toMatchObject({ sslmode: 'verify-full', caCert: caPem });
    expect(() => configure({ config: { ...config, ca_cert: 'not a certificate' } })).toThrow(
      /ca_cert is not a PEM certificate/,
    );
  });

  it("says which file it could not read when admin_url's sslrootcert is missing", () => {
    const url = `${config.admin_url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt`;
    expect(() => configure({ config: { ...config, admin_url: url } })).toThrow(
      /DevDB CA certificate not readable/,
    );
  });
});
