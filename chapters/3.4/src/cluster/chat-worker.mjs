// A cluster worker's entry: Node 20 cannot start a .ts file as a process on its own, so this
// imports the real worker through tsx (see the course's STYLE.md, "Known runtime fact").
import { tsImport } from 'tsx/esm/api';

await tsImport('./chat-worker.ts', import.meta.url);
