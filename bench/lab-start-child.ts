// Started by bench/lab-start.ts: a lab from a cold process; prints one line when every listener answers.
import module from 'node:module';

// as lab/cli.ts does: the compile cache on before the lab's modules load
module.enableCompileCache?.();
const { startLab } = await import('../lab/runtime/lab.ts');
const lab = await startLab({ ports: 'auto' });
process.stdout.write(`ready ${lab.endpoints().length}\n`);
process.on('SIGTERM', () => void lab.stop().then(() => process.exit(0)));
