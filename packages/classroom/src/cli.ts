/** Runs a command's main function: its result is the exit code, an error is one line and exit 2. */
export function runCli(main: (argv: string[]) => Promise<number> | number): void {
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
