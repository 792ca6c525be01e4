/**
 * The default theme, with the diagram component and a search tokenizer that also cuts Chinese
 * text into words.
 */
import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { CourseDiagram } from './course-diagram.ts';
import { tokenize } from './search-tokenize.ts';
import './custom.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app, siteData }) {
    app.component('CourseDiagram', CourseDiagram);
    // The config's tokenizer reaches the index build only: functions do not survive the trip to
    // the browser in the site data, so the same one is set here for the queries.
    const search = siteData.value.themeConfig?.search;
    if (search?.provider !== 'local') return;
    search.options ??= {};
    search.options.miniSearch = {
      ...search.options.miniSearch,
      options: { ...search.options.miniSearch?.options, tokenize },
    };
  },
} satisfies Theme;
