import { serve } from '../../provider/plugin/index.js';
import { coderProvider } from './provider.js';

void serve(coderProvider);
