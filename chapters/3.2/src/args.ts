/** Section flags with bounds: a bad value is a one-line usage error, not a stack trace. */
import { numberArg, type SectionArgs, UsageError } from '@course/course-kit';

export function wholeArg(
  args: SectionArgs,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = numberArg(args, name, fallback);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

/** More workers than this only measures the scheduler (and can exhaust memory). */
export const MAX_WORKERS = 64;
