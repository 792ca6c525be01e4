/**
 * Links from a page into the repository's own files (`../chapters/3.1/src/wire-tap.ts`,
 * `../packages/ws-core`) point outside docs/, so the built site has nothing at their address
 * and VitePress would report the folders among them as dead links.
 *
 * This markdown-it rule rewrites each such link before VitePress sees it: to
 * `<sourceUrl>/<path in the repository>` when a source URL is configured (for a GitHub
 * repository, `https://github.com/OWNER/REPO/blob/main`), else into a plain span that names
 * the file in its tooltip. Links between pages are left alone, so VitePress still fails the
 * build on a dead one.
 */
import { posix } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';

export interface SourceLinkOptions {
  /** Base URL of the repository's files, without a trailing slash; '' for no links. */
  readonly sourceUrl: string;
}

interface LinkToken {
  type: string;
  tag: string;
  attrGet(name: string): string | null;
  attrSet(name: string, value: string): void;
  attrs: [string, string][] | null;
  children: LinkToken[] | null;
}

/** The repository path a page's relative link points at, or undefined when it stays in docs/. */
export function repositoryPath(pagePath: string, href: string): string | undefined {
  if (
    href === '' ||
    href.startsWith('#') ||
    href.startsWith('/') ||
    /^[a-z][a-z\d+.-]*:/i.test(href)
  ) {
    return undefined;
  }
  const target = href.replace(/[?#].*$/, '');
  // pagePath is relative to docs/ (`zh/ws-core.md`), so docs/ itself is one level down.
  const resolved = posix.normalize(posix.join('docs', posix.dirname(pagePath), target));
  if (resolved === 'docs' || resolved.startsWith('docs/') || resolved.startsWith('../')) {
    return undefined;
  }
  return resolved.replace(/\/$/, '');
}

export function sourceLinks(md: MarkdownRenderer, options: SourceLinkOptions): void {
  const base = options.sourceUrl.replace(/\/+$/, '');
  md.core.ruler.push('course_source_links', (state) => {
    const pagePath = String((state.env as { relativePath?: string }).relativePath ?? '');
    for (const block of state.tokens as LinkToken[]) {
      let inSpan = false;
      for (const token of block.children ?? []) {
        if (token.type === 'link_open') {
          const href = token.attrGet('href') ?? '';
          const path = repositoryPath(pagePath, href);
          if (path === undefined) continue;
          const hash = href.includes('#') ? href.slice(href.indexOf('#')) : '';
          if (base !== '') {
            token.attrSet('href', `${base}/${path}${hash}`);
          } else {
            // No address to send the reader to: keep the text, name the file in a tooltip.
            token.tag = 'span';
            token.attrs = [
              ['class', 'repo-file'],
              [
                'title',
                pagePath.startsWith('zh/')
                  ? `${path}（课程仓库中的文件）`
                  : `${path} (in the course repository)`,
              ],
            ];
            inSpan = true;
          }
        } else if (token.type === 'link_close' && inSpan) {
          token.tag = 'span';
          inSpan = false;
        }
      }
    }
  });
}
