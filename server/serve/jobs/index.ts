/**
 * The jobs every `devdb serve` (and `devdb up`) runs. Another job is one more
 * entry here: a name, a default schedule and run(ctx) (server/serve/types.ts).
 */
import type { Job } from '../types.js';
import { backupsJob } from './backups.js';
import { dropsJob } from './drops.js';
import { samplerJob } from './sampler.js';

export const DEFAULT_JOBS: readonly Job[] = [samplerJob, backupsJob, dropsJob];
