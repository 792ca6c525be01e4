/** Chapter 3.3 as data: the sections `npm run chapter:3.3` runs, in order. */
import type { Chapter } from '@course/course-kit';
import { coroutines } from './sections/coroutines.ts';
import { gevent } from './sections/gevent.ts';
import { libraries } from './sections/libraries.ts';
import { pools } from './sections/pools.ts';
import { producerConsumer } from './sections/producer-consumer.ts';

export const chapter: Chapter = {
  id: '3.3',
  title: 'Pools and coroutines',
  sections: [producerConsumer, pools, coroutines, libraries, gevent],
};
