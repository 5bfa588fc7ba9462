import { serve } from '../../../../provider/plugin/index.js';
import { exampleProvider } from './provider.js';

void serve(exampleProvider);
