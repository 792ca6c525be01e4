/** A numeric flag with bounds: `--count 1e12` gets a clear usage error, not an out-of-memory crash. */
import { numberArg, type SectionArgs, UsageError } from '@course/course-kit';

export function wholeArg(args: SectionArgs, name: string, fallback: number, max: number): number {
  const value = numberArg(args, name, fallback);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`--${name} expects a whole number from 1 to ${max}, got ${value}`);
  }
  return value;
}
