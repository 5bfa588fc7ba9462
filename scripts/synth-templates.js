// `npm run templates`: each template in templates/ synthesized to dist/templates/<name>/,
// a folder `coder templates push <name> -d dist/templates/<name>` accepts.
import path from 'node:path';
import { synthTemplate, TEMPLATES } from '../dist/templates/synth.js';

for (const name of TEMPLATES) {
  const file = await synthTemplate(path.join('dist', 'templates', name));
  console.log(`${name}: ${file}  (coder templates push ${name} -d ${path.dirname(file)})`);
}
