/**
 * Copies every file a docs page includes into its code block.
 * Run:    npm run docs:sync            (after changing a file a page shows)
 * Expect: one line per page it changed, then "code blocks: N updated"; exit 1 when a block
 *         names a missing file or region, or a code block has no include marker.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncCodeBlocks } from './code-blocks.ts';
import { listPages, REPO_ROOT, readRepoFile } from './pages.ts';

let updated = 0;
let broken = 0;
for (const page of listPages()) {
  const markdown = readRepoFile(page) ?? '';
  const result = syncCodeBlocks(page, markdown, readRepoFile);
  for (const problem of result.problems) {
    if (!problem.includes(': differs from ')) {
      broken++;
      console.error(problem);
    }
  }
  if (result.changed > 0) {
    writeFileSync(join(REPO_ROOT, page), result.text);
    console.log(`${page}: ${result.changed} block(s) updated`);
    updated += result.changed;
  }
}
console.log(`code blocks: ${updated} updated${broken > 0 ? `, ${broken} need a fix by hand` : ''}`);
process.exitCode = broken > 0 ? 1 : 0;
