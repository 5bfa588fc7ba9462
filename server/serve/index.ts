/**
 * `devdb serve`'s process as both `devdb serve` and `devdb up` start it: the
 * runtime (runtime.ts) with DevDB's jobs (jobs/index.ts) and extensions,
 * logging to stderr in the chosen format, the admin URL's password masked.
 */
import { runnableText } from '../invocation.js';
import type { CliIO } from '../io.js';
import { controlPlaneExtension } from './control-plane.js';
import { DEFAULT_JOBS } from './jobs/index.js';
import { createLogger, urlSecrets, type LogFormat } from './log.js';
import { startServe, type ServeRuntime } from './runtime.js';
import type { ServeExtension } from './types.js';

export type {
  Job,
  JobContext,
  JobEnd,
  ServeExtension,
  ExtensionContext,
  WallClock,
} from './types.js';
export type { Logger, LogFields, LogFormat } from './log.js';
export { startServe, systemClock, type ServeOptions, type ServeRuntime } from './runtime.js';

/**
 * Extensions every serve process starts (the HTTP control plane goes here).
 * A function, so an extension can take its configuration from the environment.
 */
export function defaultExtensions(
  env: Readonly<Record<string, string | undefined>>,
  options: { apiListen?: string } = {},
): ServeExtension[] {
  return [...controlPlaneExtension(env, options.apiListen)];
}

export { LOG_FORMAT_OPTION } from './log.js';

/** Starts DevDB's jobs and extensions against the server at `adminUrl`. */
export function startServeProcess(
  adminUrl: string,
  io: CliIO,
  options: { logFormat?: LogFormat; apiListen?: string } = {},
): Promise<ServeRuntime> {
  const env = { ...process.env, ...io.env };
  const format = options.logFormat ?? 'text';
  const log = createLogger({
    format,
    // Text is for a person: the commands it names are written as they run here.
    sink:
      format === 'text' ? { write: (line) => io.stderr.write(runnableText(io, line)) } : io.stderr,
    secrets: urlSecrets(adminUrl),
  });
  return startServe({
    adminUrl,
    jobs: DEFAULT_JOBS,
    extensions: defaultExtensions(env, options),
    log,
    env,
  });
}
