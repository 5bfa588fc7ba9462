/**
 * The jobs every `devdb serve` (and `devdb up`) runs. Another job is one more
 * entry here: a name, a default schedule and run(ctx) (server/serve/types.ts).
 * Those that work through a registry run on every server of the pool (./pool.ts).
 */
import type { Job } from '../types.js';
import { backupsJob } from './backups.js';
import { dropsJob } from './drops.js';
import { policyJob } from './policy.js';
import { onEveryServer, serverHealthJob, serversJob } from './pool.js';
import { samplerJob } from './sampler.js';

export const DEFAULT_JOBS: readonly Job[] = [
  ...[samplerJob, policyJob, backupsJob, dropsJob].map(onEveryServer),
  serversJob,
  serverHealthJob,
];
