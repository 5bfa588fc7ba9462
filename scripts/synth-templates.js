// `npm run templates`: each template in templates/ synthesized to dist/coder-templates/<name>/,
// a folder `coder templates push <name> -d dist/coder-templates/<name>` accepts. It holds the
// Terraform JSON only (Coder uploads the whole folder), so it is not tsc's dist/templates/.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { synthTemplate, TEMPLATES } from '../dist/templates/synth.js';

for (const name of TEMPLATES) {
  const dir = path.join('dist', 'coder-templates', name);
  rmSync(dir, { recursive: true, force: true });
  const file = await synthTemplate(dir);
  console.log(`${name}: ${file}  (coder templates push ${name} -d ${path.dirname(file)})`);
}
