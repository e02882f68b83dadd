// Issue 5's speed figures: cold start to every listener answering, and kim-to-lee end to end.
import net from 'node:net';
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startLab, type Lab } from '../lab/runtime/lab.ts';
import { loadScenario, resolveScenario } from '../lab/scenario/load.ts';
import { runActions } from '../lab/scenario/runner.ts';

function tcpAnswers(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

function dnsAnswers(port: number): Promise<void> {
  // A real query for naver.com SOA; any answer counts.
  const query = Buffer.from('abcd01000001000000000000056e6176657203636f6d0000060001', 'hex');
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('message', () => {
      s.close();
      resolve();
    });
    s.once('error', reject);
    s.send(query, port, '127.0.0.1');
  });
}

async function allAnswer(lab: Lab): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const row of lab.endpoints()) {
    for (const s of row.services) {
      const port = Number(s.real.split(':').at(-1));
      waits.push(s.service === 'dns' ? Promise.all([dnsAnswers(port), tcpAnswers(port)]).then(() => {}) : tcpAnswers(port));
    }
  }
  await Promise.all(waits);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLabStart(rounds = 10): Promise<Record<string, number>> {
  // In-process: startLab() until every listener answers a real request.
  const inProcess: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const lab = await startLab({ ports: 'auto' });
    await allAnswer(lab);
    inProcess.push(performance.now() - t0);
    await lab.stop();
  }
  // From a fresh node process: spawn until the child reports every listener answering.
  const fromProcess: number[] = [];
  for (let i = 0; i < Math.min(rounds, 5); i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(import.meta.dirname, 'lab-start-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.once('data', () => {
        fromProcess.push(performance.now() - t0);
        child.kill('SIGTERM');
      });
      child.once('exit', () => resolve());
      child.once('error', reject);
    });
  }
  // kim-to-lee end to end, no pauses: send, relay, deliver, POP3 fetch.
  const scenario = loadScenario(resolveScenario('kim-to-lee'));
  const lab = await startLab({ ports: 'auto' });
  const e2e: number[] = [];
  try {
    for (let i = 0; i < rounds * 2; i++) {
      const t0 = performance.now();
      const result = await runActions(lab, scenario);
      e2e.push(performance.now() - t0);
      if (!result.ok) throw new Error('kim-to-lee failed during the benchmark');
    }
  } finally {
    await lab.stop();
  }
  return {
    'start in process, median ms': median(inProcess),
    'start from a new node process, median ms': median(fromProcess),
    'kim-to-lee end to end, median ms': median(e2e),
    'kim-to-lee end to end, max ms': Math.max(...e2e),
  };
}

if (import.meta.main) {
  const figures = await benchLabStart();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(44)} ${v.toFixed(1)}`);
}
