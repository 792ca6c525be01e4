/**
 * Grading helper (not student code): a process that claims one nickname with the student's
 * NicknameRegistry, says so over IPC, and then only waits — until the test kills it with
 * SIGKILL, the way a server crashes: no release, no goodbye. Only its TTL frees the name.
 *
 * argv: <module URL> <redis URL> <room> <nick> <ttlMs>
 */
const [moduleUrl = '', url = '', room = '', nick = '', ttlMs = ''] = process.argv.slice(2);

// Without its test (an IPC channel gone), it has nothing left to do.
process.on('disconnect', () => process.exit(0));

try {
  const { NicknameRegistry } = await import(moduleUrl);
  const registry = await NicknameRegistry.connect(url, { ttlMs: Number(ttlMs) });
  await registry.claim(room, nick);
  process.send?.({ claimed: nick });
} catch (error) {
  process.send?.({ failed: error instanceof Error ? error.message : String(error) });
}
setInterval(() => {}, 60_000); // alive (and its heartbeat running) until it is killed
