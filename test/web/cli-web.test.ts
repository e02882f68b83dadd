import { describe, it, expect } from 'vitest';
import { runCli } from '../cli/cli-helpers.ts';
import { loadTopology } from '../../lab/topology/load.ts';
import { DEFAULT_TOPOLOGY } from '../../lab/runtime/lab.ts';

describe('the web options of npm run lab', () => {
  it('says what to write instead of a bad --web, --web-listen or --export-html', async () => {
    for (const [args, message] of [
      [['--web', 'abc'], '--web abc: write a port (8025), auto or off'],
      [['--web', '70000'], '--web 70000: a port is at most 65535'],
      [['--web-listen', 'classroom'], '--web-listen classroom: write an IP address'],
      [['--export-html', 'run.html'], '--export-html FILE writes the run once it is over: use it with --exit'],
    ] as const) {
      const run = await runCli([...args, '--ports', 'auto']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it('takes the page\'s port from the topology (web: 8025 in classroom.yaml)', () => {
    expect(loadTopology(DEFAULT_TOPOLOGY).web).toBe(8025);
  });
});
