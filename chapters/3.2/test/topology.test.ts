import { describe, expect, it } from 'vitest';
import { countCpuList, describeSmt } from '../src/topology.ts';

describe('hyper-threading report', () => {
  it.each([
    ['0', 1],
    ['0,4', 2],
    ['0-1', 2],
    ['0-3,8-11', 8],
  ])('counts the CPU list "%s" as %i CPUs', (list, count) => {
    expect(countCpuList(list)).toBe(count);
  });

  it('says hyper-threading is on when cpu0 has a sibling', () => {
    expect(describeSmt(() => '0,4')).toBe(
      'hyper-threading: on — cpu0 shares its core with 1 other logical CPU(s) (0,4)',
    );
  });

  it('says it is off when cpu0 is alone on its core, and warns about VMs', () => {
    expect(describeSmt(() => '0')).toMatch(/^hyper-threading: off as this OS sees it/);
  });

  it('says when the OS does not report a topology', () => {
    expect(describeSmt(() => undefined)).toBe(
      'hyper-threading: this OS does not say (no Linux CPU topology)',
    );
  });
});
