/** terraform-provider-devdb: started by Terraform, speaks tfplugin6 on a socket. */
import { serve } from '../plugin/index.js';
import { devdbProvider } from './provider.js';

void serve(devdbProvider);
