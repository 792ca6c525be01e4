// Fixture: serves its parent through connectToParent, run as a thread or as a child. It echoes
// { data, message }; 'exit' exits with code 5, 'throw' throws outside any message (uncaught).
import { connectToParent, workerInput } from '../src/workers/index.ts';

const parent = connectToParent<string, unknown>();
const data = workerInput<unknown>();
parent.onMessage((message) => {
  if (message === 'exit') process.exit(5);
  if (message === 'throw') {
    setTimeout(() => {
      throw new TypeError('boom');
    }, 0);
    return;
  }
  parent.post({ data, message });
});
parent.signalReady();
