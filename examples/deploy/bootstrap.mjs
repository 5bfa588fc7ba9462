// DevDB's one-shot setup on a PostgreSQL it did not start (README, "Using an existing
// PostgreSQL"), for compose.yaml's `devdb-bootstrap` service and the CloudNativePG guide:
//
// 1. as the superuser, DevDB's library `bootstrap()`: the NOSUPERUSER provisioner role with
//    the given password, the `devdb` database, dblink in a schema only the provisioner uses;
// 2. as the provisioner, the migrations (what `devdb migrate` applies);
// 3. as the provisioner, the loopback connection DevDB's SQL uses for CREATE DATABASE & co.
//    (`devdb up` sets it for its embedded server; here it is the server's own address as
//    seen from the server: 127.0.0.1 and its `port`, unless DEVDB_LOOPBACK_HOST/PORT say).
//
// Safe to run again: an existing role gets the password again, an existing database is
// kept, applied migrations are skipped.
//
//   DEVDB_SUPERUSER_URL=postgresql://postgres:…@host:5432/postgres \
//   DEVDB_PROVISIONER_PASSWORD=… node bootstrap.mjs
//
// Run it inside the DevDB package (the `devdb` image's /opt/devdb, or this repository
// after `npm run build`), where the package imports itself by name.
import { bootstrap, CENTRAL_DATABASE, configureLoopback, migrate, PROVISIONER_ROLE } from 'devdb';
import pg from 'pg';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`bootstrap: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const superuserUrl = required('DEVDB_SUPERUSER_URL');
const password = required('DEVDB_PROVISIONER_PASSWORD');

await bootstrap(superuserUrl, { provisionerPassword: password });

const provisionerUrl = new URL(superuserUrl);
provisionerUrl.username = PROVISIONER_ROLE;
provisionerUrl.password = encodeURIComponent(password);
provisionerUrl.pathname = `/${CENTRAL_DATABASE}`;
const client = new pg.Client({ connectionString: provisionerUrl.toString() });
await client.connect();
try {
  const applied = await migrate(client);
  const { rows } = await client.query(`SELECT current_setting('port')::int AS port`);
  await configureLoopback(client, {
    host: process.env.DEVDB_LOOPBACK_HOST || '127.0.0.1',
    port: Number(process.env.DEVDB_LOOPBACK_PORT || rows[0].port),
    password,
  });
  console.error(
    `bootstrap: ${PROVISIONER_ROLE} and the ${CENTRAL_DATABASE} database are ready on ` +
      `${provisionerUrl.host} (${applied.length} migrations applied now)`,
  );
} finally {
  await client.end();
}
