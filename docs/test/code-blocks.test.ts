import { describe, expect, test } from 'vitest';
import { excerpt, findCodeBlocks, syncCodeBlocks } from '../tools/code-blocks.ts';

const FILES: Record<string, string> = {
  'a.ts': '// header\nexport const a = 1;\n',
  'b.ts': [
    'function outer() {',
    '  // #region inner',
    '  const x = 1;',
    '  // #region nested',
    '  return x;',
    '  // #endregion nested',
    '  // #endregion inner',
    '}',
    '',
  ].join('\n'),
  'c.py': '# #region send\ndef send(sock, data):\n    sock.sendall(data)\n# #endregion send\n',
};
const read = (path: string) => FILES[path];

describe('excerpt', () => {
  test('shows a whole file without its trailing newline', () => {
    expect(excerpt(FILES['a.ts'] ?? '')).toBe('// header\nexport const a = 1;');
  });

  test('shows a region dedented, without any region marker lines', () => {
    expect(excerpt(FILES['b.ts'] ?? '', 'inner')).toBe('const x = 1;\nreturn x;');
  });

  test('reads Python regions marked with "# #region"', () => {
    expect(excerpt(FILES['c.py'] ?? '', 'send')).toBe(
      'def send(sock, data):\n    sock.sendall(data)',
    );
  });

  test('names a missing region', () => {
    expect(() => excerpt(FILES['a.ts'] ?? '', 'nope')).toThrow(/region "nope" needs exactly one/);
  });
});

describe('syncCodeBlocks', () => {
  test('finds fences of any length and the include marker right above one', () => {
    const blocks = findCodeBlocks('<!-- include: a.ts -->\n````ts\n```\n````\n\n```sh\nls\n```');
    expect(blocks.map((block) => [block.language, block.include?.path, block.body])).toEqual([
      ['ts', 'a.ts', '```'],
      ['sh', undefined, 'ls'],
    ]);
  });

  test('leaves an up-to-date page alone', () => {
    const page = '# T\n\n<!-- include: b.ts#inner -->\n```ts\nconst x = 1;\nreturn x;\n```\n';
    expect(syncCodeBlocks('p.md', page, read)).toEqual({ text: page, problems: [], changed: 0 });
  });

  test('rewrites a block that differs from its file and says where', () => {
    const page = 'intro\n<!-- include: a.ts -->\n```ts\nold\ntext\n```\nafter\n';
    const result = syncCodeBlocks('p.md', page, read);
    expect(result.text).toBe(
      'intro\n<!-- include: a.ts -->\n```ts\n// header\nexport const a = 1;\n```\nafter\n',
    );
    expect(result.problems).toEqual(['p.md:3: differs from a.ts']);
    expect(result.changed).toBe(1);
  });

  test('refuses a TypeScript or Python block with no include marker, but not a shell block', () => {
    const page = '```ts\nlet x;\n```\n\n```python\npass\n```\n\n```sh\nnpm test\n```\n';
    expect(syncCodeBlocks('p.md', page, read).problems).toEqual([
      'p.md:1: a ts block must show a tested file: put "<!-- include: path/to/file -->" on the line above it',
      'p.md:5: a python block must show a tested file: put "<!-- include: path/to/file -->" on the line above it',
    ]);
  });

  test('names a missing file and a missing region', () => {
    const page = '<!-- include: gone.ts -->\n```ts\n```\n<!-- include: a.ts#nope -->\n```ts\n```\n';
    expect(syncCodeBlocks('p.md', page, read).problems).toEqual([
      'p.md:2: includes gone.ts, which does not exist',
      'p.md:5: a.ts: region "nope" needs exactly one "#region nope" and one "#endregion nope" line (found 0 and 0)',
    ]);
  });
});
