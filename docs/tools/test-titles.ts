/**
 * Pages cite tests by title (`hostile.test.ts` › closes a slowloris handshake …), so that a
 * reader can find the proof of a claim. A renamed test would leave such a citation pointing at
 * nothing; these helpers let a test check every citation against the titles that exist.
 */

/** A string literal's text starting at `start` (on its opening quote), and where it ends. */
function readLiteral(source: string, start: number): { text: string; end: number } | undefined {
  const quote = source[start];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  let text = '';
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      text += source[i + 1] ?? '';
      i++;
    } else if (char === quote) {
      return { text, end: i + 1 };
    } else {
      text += char;
    }
  }
  return undefined;
}

/** The index just past the bracket that closes the one at `open`, skipping string literals. */
function skipBalanced(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const char = source[i];
    if (char === "'" || char === '"' || char === '`') {
      i = (readLiteral(source, i)?.end ?? source.length) - 1;
    } else if (char === '(' || char === '[' || char === '{') {
      depth++;
    } else if (char === ')' || char === ']' || char === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return source.length;
}

const CALL =
  /\b(?:it|test|describe)((?:\.(?:each|skip|only|concurrent|sequential|skipIf|runIf|todo))*)\s*([(`])/g;

/** The titles of the `it`, `test` and `describe` calls in a test file (`.each` tables included). */
export function testTitles(source: string): string[] {
  const titles: string[] = [];
  for (const match of source.matchAll(CALL)) {
    let at = (match.index ?? 0) + match[0].length - 1;
    const modifiers = match[1] ?? '';
    // `.each(table)(title, …)`, `.skipIf(cond)(title, …)`, or `.each\`table\`(title, …)`.
    if (/each|skipIf|runIf/.test(modifiers)) {
      at = source[at] === '`' ? (readLiteral(source, at)?.end ?? at) : skipBalanced(source, at);
      if (source[at] !== '(') continue;
    } else if (source[at] !== '(') {
      continue;
    }
    let first = at + 1;
    while (/\s/.test(source[first] ?? '')) first++;
    const literal = readLiteral(source, first);
    if (literal) titles.push(literal.text);
  }
  return titles;
}

/** Titles citing tests on a page: the text after "›", up to the end of the clause. */
export function citedTitles(markdown: string): string[] {
  const cited: string[] = [];
  for (const match of markdown.matchAll(/›\s+([^;|\n`]+)/g)) {
    const title = (match[1] ?? '').replace(/[\s).,]+$/, '').trim();
    // Two or three words could begin many titles by chance: too short to check.
    if (title.split(/\s+/).length >= 4) cited.push(title);
  }
  return cited;
}

/**
 * Whether a cited title names one of `titles`: the whole title, its beginning (a page may cut
 * a long title at a comma, a semicolon or "…"), or one case of a parametrised title
 * (`%s`, `%i`, `$name`).
 */
export function namesATest(cited: string, titles: readonly string[]): boolean {
  const text = cited.replace(/\s*…$/, '').trim();
  return titles.some((title) => {
    if (title.startsWith(text)) return true;
    const cases = title
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%[sdifjo#]|\\\$\w+/g, '.+?');
    return new RegExp(`^${cases}`).test(text);
  });
}

/**
 * Titles cited in the last cell of table rows (where the pages put the "Test" column), in
 * backticks or double quotes, five words or more: `a task that throws rejects only its own …`.
 */
export function tableCitedTitles(markdown: string): string[] {
  const cited: string[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1);
    const last = cells.at(-1) ?? '';
    for (const match of last.matchAll(/`([^`]+)`|"([^"]+)"/g)) {
      const text = (match[1] ?? match[2] ?? '').trim();
      if (text.split(/\s+/).length >= 5) cited.push(text);
    }
  }
  return cited;
}
