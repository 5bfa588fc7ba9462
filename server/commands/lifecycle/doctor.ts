/**
 * `devdb doctor [--fix]`: each server's databases and roles checked against its
 * registry (provisioning/doctor/doctor.ts). Exit code 1 while something is left to
 * fix or to decide, so scripts can tell.
 */
import {
  checkBackupTools,
  diagnose,
  repair,
  type DoctorFinding,
  type DoctorOutcome,
  type EachServer,
} from '../../../provisioning/index.js';
import {
  CONNECTION_OPTIONS,
  withAdminPool,
  withEachServer,
  type ConnectionOptions,
} from '../../admin-connection.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import type { CliIO } from '../../io.js';
import { table, type Output } from '../../render.js';

type DoctorOptions = Omit<ConnectionOptions, 'env'> & { fix?: boolean };

const NOTHING_TO_FIX = 'nothing to fix';

/** One finding as one line (`devdb up` logs them so at start). */
export function findingLine(finding: DoctorFinding): string {
  return `${finding.kind} ${finding.object}: ${finding.problem}; --fix: ${finding.fix}`;
}

const FINDING_COLUMNS = [
  { header: 'kind', value: (f: DoctorFinding) => f.kind },
  { header: 'object', value: (f: DoctorFinding) => f.object },
  { header: 'problem', value: (f: DoctorFinding) => f.problem },
];

function report(findings: DoctorFinding[]): Output {
  const rows = table(
    findings,
    [...FINDING_COLUMNS, { header: 'what --fix would do', value: (f) => f.fix }],
    { whenNone: NOTHING_TO_FIX },
  );
  return { json: findings, blocks: [rows], exitCode: findings.length ? 1 : 0 };
}

/** Findings of every server reached; with more than one server, each object named with its server. */
function named<F extends DoctorFinding>({ results, unreachable }: EachServer<F[]>): F[] {
  if (results.length + unreachable.length === 1) return results[0]!.result;
  return results.flatMap(({ server, result }) =>
    result.map((f) => ({ ...f, object: `${server}: ${f.object}` })),
  );
}

const fixed = (o: DoctorOutcome) =>
  o.fixable && o.outcome !== null && !o.outcome.startsWith('failed');

function fixReport(outcomes: DoctorOutcome[]): Output {
  const rows = table(
    outcomes,
    [...FINDING_COLUMNS, { header: 'done', value: (o) => o.outcome ?? o.fix }],
    { whenNone: NOTHING_TO_FIX },
  );
  return { json: outcomes, blocks: [rows], exitCode: outcomes.every(fixed) ? 0 : 1 };
}

/**
 * Backups from this machine need a pg_dump that fits every server of the pool
 * (docs/backups.md, "Which pg_dump"): said on stderr beside the findings.
 */
async function warnIfBackupsCannotRun(on: ConnectionOptions, io: CliIO): Promise<void> {
  const { problem } = await withAdminPool(on, (db) => checkBackupTools({ db, env: io.env }));
  if (problem) io.stderr.write(`devdb: backups cannot run here: ${problem}\n`);
}

export const doctorCommand: CommandSpec<DoctorOptions> = {
  name: 'doctor',
  description:
    'check the databases and roles on the server against the registry; --fix adopts and removes what is safe',
  options: [
    ...CONNECTION_OPTIONS,
    {
      flags: '--fix',
      description: 'adopt databases DevDB created but did not record, drop orphan roles',
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    // Every server of the pool, each against its own registry (docs/servers.md).
    const on = { ...options, env: io.env };
    await warnIfBackupsCannotRun(on, io);
    if (options.fix) {
      const fixes = await withEachServer(on, (pool) => repair(pool, { actor: 'cli' }));
      return { ...fixReport(named(fixes)), unreachable: fixes.unreachable };
    }
    const found = await withEachServer(on, diagnose);
    return { ...report(named(found)), unreachable: found.unreachable };
  },
};
