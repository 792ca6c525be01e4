/**
 * Heading anchors that are the same on GitHub and on the site: the site's slugify is GitHub's
 * rule, so a link such as `chapter-3.1.md#311-what-websocket-is-for` works in both places.
 * A heading may also name its anchor explicitly with `{#id}` (the translated pages keep the
 * English anchors that way), and an HTML element outside code may carry an `id="…"` (the
 * glossary marks each term's row with `<span id="handshake"></span>`).
 */

/**
 * GitHub's rule: lower-case; drop every character that is not a letter, a mark, a number, a
 * connector (`_`), a space or a hyphen; each space becomes a hyphen.
 */
export function slugify(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const HEADING = /^(#{1,6})\s+(.*?)\s*$/;
const EXPLICIT_ID = /\s*\{#([^}\s]+)\}\s*$/;
/** An `id` attribute of an HTML tag written in the page (not inside inline code). */
const HTML_ID = /<[a-z][a-z0-9]*\b[^>]*?\sid="([^"]+)"[^>]*>/gi;

/** The text a heading shows: inline code and emphasis marks and links reduced to their words. */
function headingText(raw: string): string {
  return raw.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
}

/**
 * Every anchor a page's headings give, in order, with "-1", "-2" for repeats (as both do),
 * followed by the ids its HTML tags give (`<span id="x"></span>`), in order.
 */
export function headingAnchors(markdown: string): string[] {
  const anchors: string[] = [];
  const ids: string[] = [];
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const fenceMark = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark && (fence === undefined || line.trim() === fence)) {
      fence = fence === undefined ? fenceMark : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    for (const tag of line.replace(/`[^`]*`/g, '').matchAll(HTML_ID)) ids.push(tag[1] ?? '');
    const match = HEADING.exec(line);
    if (!match) continue;
    const raw = match[2] ?? '';
    const explicit = EXPLICIT_ID.exec(raw)?.[1];
    const base = explicit ?? slugify(headingText(raw));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.push(explicit || count === 0 ? base : `${base}-${count}`);
  }
  return [...anchors, ...ids];
}
