// Starts a TypeScript file as a worker thread on Node 20.
// `new Worker('./x.worker.ts')` fails there with ERR_UNKNOWN_FILE_EXTENSION, even under tsx:
// a worker's entry file is loaded before tsx can step in. So the samples start this JavaScript
// file instead and name the .ts file in `argv`; it loads that file (and its imports) with tsx:
//   new Worker(new URL('./ts-worker.mjs', import.meta.url), { argv: [tsFileUrl], workerData })
// With compiled JavaScript you would hand the .js file to new Worker directly.
import { tsImport } from 'tsx/esm/api';

await tsImport(process.argv[2], import.meta.url);
