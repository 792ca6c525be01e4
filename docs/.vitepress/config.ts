/**
 * The course site: VitePress over docs/, English at / and Simplified Chinese at /zh/.
 *
 *   npm run docs          dev server (prints its URL)
 *   npm run docs:build    static site in docs/.vitepress/dist (fails on a dead link)
 *   npm run docs:preview  serves the built site
 *
 * Links into the repository's files go to DOCS_SOURCE_URL when it is set (for a GitHub
 * repository, https://github.com/OWNER/REPO/blob/main); see source-links.ts.
 *
 * ```mermaid blocks are drawn in the browser by mermaid (theme/course-diagram.ts), bundled into
 * the site and loaded only by pages that have a diagram: no network is needed to show them.
 */
import { defineConfig } from 'vitepress';
import { slugify } from '../tools/anchors.ts';
import { diagrams } from './diagrams.ts';
import { sidebar } from './reading-order.ts';
import { sourceLinks } from './source-links.ts';
import { tokenize } from './theme/search-tokenize.ts';

const SOURCE_URL = process.env.DOCS_SOURCE_URL ?? '';

export default defineConfig({
  title: 'Game server course',
  description:
    'Chapter 3 of a game-server tutorial, retold for Node.js and TypeScript: a WebSocket server from raw TCP, threads and processes, pools and coroutines.',
  lang: 'en-US',
  // Pages only: the tools, tests and measured data that live beside them are not part of the site.
  srcExclude: ['tools/**', 'tables/**', 'data/**', 'test/**', 'node_modules/**'],
  // Off, as is "Edit this page" (no editLink): they need each file's git history and a remote,
  // which an offline build of an exported copy does not have.
  lastUpdated: false,
  // mermaid is imported only by the diagram component; pre-bundled, the dev server serves it as
  // a few files instead of hundreds.
  // The largest chunks are mermaid's own, fetched only by a page that shows a diagram.
  vite: { optimizeDeps: { include: ['mermaid'] }, build: { chunkSizeWarningLimit: 1024 } },
  // No favicon file: an empty data: icon keeps browsers from asking the server for one.
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  markdown: {
    // GitHub's anchors, so a link to a heading works on the site and on GitHub alike.
    anchor: { slugify },
    config(md) {
      sourceLinks(md, { sourceUrl: SOURCE_URL });
      diagrams(md);
    },
  },
  themeConfig: {
    outline: { level: [2, 3] },
    search: {
      provider: 'local',
      options: {
        miniSearch: { options: { tokenize } },
        locales: {
          zh: {
            translations: {
              button: { buttonText: '搜索', buttonAriaLabel: '搜索' },
              modal: {
                displayDetails: '显示详细列表',
                resetButtonTitle: '清除查询',
                backButtonTitle: '关闭搜索',
                noResultsText: '没有找到结果',
                footer: {
                  selectText: '打开',
                  selectKeyAriaLabel: '回车',
                  navigateText: '切换',
                  navigateUpKeyAriaLabel: '上箭头',
                  navigateDownKeyAriaLabel: '下箭头',
                  closeText: '关闭',
                  closeKeyAriaLabel: 'Esc',
                },
              },
            },
          },
        },
      },
    },
  },
  locales: {
    root: {
      label: 'English',
      lang: 'en-US',
      themeConfig: {
        nav: [
          { text: 'Chapter 3.1', link: '/chapter-3.1' },
          { text: 'Exercises', link: '/exercises' },
          { text: 'Glossary', link: '/glossary' },
        ],
        sidebar: sidebar('en'),
      },
    },
    zh: {
      label: '简体中文',
      lang: 'zh-CN',
      link: '/zh/',
      title: '游戏服务器课程',
      description:
        '游戏服务器教程第 3 章的 Node.js 与 TypeScript 版：从原始 TCP 实现 WebSocket 服务器、线程与进程、池与协程。',
      themeConfig: {
        nav: [
          { text: '第 3.1 章', link: '/zh/chapter-3.1' },
          { text: '练习', link: '/zh/exercises' },
          { text: '术语表', link: '/zh/glossary' },
        ],
        sidebar: sidebar('zh'),
        outline: { level: [2, 3], label: '本页目录' },
        docFooter: { prev: '上一页', next: '下一页' },
        darkModeSwitchLabel: '外观',
        lightModeSwitchTitle: '切换到浅色模式',
        darkModeSwitchTitle: '切换到深色模式',
        sidebarMenuLabel: '目录',
        returnToTopLabel: '回到顶部',
        langMenuLabel: '切换语言',
        skipToContentLabel: '跳到正文',
        notFound: {
          title: '页面不存在',
          quote: '这个地址上没有页面。',
          linkLabel: '回到首页',
          linkText: '回到首页',
        },
      },
    },
  },
});
