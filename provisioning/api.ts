/**
 * Every provisioning operation bound to one pool or client (and the endpoint
 * connection info names): the API openDevDb returns, and a transaction's.
 */
import { reportAccess } from './access/index.js';
import {
  attachWorkspace,
  detachWorkspace,
  findAttachment,
  setAttachmentAccess,
  type AttachInput,
} from './databases/index.js';
import type { ServerEndpoint } from './contract/index.js';
import { ensureIndividualDatabase, ensureTeamDatabase } from './databases/index.js';
import { diagnose, repair } from './doctor/index.js';
import {
  enrollmentTokenState,
  issueEnrollmentToken,
  setAttachmentPassword,
} from './enrollment/index.js';
import type { Queryable } from './schema/index.js';
import {
  attachmentState,
  databaseState,
  restoreDatabase,
  retireDatabase,
} from './databases/index.js';
import { renameOwner, rotateWorkspacePassword, updateAttachment } from './databases/index.js';
import { planCleanup, runCleanup } from './policy/index.js';
import { listEvents } from './admin/index.js';
import {
  evaluatePolicy,
  policyStates,
  protectDatabase,
  readPolicySettings,
  unprotectDatabase,
  writePolicySettings,
} from './policy/index.js';
import {
  databaseSizes,
  inspectDatabase,
  listDatabases,
  listTeams,
  listUsers,
  summarize,
} from './databases/index.js';
import { listConnections, terminateSessions } from './access/index.js';
import { readOrphanFacts } from './orphans/index.js';
import { readPolicyIdleDays, readSetting, writeSetting } from './admin/index.js';
import { listJobRuns } from './jobs/index.js';
import { listSamples, sampleAll } from './access/index.js';

/** Runs one bound call: the library counts them so close can wait. */
export type Run = <T>(work: () => Promise<T>) => Promise<T>;

export function boundOperations(db: Queryable, endpoint: ServerEndpoint, run: Run = (w) => w()) {
  const bind =
    <A extends unknown[], R>(operation: (db: Queryable, ...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      run(() => operation(db, ...args));
  return {
    ensureIndividualDatabase: bind(ensureIndividualDatabase),
    ensureTeamDatabase: bind(ensureTeamDatabase),
    attachWorkspace: bind((db, input: AttachInput) => attachWorkspace(db, endpoint, input)),
    detachWorkspace: bind(detachWorkspace),
    findAttachment: bind(findAttachment),
    setAttachmentAccess: bind(setAttachmentAccess),
    issueEnrollmentToken: bind(issueEnrollmentToken),
    enrollmentTokenState: bind(enrollmentTokenState),
    setAttachmentPassword: bind(setAttachmentPassword),
    reportAccess: bind(reportAccess),
    updateAttachment: bind(updateAttachment),
    renameOwner: bind(renameOwner),
    rotateWorkspacePassword: bind((db, input: Parameters<typeof rotateWorkspacePassword>[2]) =>
      rotateWorkspacePassword(db, endpoint, input),
    ),
    retireDatabase: bind(retireDatabase),
    restoreDatabase: bind(restoreDatabase),
    attachmentState: bind(attachmentState),
    databaseState: bind(databaseState),
    listDatabases: bind(listDatabases),
    summarize: bind(summarize),
    inspectDatabase: bind(inspectDatabase),
    listUsers: bind(listUsers),
    listTeams: bind(listTeams),
    diagnose: bind(diagnose),
    repair: bind(repair),
    readOrphanFacts: bind(readOrphanFacts),
    readSetting: bind(readSetting),
    writeSetting: bind(writeSetting),
    readPolicyIdleDays: bind(readPolicyIdleDays),
    sampleAll: bind(sampleAll),
    listSamples: bind(listSamples),
    listJobRuns: bind(listJobRuns),
    databaseSizes: bind(databaseSizes),
    listConnections: bind(listConnections),
    terminateSessions: bind(terminateSessions),
    listEvents: bind(listEvents),
    readPolicySettings: bind(readPolicySettings),
    writePolicySettings: bind(writePolicySettings),
    policyStates: bind(policyStates),
    evaluatePolicy: bind(evaluatePolicy),
    protectDatabase: bind(protectDatabase),
    unprotectDatabase: bind(unprotectDatabase),
    planCleanup: bind(planCleanup),
    runCleanup: bind(runCleanup),
  };
}

export type DevDbOperations = ReturnType<typeof boundOperations>;
