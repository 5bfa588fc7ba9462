// `npm run docs`: writes the provider's reference pages into docs/ (after `npm run build`).
import { writeDocs } from '../dist/provider/plugin/index.js';
import { devdbDocs } from '../dist/provider/devdb/docs.js';

writeDocs(devdbDocs(), 'docs');
