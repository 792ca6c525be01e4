/**
 * The child process of the IPC exercise. It answers { id, method, params } messages out of
 * order on purpose (each after a random delay), as a busy worker would:
 *   echo → { id, result: params }   fail → { id, error: "..." }   exit → exits with code 3
 *   hold → no answer at all
 */
interface Request {
  id: unknown;
  method: string;
  params: unknown;
}

process.on('message', (message: Request) => {
  const { id, method, params } = message;
  if (method === 'exit') process.exit(3);
  if (method === 'hold') return; // never answered: only an exit can settle it
  const delay = Math.floor(Math.random() * 15);
  setTimeout(() => {
    if (method === 'echo') process.send?.({ id, result: params });
    else if (method === 'fail')
      process.send?.({ id, error: `failed on purpose with ${JSON.stringify(params)}` });
    else process.send?.({ id, error: `unknown method ${method}` });
  }, delay);
});
// Stay alive only while the parent is there: a disconnect ends the child.
process.on('disconnect', () => process.exit(0));
