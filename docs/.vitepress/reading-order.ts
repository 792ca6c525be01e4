/**
 * The site's pages in reading order, with their titles in both languages. The sidebar, the
 * Chinese stand-in pages and the site test all read this one list.
 *
 * A page appears once its English file exists, so a page being written shows up by itself.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/, the site's source folder. */
export const DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export type Locale = 'en' | 'zh';

export interface SitePage {
  /** The page's path under docs/ without `.md`: `chapter-3.1`. */
  readonly path: string;
  readonly group: 'chapters' | 'practice' | 'reference';
  readonly title: Readonly<Record<Locale, string>>;
  /** What the page covers, in Chinese: shown while the page has no Chinese translation. */
  readonly zhSummary: string;
}

export const READING_ORDER: readonly SitePage[] = [
  {
    path: 'chapter-3.1',
    group: 'chapters',
    title: {
      en: '3.1 A WebSocket server from raw TCP',
      zh: '3.1 从原始 TCP 实现 WebSocket 服务器',
    },
    zhSummary:
      '从一条普通的 TCP 连接出发，亲手完成 WebSocket 的升级握手（计算 `Sec-WebSocket-Accept`），再读写帧：掩码、三种长度编码、分片、控制帧与关闭握手，最后做出一个能在浏览器里用的聊天服务器。每一处原文的错误都作为勘误（errata）列出并附有测试。',
  },
  {
    path: 'chapter-3.1-engineering',
    group: 'chapters',
    title: { en: '3.1 Engineering notes', zh: '3.1 工程笔记' },
    zhSummary:
      '第 3.1 章的工程细节：面对恶意输入时服务器如何应对、各项上限与默认值，以及相关的测量数据。',
  },
  {
    path: 'chapter-3.2',
    group: 'chapters',
    title: { en: '3.2 Multithreaded service', zh: '3.2 多线程服务' },
    zhSummary:
      '进程与线程、并发与并行；Node.js 的工作线程（worker thread）、用 `SharedArrayBuffer` 和 `Atomics` 实现的互斥锁、死锁与加锁顺序；实测原文关于 GIL 的结论；子进程与进程间通信（IPC）；最后把计算任务从 WebSocket 服务器的主线程移到工作线程上。',
  },
  {
    path: 'chapter-3.2-engineering',
    group: 'chapters',
    title: { en: '3.2 Engineering notes', zh: '3.2 工程笔记' },
    zhSummary: '第 3.2 章的工程细节：健壮性、恶意输入的处理、各项上限，以及基准测试的完整数据。',
  },
  {
    path: 'chapter-3.3',
    group: 'chapters',
    title: { en: '3.3 Pools and coroutines', zh: '3.3 池与协程' },
    zhSummary:
      '生产者/消费者模型与背压（backpressure）；线程池与进程池的实现和计时；用生成器（generator）实现协程与一个协作式调度器；async/await 的由来；仿照 gevent 的异步数据结构（队列、事件、信号量等）。',
  },
  {
    path: 'chapter-3.3-engineering',
    group: 'chapters',
    title: { en: '3.3 Engineering notes', zh: '3.3 工程笔记' },
    zhSummary:
      '第 3.3 章的工程细节：池在异常与恶意任务下的行为、各项上限，以及基准测试的完整数据。',
  },
  {
    path: 'chapter-3.4',
    group: 'chapters',
    title: {
      en: '3.4 One chat across processes and hosts, on Redis',
      zh: '3.4 跨进程、跨主机的同一个聊天室：基于 Redis',
    },
    zhSummary:
      '超出原文的一章：先测出单个进程的上限（每条聊天消息都要逐一发给房间里的每个成员），再用 `node:cluster` 让多个进程共用一个端口，看到同一个房间被拆成几份；然后借助 Redis 把房间重新连成一个：发布/订阅（pub/sub）转发消息，`SET … NX PX` 加心跳保证昵称全局唯一，Redis Streams 从上次读到的 ID 续读，消息一条不丢；最后给出实测数据，以及多台主机部署的方案。',
  },
  {
    path: 'chapter-3.4-engineering',
    group: 'chapters',
    title: { en: '3.4 Engineering notes', zh: '3.4 工程笔记' },
    zhSummary:
      '第 3.4 章的工程细节：两个接口（RoomBus 与 Roster）的确切约定、本章自带的 redis-server 启动器、各项上限与故障（Redis 断开、超时、重连与重新订阅）及证明它们的测试，以及测量方法。',
  },
  {
    path: 'exercises',
    group: 'practice',
    title: { en: 'Exercises', zh: '练习' },
    zhSummary: '如何做练习：监视模式、提示与评分。',
  },
  {
    path: 'capstone',
    group: 'practice',
    title: { en: 'Capstone: a game room', zh: '综合项目：游戏房间' },
    zhSummary:
      '综合项目：一个多人游戏房间服务器——加入房间、20 Hz 的固定节拍广播房间状态、把寻路这类重计算交给工作线程、不让读得慢的玩家拖住其他人；说明 JSON 协议与评分方式。',
  },
  {
    path: 'instructors',
    group: 'practice',
    title: { en: 'For instructors', zh: '教师指南' },
    zhSummary: '导出学生模板、配置 GitHub Classroom、分数如何计算、如何新增练习。',
  },
  {
    path: 'ws-core',
    group: 'reference',
    title: { en: 'The ws-core package', zh: 'ws-core 参考' },
    zhSummary: '课程使用的 RFC 6455 参考实现 `@course/ws-core` 的结构与设计。',
  },
  {
    path: 'contributing',
    group: 'reference',
    title: { en: 'Contributing', zh: '参与编写' },
    zhSummary:
      '如何为课程添加一章（`npm run new-chapter`）、一个小节、一道练习或 ws-core 的一项功能；页面的约定（代码块引用文件、实测表格、引用测试标题）以及测试不产生竞态的规则。',
  },
  {
    path: 'glossary',
    group: 'reference',
    title: { en: 'Glossary', zh: '术语表' },
    zhSummary: '课程中用到的术语，中英对照。',
  },
];

const GROUP_TITLES: Readonly<Record<SitePage['group'], Record<Locale, string>>> = {
  chapters: { en: 'Chapter 3 — Server implementation', zh: '第 3 章 服务器实作' },
  practice: { en: 'Practice and teaching', zh: '练习与教学' },
  reference: { en: 'Reference', zh: '参考' },
};

/** The pages whose English file exists, in reading order. */
export function publishedPages(docsDir = DOCS_DIR): SitePage[] {
  return READING_ORDER.filter((page) => existsSync(join(docsDir, `${page.path}.md`)));
}

/** True when docs/zh/ holds a translation of the page (else the site shows a stand-in). */
export function hasChineseFile(page: SitePage, docsDir = DOCS_DIR): boolean {
  return existsSync(join(docsDir, 'zh', `${page.path}.md`));
}

interface SidebarGroup {
  text: string;
  items: { text: string; link: string }[];
}

/** The sidebar for one language: one group per part of the course, pages in reading order. */
export function sidebar(locale: Locale, docsDir = DOCS_DIR): SidebarGroup[] {
  const prefix = locale === 'en' ? '/' : '/zh/';
  const groups: SidebarGroup[] = [];
  for (const page of publishedPages(docsDir)) {
    const text = GROUP_TITLES[page.group][locale];
    let group = groups.find((candidate) => candidate.text === text);
    if (!group) {
      group = { text, items: [] };
      groups.push(group);
    }
    group.items.push({ text: page.title[locale], link: `${prefix}${page.path}` });
  }
  return groups;
}

/**
 * The Markdown of the Chinese stand-in for a page that has no translation yet: what the page
 * covers, in Chinese, and a link to the English page. The language switch maps every page to
 * the same path under /zh/, so it always lands on a page; a translation placed at
 * docs/zh/<path>.md takes the stand-in's place.
 */
export function chineseStandIn(page: SitePage): string {
  return [
    `# ${page.title.zh}`,
    '',
    '::: info 中文版正在翻译中',
    `本页的中文版尚未完成，请先阅读[英文版](/${page.path}.md)。`,
    ':::',
    '',
    page.zhSummary,
    '',
    '术语的中英对照见[术语表](/zh/glossary.md)。',
    '',
  ].join('\n');
}
