// Child fixture: answers each IPC message with its double, proving a .ts child starts under tsx.
process.on('message', (n: number) => process.send?.(n * 2));
