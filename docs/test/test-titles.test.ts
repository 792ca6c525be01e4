import { describe, expect, test } from 'vitest';
import { citedTitles, namesATest, tableCitedTitles, testTitles } from '../tools/test-titles.ts';

describe('test titles and the pages that cite them', () => {
  test('reads the titles of it, test, describe and their .each and .skipIf forms', () => {
    const source = [
      "describe('a group', () => {",
      "  it('closes with 1008, \\'too fast\\'', () => {});",
      '  test.each([[1, 2], [3, (4)]])("adds %i and %i", () => {});',
      '  it.skipIf(process.platform === "win32")(`reads /proc`, () => {});',
      '  test.each`a | b`("table $a", () => {});',
      '});',
    ].join('\n');
    expect(testTitles(source)).toEqual([
      'a group',
      "closes with 1008, 'too fast'",
      'adds %i and %i',
      'reads /proc',
      'table $a',
    ]);
  });

  test('finds citations after "›" and in the last cell of table rows', () => {
    const page = [
      'Proof: `x.test.ts` › refuses a third join from one address; and more.',
      '| rule | `a task that throws rejects only its own result` |',
      '| `not the last cell, so not a citation` | short `two words` |',
    ].join('\n');
    expect([...citedTitles(page), ...tableCitedTitles(page)]).toEqual([
      'refuses a third join from one address',
      'a task that throws rejects only its own result',
    ]);
  });

  test('matches a whole title, its beginning, or one case of a parametrised title', () => {
    const titles = ['refuses a join with 1013, telling nobody', 'fails with 1002 on close code %i'];
    expect(namesATest('refuses a join with 1013 …', titles)).toBe(true);
    expect(namesATest('fails with 1002 on close code 1005', titles)).toBe(true);
    expect(namesATest('refuses a join with 1008', titles)).toBe(false);
  });
});
