// Worker thread for 3.2.4: bumps its own copy of the module counter, and a shared cell.
import { serve } from './serve.ts';
import { bump } from './shared-state.ts';

serve((shared: SharedArrayBuffer) => {
  Atomics.add(new Int32Array(shared), 0, 1);
  return bump();
});
