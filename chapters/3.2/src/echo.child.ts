// Child process for 3.2.4's round-trip measurement: answers every request with its payload.
import { serve } from './serve.ts';

serve((payload) => payload);
