/**
 * `devdb orphans`: every database and attachment whose workspace or owner is gone
 * from Coder, or that nobody uses, and what the server holds that the registry
 * does not (provisioning/orphans/, Coder asked through server/coder/). A table like the guide's (Database, Owner,
 * Workspace ID, Last Access, Status) or --json. Without Coder configured only
 * the registry's checks run, and it says which it skipped. Changes nothing.
 */
import {
  parsePositiveInteger,
  type OrphanFinding,
  type OrphanReport,
} from '../../../provisioning/index.js';
import { InvalidArgumentError } from 'commander';
import { CONNECTION_OPTIONS, withRouter, type ConnectionOptions } from '../../admin-connection.js';
import {
  CODER_OPTIONS,
  coderClientFor,
  resolveCoderAccess,
  type CoderOptions,
} from '../../coder/config.js';
import { JSON_OPTION, type CommandSpec } from '../../command.js';
import type { CliIO } from '../../io.js';
import { findOrphans } from '../../coder/orphans.js';
import type { CoderProgress } from '../../coder/state.js';
import { table, type Output } from '../../render.js';

type OrphansOptions = Omit<ConnectionOptions, 'env'> &
  CoderOptions & { idleDays?: number; json?: boolean };

function idleDaysOption(value: string): number {
  try {
    return parsePositiveInteger(value, 'the value');
  } catch {
    throw new InvalidArgumentError('must be a whole number of days, at least 1');
  }
}

/** One line, rewritten in place, on a terminal: asking Coder about many ids takes a while. */
function progressLine(io: CliIO) {
  let written = false;
  return {
    update(p: CoderProgress) {
      written = true;
      io.stderr.write(
        `\rasking Coder: ${p.step} ${p.done}${p.total === null ? '' : `/${p.total}`}\x1b[K`,
      );
    },
    end() {
      if (written) io.stderr.write('\n');
    },
  };
}

/** `never` for a registered database never accessed; `-` for what the registry does not hold. */
const lastAccess = (f: OrphanFinding) =>
  f.lastAccess ??
  (f.kind === 'unregistered' || f.kind === 'credential-without-workspace' ? null : 'never');

function report({ findings, skipped }: OrphanReport): Output {
  const rows = table(
    findings,
    [
      { header: 'Database', value: (f) => f.database },
      { header: 'Owner', value: (f) => f.owner },
      { header: 'Workspace ID', value: (f) => f.workspaceId },
      { header: 'Last Access', value: lastAccess },
      { header: 'Status', value: (f) => f.status },
      { header: 'Detail', value: (f) => f.detail },
    ],
    { whenNone: skipped.length ? 'no orphans found by the checks that ran' : 'no orphans' },
  );
  return { json: { findings, skipped }, blocks: [rows] };
}

export const orphansCommand: CommandSpec<OrphansOptions> = {
  name: 'orphans',
  description:
    'databases whose workspace or owner is gone from Coder, unused ones, and what the registry does not know',
  options: [
    ...CONNECTION_OPTIONS,
    ...CODER_OPTIONS,
    {
      flags: '--idle-days <days>',
      description:
        'days without access that make a database idle (default: the setting policy_idle_days, else 30)',
      parse: idleDaysOption,
    },
    JSON_OPTION,
  ],
  async run(options, io) {
    return withRouter({ ...options, env: io.env }, async (router) => {
      const access = await resolveCoderAccess(options, io, router.central.db);
      const coder = coderClientFor(access);
      const progress = progressLine(io);
      try {
        // Each server of the pool against its own registry (docs/servers.md).
        const { results, unreachable } = await router.each(({ db }) =>
          findOrphans(db, {
            coder,
            skippedReason: access.configured ? undefined : access.reason,
            idleDays: options.idleDays,
            onProgress: io.isTTY ? (p) => progress.update(p) : undefined,
          }),
        );
        const perServer = results.map((r) => r.result);
        const result: OrphanReport = {
          findings: perServer.flatMap((r) => r.findings),
          skipped: perServer[0]!.skipped,
        };
        if (result.skipped.length) {
          const kinds = result.skipped.map((s) => s.kind).join(', ');
          io.stderr.write(
            `devdb: skipped the checks that need Coder (${kinds}): ${result.skipped[0]!.reason}\n`,
          );
        }
        return { ...report(result), unreachable };
      } finally {
        progress.end();
        await coder?.close();
      }
    });
  },
};
