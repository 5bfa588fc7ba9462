/** Synthesizes the template; see scripts/synth-templates.js (`npm run templates`). */
import { App } from 'cdktn';
import { ContractorWorkspace, type ContractorWorkspaceOptions } from './stack.js';

export type { ContractorWorkspaceOptions };

export const TEMPLATE_NAME = 'contractor-workspace';

/** Writes the stack's Terraform JSON under outdir (cdktn's layout: stacks/<name>/cdk.tf.json). */
export function synthesize(outdir: string, options: ContractorWorkspaceOptions = {}): void {
  const app = new App({ outdir });
  new ContractorWorkspace(app, TEMPLATE_NAME, options);
  app.synth();
}
