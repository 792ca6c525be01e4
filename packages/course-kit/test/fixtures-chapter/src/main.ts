/**
 * Test fixture: a chapter's main.ts that reports how it was started — its arguments, folder and
 * two variables of its environment — as one JSON line, then exits with code 3.
 */
process.stdout.write(
  `${JSON.stringify({
    args: process.argv.slice(2),
    cwd: process.cwd(),
    noColor: process.env.NO_COLOR,
    greeting: process.env.COURSE_GREETING ?? null,
    home: process.env.HOME ?? null,
  })}\n`,
);
process.stderr.write('to stderr\n');
process.exit(3);
