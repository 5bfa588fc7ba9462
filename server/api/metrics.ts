/**
 * /metrics in Prometheus' text format (docs/api.md, "Metrics"), rendered by
 * prom-client (names, types, label escaping) from one provisioning snapshot
 * per scrape. Above `metrics_max_database_labels` active databases the
 * per-database series are left out and only the totals remain, so a large
 * installation cannot flood Prometheus with series.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import {
  FAILED_ACTION_SUFFIX,
  METRICS_MAX_DATABASE_LABELS,
  metricsSnapshot,
  readNumberSetting,
  withServerRouter,
  type MetricsSnapshot,
  type PoolServer,
  type UnreachableServer,
} from '../../provisioning/index.js';
import type { ControlPlaneOptions, SamplerStatus } from './context.js';

const seconds = (date: Date | null): number => (date ? date.getTime() / 1000 : 0);

type Help = Record<string, string>;

const HELP: Help = {
  devdb_databases: 'DevDB databases by state',
  devdb_database_size_bytes: 'Size of an active database (pg_database_size)',
  devdb_database_connections: 'Client connections to an active database',
  devdb_database_last_access_age_seconds:
    'Seconds since an active database was last used (since its creation when never used)',
  devdb_database_created_timestamp_seconds: 'When an active database was created (Unix time)',
  devdb_backup_last_success_timestamp_seconds:
    "An active database's newest successful backup (Unix time; 0: none)",
  devdb_backup_last_verified_timestamp_seconds:
    'When a backup of an active database last passed verification (Unix time; 0: never)',
  devdb_backup_verification_failing:
    "1 when the newest verification of an active database's backups failed",
  devdb_databases_size_bytes: 'Size of all active databases',
  devdb_databases_connections: 'Client connections to all active databases',
  devdb_backup_oldest_last_success_timestamp_seconds:
    'The oldest newest-successful-backup over active databases (Unix time; 0: some database has none)',
  devdb_backup_verification_failing_databases: 'Active databases whose newest verification failed',
  devdb_metrics_database_series_limited:
    '1 when per-database series are left out (more active databases than metrics_max_database_labels)',
  devdb_server_connections: 'Client connections to the DevDB PostgreSQL server',
  devdb_server_max_connections: "The server's max_connections",
  devdb_provisioning_operations_total:
    'Operations recorded in the audit trail, by kind (event action)',
  devdb_provisioning_errors_total: 'Failed operations recorded in the audit trail, by kind',
  devdb_sampler_pass_duration_seconds: "Duration of the sampler's latest pass",
  devdb_sampler_last_pass_timestamp_seconds: "When the sampler's latest pass finished (Unix time)",
  devdb_server_up: 'Whether a server of the pool answered its probe at this scrape (1) or not (0)',
  devdb_server_last_reached_timestamp_seconds:
    'When a probe last reached a server of the pool (Unix time; 0: never)',
};

/** The pool's servers, each probed now (its health recorded: docs/servers.md), and those not reached. */
export interface PoolHealth {
  servers: PoolServer[];
  unreachable: UnreachableServer[];
}

/** Probes every server of the pool (a short `SELECT 1` each, at once) from the central one. */
export function probePool(options: Pick<ControlPlaneOptions, 'pool' | 'adminUrl'>) {
  // The endpoint is where workspaces connect: probing does not use it.
  const central = { db: options.pool, adminUrl: options.adminUrl, endpoint: { host: '', port: 0 } };
  return withServerRouter(central, async (router): Promise<PoolHealth> => {
    const { unreachable } = await router.each(async () => undefined);
    return { servers: (await router.all()).map((routed) => routed.server), unreachable };
  });
}

function gauge(registry: Registry, name: string, labelNames: string[] = []): Gauge<string> {
  return new Gauge({ name, help: HELP[name]!, labelNames, registers: [registry] });
}

function perDatabase(registry: Registry, snapshot: MetricsSnapshot, now: Date): void {
  const series = {
    size: gauge(registry, 'devdb_database_size_bytes', ['database']),
    connections: gauge(registry, 'devdb_database_connections', ['database']),
    age: gauge(registry, 'devdb_database_last_access_age_seconds', ['database']),
    created: gauge(registry, 'devdb_database_created_timestamp_seconds', ['database']),
    backup: gauge(registry, 'devdb_backup_last_success_timestamp_seconds', ['database']),
    verified: gauge(registry, 'devdb_backup_last_verified_timestamp_seconds', ['database']),
    failing: gauge(registry, 'devdb_backup_verification_failing', ['database']),
  };
  for (const d of snapshot.databases) {
    const labels = { database: d.name };
    if (d.sizeBytes !== null) series.size.set(labels, d.sizeBytes);
    series.connections.set(labels, d.connections);
    const since = d.lastAccessed ?? d.createdAt;
    series.age.set(labels, Math.max(0, (now.getTime() - since.getTime()) / 1000));
    series.created.set(labels, seconds(d.createdAt));
    series.backup.set(labels, seconds(d.lastBackupAt));
    series.verified.set(labels, seconds(d.lastVerifiedAt));
    series.failing.set(labels, d.verificationFailing ? 1 : 0);
  }
}

function totals(registry: Registry, snapshot: MetricsSnapshot, limited: boolean): void {
  const states = gauge(registry, 'devdb_databases', ['state']);
  for (const [state, n] of Object.entries(snapshot.databasesByStatus)) states.set({ state }, n);
  const dbs = snapshot.databases;
  gauge(registry, 'devdb_databases_size_bytes').set(
    dbs.reduce((n, d) => n + (d.sizeBytes ?? 0), 0),
  );
  gauge(registry, 'devdb_databases_connections').set(dbs.reduce((n, d) => n + d.connections, 0));
  const oldest = dbs.length ? Math.min(...dbs.map((d) => seconds(d.lastBackupAt))) : 0;
  if (dbs.length) gauge(registry, 'devdb_backup_oldest_last_success_timestamp_seconds').set(oldest);
  gauge(registry, 'devdb_backup_verification_failing_databases').set(
    dbs.filter((d) => d.verificationFailing).length,
  );
  gauge(registry, 'devdb_metrics_database_series_limited').set(limited ? 1 : 0);
  gauge(registry, 'devdb_server_connections').set(snapshot.server.connections);
  gauge(registry, 'devdb_server_max_connections').set(snapshot.server.maxConnections);
}

function operations(registry: Registry, snapshot: MetricsSnapshot): void {
  const counter = (name: string) =>
    new Counter({ name, help: HELP[name]!, labelNames: ['kind'], registers: [registry] });
  const done = counter('devdb_provisioning_operations_total');
  const failed = counter('devdb_provisioning_errors_total');
  for (const { action, count } of snapshot.eventsByAction) {
    if (action.endsWith(FAILED_ACTION_SUFFIX)) {
      failed.inc({ kind: action.slice(0, -FAILED_ACTION_SUFFIX.length) }, count);
    } else {
      done.inc({ kind: action }, count);
    }
  }
}

function servers(registry: Registry, health: PoolHealth): void {
  const up = gauge(registry, 'devdb_server_up', ['server']);
  const reached = gauge(registry, 'devdb_server_last_reached_timestamp_seconds', ['server']);
  const down = new Set(health.unreachable.map((u) => u.server));
  for (const server of health.servers) {
    up.set({ server: server.name }, down.has(server.name) ? 0 : 1);
    reached.set({ server: server.name }, seconds(server.lastReachedAt));
  }
}

function sampler(registry: Registry, status: SamplerStatus): void {
  gauge(registry, 'devdb_sampler_pass_duration_seconds').set(status.durationSeconds);
  gauge(registry, 'devdb_sampler_last_pass_timestamp_seconds').set(seconds(status.lastPassAt));
}

/** One scrape: a fresh registry filled from a fresh snapshot (concurrent scrapes share nothing). */
export async function renderMetrics(
  options: ControlPlaneOptions,
  now: () => Date,
): Promise<{ contentType: string; text: string }> {
  const [snapshot, maxLabels, samplerStatus, health] = await Promise.all([
    metricsSnapshot(options.pool),
    readNumberSetting(options.pool, METRICS_MAX_DATABASE_LABELS),
    options.samplerStatus?.() ?? Promise.resolve(null),
    probePool(options),
  ]);
  const registry = new Registry();
  const limited = snapshot.databases.length > maxLabels;
  totals(registry, snapshot, limited);
  if (!limited) perDatabase(registry, snapshot, now());
  operations(registry, snapshot);
  servers(registry, health);
  if (samplerStatus) sampler(registry, samplerStatus);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
