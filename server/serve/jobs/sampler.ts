/**
 * The sampler job: every few minutes, one set-based pass over every active
 * DevDB database (provisioning/access/sampler.ts), so last access is known even where
 * no agent runs.
 */
import { sampleAll } from '../../../provisioning/index.js';
import type { Job } from '../types.js';

export const samplerJob: Job = {
  name: 'sampler',
  defaultSchedule: '*/5 * * * *',
  async run(ctx) {
    const result = await sampleAll(ctx.db);
    ctx.log.info(
      `sampled ${result.databases} databases, ${result.accessed} used since the previous sample`,
      {
        databases: result.databases,
        accessed: result.accessed,
        measured: result.measured,
        pruned: result.pruned,
      },
    );
  },
};
