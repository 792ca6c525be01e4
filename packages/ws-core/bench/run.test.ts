import { describe, expect, test } from 'vitest';
import { type BenchReport, runBench } from './run.ts';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (text: string) => {
      out.stdout += text;
    },
    stderr: (text: string) => {
      out.stderr += text;
    },
  };
  return { out, io };
}

describe('npm run bench', () => {
  test('runs the quick matrix against every server and reports JSON with every variant correct', {
    timeout: 240_000,
  }, async () => {
    const { out, io } = capture();
    const { exitCode } = await runBench(['--quick', '--json', '--duration', '100'], io);
    expect(out.stderr).not.toMatch(/INCORRECT|FAILED/);
    expect(exitCode).toBe(0);
    const report = JSON.parse(out.stdout) as BenchReport;
    expect(report.correct).toBe(true);
    expect(report.codec).toHaveLength(4 * 6); // 4 sizes x (3 decoders + 3 encoders)
    expect(report.codec.every((row) => row.ok)).toBe(true);
    expect(report.echo).toHaveLength(2 * 2 * 2);
    for (const cell of report.echo) {
      expect(Object.keys(cell.results).sort()).toEqual(['ours', 'ws', 'ws+bufferutil']);
      for (const result of Object.values(cell.results)) {
        expect(result.echoed).toBe(result.sent);
        expect(result.measuredMessages).toBeGreaterThan(0);
      }
    }
    expect(report.verdicts.map((v) => v.target)).toEqual([
      'decode >= 3x ws at >= 1 KiB',
      'decode >= 1.5x ws+bufferutil at 64 KiB and 1 MiB',
      'echo >= 1.0x ws on every cell',
      'echo >= 3x ws with 16 small (16 B) messages in flight',
      'echo >= 1.0x ws+bufferutil on the 64 KiB cells',
      'idle memory <= 0.8x ws per connection at 10,000 connections (RSS)',
      'upgrades/s >= 1.0x ws (100 handshakes in flight)',
    ]);
    // Idle: both servers at both sizes, every connection upgraded, a ratio per size.
    expect(report.idle).toHaveLength(2 * 2);
    for (const row of report.idle) {
      expect(row.errors).toEqual([]);
      expect(row.upgraded).toBe(row.connections);
    }
    expect(report.idleSummary.map((s) => s.connections)).toEqual([1_000, 10_000]);
    // Compression: the codec's cost both ways, a message of the inflated limit received, echo
    // at 1 KiB and 64 KiB against ws's, and memory with every connection compressed and every
    // echo checked.
    expect(report.deflate.cost.map((row) => row.size)).toContain(64 * 1024);
    expect(report.deflate.limit.map((row) => [row.content, row.compressed])).toEqual([
      ['JSON-like text', false],
      ['JSON-like text', true],
      ['zeros', false],
      ['zeros', true],
    ]);
    expect(report.deflate.echo.map((row) => row.size)).toEqual([1024, 64 * 1024]);
    for (const row of report.deflate.echo) {
      expect(row.errors).toEqual([]);
      expect(Object.values(row.servers).map((s) => s.extensions)).toEqual([
        'permessage-deflate; client_max_window_bits=13',
        'permessage-deflate; client_max_window_bits=13',
      ]);
    }
    expect(report.deflate.memory).toHaveLength(2);
    for (const row of report.deflate.memory) {
      expect(row.errors).toEqual([]);
      expect(row.compressed).toBe(row.connections);
      expect(row.echoed).toBe(row.connections * 10);
    }
    expect(report.maskKernel).toBe('wasm-simd');
    expect(report.wsPaths).toMatch(/pure JS byte loops/);
    expect(report.wsNativePaths).toMatch(/NATIVE; bufferutil in use/);
    // Humans still get the tables and one MET/MISSED line per target, on stderr.
    expect(out.stderr).toMatch(/ours\/ws/);
    expect(out.stderr.match(/^(MET|MISSED) /gm)).toHaveLength(7);
  });

  test.each([
    [['--only', 'everything'], /--only expects codec, echo, idle or deflate, got "everything"/],
    [['--duration', 'soon'], /--duration expects a positive number, got "soon"/],
    [['--rounds', '0'], /--rounds expects a positive number, got "0"/],
    [['--fast'], /Unknown option '--fast'/],
  ])('answers %j with a usage line and exit code 2', async (argv, message) => {
    const { out, io } = capture();
    const { exitCode } = await runBench(argv, io);
    expect(exitCode).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toMatch(/^usage: tsx bench\/run.ts/m);
  });
});
