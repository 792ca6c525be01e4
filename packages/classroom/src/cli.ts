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
        console.error(`error: ${error.message}`);
        process.exitCode = 2;
      },
    );
}
