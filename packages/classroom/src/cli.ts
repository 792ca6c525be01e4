/** Runs a command's main function: its result is the exit code, an error is one line and exit 2. */
export function runCli(main: (argv: string[]) => Promise<number> | number): void {
  // `npm run grade | head` closes the pipe early: that is the reader's choice, not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: Error) => {
        console.error(`error: ${plainError(error)}`);
        process.exitCode = 2;
      },
    );
}

/** Node's parseArgs explains an unknown flag in terms of its own API; say it in ours. */
function plainError(error: Error & { code?: string }): string {
  if (error.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return error.message;
  const flag = /'([^']+)'/.exec(error.message)?.[1] ?? 'option';
  return `unknown option ${flag}; --help lists the options`;
}
