/**
 * Code blocks on the course pages are copies of real files, so what a student reads is what the
 * tests type-check and run. A page marks each copy with the file (and optionally a region) it
 * shows, on the line right above the fence:
 *
 *   <!-- include: chapters/3.1/src/plain/accept-key.ts -->
 *   <!-- include: chapters/3.1/src/plain/minimal-server.ts#handshake -->
 *
 * A region is the lines between `// #region NAME` and `// #endregion NAME` (`# #region NAME` in
 * Python), the same markers VitePress and most editors fold on. Marker lines are never shown.
 */

/** Languages whose blocks must come from a file: a student may copy them and expect them to run. */
export const CODE_LANGUAGES: ReadonlySet<string> = new Set([
  'ts',
  'typescript',
  'js',
  'javascript',
  'mjs',
  'python',
  'py',
]);

const INCLUDE_MARKER = /^<!--\s*include:\s*([^#\s]+)(?:#([\w.-]+))?\s*-->\s*$/;
const FENCE_OPEN = /^(`{3,}|~{3,})([\w-]*)/;
const REGION_LINE = /^\s*(?:\/\/|#) #(?:end)?region\b/;

export interface CodeBlock {
  /** 0-based index of the opening fence line. */
  readonly openLine: number;
  /** 0-based index of the closing fence line. */
  readonly closeLine: number;
  readonly language: string;
  readonly body: string;
  /** What the marker above the fence names, if there is one. */
  readonly include?: { readonly path: string; readonly region?: string };
}

/** Every fenced block of a Markdown page, with the include marker right above it if any. */
export function findCodeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    let close = i + 1;
    while (close < lines.length && !isClosingFence(lines[close] ?? '', fence)) close++;
    const marker = i > 0 ? INCLUDE_MARKER.exec(lines[i - 1] ?? '') : null;
    const path = marker?.[1];
    const region = marker?.[2];
    blocks.push({
      openLine: i,
      closeLine: close,
      language: open[2] ?? '',
      body: lines.slice(i + 1, close).join('\n'),
      ...(path ? { include: region ? { path, region } : { path } } : {}),
    });
    i = close;
  }
  return blocks;
}

function isClosingFence(line: string, fence: string): boolean {
  const trimmed = line.trimEnd();
  return trimmed.length >= fence.length && trimmed === (fence[0] ?? '`').repeat(trimmed.length);
}

/**
 * The text a page shows for a file or one of its regions: marker lines dropped, the region
 * dedented, no trailing blank lines. Throws when the region is missing or named twice.
 */
export function excerpt(source: string, region?: string): string {
  let lines = source.replace(/\r\n/g, '\n').split('\n');
  if (region !== undefined) {
    const starts = indexesOf(lines, 'region', region);
    const ends = indexesOf(lines, 'endregion', region);
    if (starts.length !== 1 || ends.length !== 1) {
      throw new Error(
        `region "${region}" needs exactly one "#region ${region}" and one "#endregion ${region}" line (found ${starts.length} and ${ends.length})`,
      );
    }
    const [start = 0] = starts;
    const [end = 0] = ends;
    if (end < start) throw new Error(`region "${region}" ends before it starts`);
    lines = lines.slice(start + 1, end);
  }
  lines = lines.filter((line) => !REGION_LINE.test(line));
  while (lines.length > 0 && (lines.at(-1) ?? '').trim() === '') lines.pop();
  while (lines.length > 0 && (lines[0] ?? '').trim() === '') lines.shift();
  return dedent(lines).join('\n');
}

function indexesOf(lines: readonly string[], kind: 'region' | 'endregion', name: string): number[] {
  const pattern = new RegExp(`^\\s*(?://|#) #${kind}\\s+${escapeRegExp(name)}\\s*$`);
  const found: number[] = [];
  lines.forEach((line, index) => {
    if (pattern.test(line)) found.push(index);
  });
  return found;
}

function dedent(lines: readonly string[]): string[] {
  const indents = lines
    .filter((line) => line.trim() !== '')
    .map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(cut));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface SyncResult {
  /** The page with every marked block replaced by its file's current text. */
  readonly text: string;
  /** One line per block that differed, was unmarked, or names something missing. */
  readonly problems: string[];
  /** How many marked blocks differed from their files. */
  readonly changed: number;
}

/**
 * Brings every marked block of a page up to date. `read` returns a file's text by its
 * repository path, or undefined when there is no such file.
 */
export function syncCodeBlocks(
  page: string,
  markdown: string,
  read: (path: string) => string | undefined,
): SyncResult {
  const lines = markdown.split('\n');
  const problems: string[] = [];
  let changed = 0;
  // Replace from the bottom up so earlier line numbers stay valid.
  for (const block of findCodeBlocks(markdown).reverse()) {
    const where = `${page}:${block.openLine + 1}`;
    if (!block.include) {
      if (CODE_LANGUAGES.has(block.language)) {
        problems.push(
          `${where}: a ${block.language} block must show a tested file: put "<!-- include: path/to/file -->" on the line above it`,
        );
      }
      continue;
    }
    const { path, region } = block.include;
    const source = read(path);
    if (source === undefined) {
      problems.push(`${where}: includes ${path}, which does not exist`);
      continue;
    }
    let shown: string;
    try {
      shown = excerpt(source, region);
    } catch (error) {
      problems.push(`${where}: ${path}: ${(error as Error).message}`);
      continue;
    }
    if (shown === block.body) continue;
    changed++;
    problems.push(`${where}: differs from ${path}${region ? `#${region}` : ''}`);
    lines.splice(block.openLine + 1, block.closeLine - block.openLine - 1, ...shown.split('\n'));
  }
  return { text: lines.join('\n'), problems: problems.reverse(), changed };
}
