// Child process for 3.2.4: bumps its own copy of the module counter.
import { serve } from './serve.ts';
import { bump } from './shared-state.ts';

serve(() => bump());
