/** Child-process entry for ProcessPool: the shared task runner, answering task by task. */
import { connectToParent } from '@course/course-kit/workers';
import type { FromWorker, ToWorker } from './messages.ts';
import { serveTasks } from './task-runner.ts';

serveTasks(connectToParent<ToWorker, FromWorker>());
