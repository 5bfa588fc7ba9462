import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleProvider } from '../../../../provider/plugin/bundle.js';

export const EXAMPLE_ENTRY = fileURLToPath(new URL('../example/main.ts', import.meta.url));

export interface BuiltExample {
  executable: string;
  cleanup(): void;
}

/** Bundles the example provider into a fresh temp dir; cleanup() removes it. */
export async function buildExample(fileName = 'terraform-provider-example'): Promise<BuiltExample> {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-example-'));
  const executable = join(dir, fileName);
  try {
    await bundleProvider({ entry: EXAMPLE_ENTRY, outfile: executable });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { executable, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
