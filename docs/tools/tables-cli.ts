/**
 * Measures every table a docs page shows by running its sample with --json, keeps the JSON in
 * docs/data/, and rewrites the table on every page that marks it.
 * Run:    npm run docs:tables                 (all tables)
 *         npm run docs:tables -- 3.2-gil      (one table)
 *         npm run docs:tables -- --render     (no measuring: re-render from docs/data/)
 * Expect: one line per table with the command it ran; exit 1 if a command fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { listPages, loadTableSources, REPO_ROOT, readRepoFile, tableDataPath } from './pages.ts';
import { findTables, replaceTable } from './tables.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { render: { type: 'boolean', default: false } },
});
const sources = await loadTableSources();
const wanted = positionals.length > 0 ? new Set(positionals) : undefined;
const unknown = positionals.filter((name) => !sources.some((source) => source.name === name));
if (unknown.length > 0) {
  console.error(
    `no table called ${unknown.join(', ')}; known: ${sources.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
for (const source of sources) {
  if (wanted && !wanted.has(source.name)) continue;
  if (!values.render) {
    console.log(`${source.name}: tsx ${source.command.join(' ')}`);
    const stdout = execFileSync(tsx, [...source.command], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    mkdirSync(dirname(tableDataPath(source.name)), { recursive: true });
    writeFileSync(tableDataPath(source.name), `${JSON.stringify(JSON.parse(stdout), null, 2)}\n`);
  }
  const rendered = source.render(JSON.parse(readFileSync(tableDataPath(source.name), 'utf8')));
  for (const page of listPages()) {
    const markdown = readRepoFile(page) ?? '';
    if (!findTables(markdown).some((table) => table.name === source.name)) continue;
    writeFileSync(join(REPO_ROOT, page), replaceTable(markdown, source.name, rendered));
    console.log(`  wrote it into ${page}`);
  }
}
