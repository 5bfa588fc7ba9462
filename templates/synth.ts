/**
 * Turns a cdktn template into a folder `coder templates push -d` accepts: one
 * main.tf.json, no backend (Coder keeps each workspace's state), no cdktn
 * bookkeeping, and nothing that names this machine's paths.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  synthesize,
  TEMPLATE_NAME,
  type ContractorWorkspaceOptions,
} from './contractor-workspace/main.js';

export const TEMPLATES = [TEMPLATE_NAME];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Drops cdktn's "//" metadata blocks wherever they are. */
function withoutMetadata(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '//')
      .map(([key, inner]) => [key, withoutMetadata(inner)]),
  );
}

export async function synthTemplate(
  outDir: string,
  options: ContractorWorkspaceOptions = {},
): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'devdb-synth-'));
  try {
    synthesize(scratch, options);
    const raw = await readFile(path.join(scratch, 'stacks', TEMPLATE_NAME, 'cdk.tf.json'), 'utf8');
    const config = withoutMetadata(JSON.parse(raw)) as { terraform?: { backend?: unknown } };
    delete config.terraform?.backend;
    const text = `${JSON.stringify(config, null, 2)}\n`;
    for (const local of [scratch, process.cwd(), tmpdir()]) {
      if (text.includes(local))
        throw new Error(`synthesized template names a local path (${local})`);
    }
    await mkdir(outDir, { recursive: true });
    const file = path.join(outDir, 'main.tf.json');
    await writeFile(file, text);
    return file;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
