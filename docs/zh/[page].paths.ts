/**
 * Chinese stand-ins for the pages not yet translated: each English page gets a page at the
 * same path under /zh/, so the language switch always lands on one. A translation saved as
 * docs/zh/<path>.md replaces its stand-in.
 */
import { chineseStandIn, hasChineseFile, publishedPages } from '../.vitepress/reading-order.ts';

export default {
  paths() {
    return publishedPages()
      .filter((page) => !hasChineseFile(page))
      .map((page) => ({ params: { page: page.path }, content: chineseStandIn(page) }));
  },
};
