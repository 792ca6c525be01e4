// Worker and child-process entry that loads a TypeScript module through tsx.
// Node 20 cannot start `new Worker('x.ts')` (ERR_UNKNOWN_FILE_EXTENSION), so every
// worker and forked child starts here and imports the real module named by its caller.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const target = workerData?.tsModule ?? process.env.COURSE_TS_MODULE;
if (!target) throw new Error('ts-entry.mjs needs workerData.tsModule or COURSE_TS_MODULE');
await tsImport(target, import.meta.url);
