/**
 * Chapter 3.4 as the shared runner sees it: its sections, in the lesson's order.
 * A section that starts workers or child processes is wrapped in course-kit's
 * `quietWhenInterrupted(section, '… stopped its workers')`, so Ctrl-C ends it with one line.
 */
import { type Chapter, quietWhenInterrupted } from '@course/course-kit';
import { brokerFailure } from './sections/broker-failure.ts';
import { ceiling } from './sections/ceiling.ts';
import { manyProcesses } from './sections/many-processes.ts';
import { redisRelay } from './sections/redis-relay.ts';
import { scale } from './sections/scale.ts';
import { sharedState } from './sections/shared-state.ts';

export const chapter: Chapter = {
  id: '3.4',
  title: 'One chat across processes and hosts, on Redis',
  sections: [
    quietWhenInterrupted(ceiling, '3.4.1 closed its clients and stopped the chat server'),
    quietWhenInterrupted(manyProcesses, '3.4.2 stopped its workers'),
    redisRelay,
    quietWhenInterrupted(sharedState, '3.4.4 stopped its workers and its Redis'),
    quietWhenInterrupted(brokerFailure, '3.4.5 closed its clients, chat servers, links and Redis'),
    quietWhenInterrupted(scale, '3.4.6 stopped its servers, workers and redis-server'),
  ],
};
