/** `--sizes 2,8,32,128`: room sizes for a measured section, checked like course-kit's number flags. */
import { type SectionArgs, UsageError } from '@course/course-kit';
import { MAX_MEMBERS } from './chat-load.ts';

/** At most this many sizes, so one run stays bounded in time. */
export const MAX_SIZES = 8;

export function sizesArg(args: SectionArgs, fallback: readonly number[]): number[] {
  const raw = args.sizes;
  if (typeof raw !== 'string') return [...fallback];
  const sizes = raw.split(',').map((part) => Number(part.trim()));
  const bad = sizes.find((n) => !Number.isInteger(n) || n < 2 || n > MAX_MEMBERS);
  if (bad !== undefined || sizes.length > MAX_SIZES) {
    throw new UsageError(
      `--sizes expects up to ${MAX_SIZES} whole numbers from 2 to ${MAX_MEMBERS}, separated by commas (e.g. 2,8,32), got "${raw}"`,
    );
  }
  return sizes;
}
