// What a start loads: the web server, the containers runtime (testcontainers), mailparser and
// nodemailer's transports are loaded only when an option or a first use asks for them, so that
// the lab's listeners open sooner and an idle lab holds less memory. Not timed: it lists the
// module files each process loaded.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from './cli-helpers.ts';

const HOOK = path.join(import.meta.dirname, 'fixtures', 'loaded-modules.cjs');

/** Run node with the hook; the files it loaded, relative to the project ("lab/web/web-server.ts", "node_modules/mailparser/..."). */
async function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; files: string[]; builtins: string[]; stderr: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-loaded-'));
  const list = path.join(dir, 'loaded.txt');
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', HOOK, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env, LOADED_MODULES_FILE: list }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const lines = (await fs.readFile(list, 'utf8')).split('\n').filter(Boolean);
    const builtins = lines.filter((l) => l.startsWith('node:'));
    const urls = lines.filter((l) => !l.startsWith('node:'));
    // node_modules is a link in a worktree: name packages from "node_modules/" on, wherever that is
    const files = urls.map((u) => {
      const p = decodeURIComponent(new URL(u).pathname);
      const nm = p.lastIndexOf('/node_modules/');
      return nm >= 0 ? p.slice(nm + 1) : path.relative(ROOT, p);
    });
    return { code, files, builtins, stderr };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const WEB_SERVER = 'lab/web/web-server.ts';
const CONTAINERS = 'lab/runtime/containers.ts';
const has = (files: string[], part: string) => files.some((f) => f === part || f.startsWith(`${part}/`) || f.startsWith(`node_modules/${part}/`));

describe('what a start loads', () => {
  it('--help loads neither the lab nor its servers, the web server nor the containers runtime', async () => {
    const { code, files } = await loadedBy([CLI, '--help']);
    expect(code).toBe(0);
    expect(files).toContain('lab/cli-help.ts');
    for (const f of [WEB_SERVER, 'lab/web/cli-web.ts', CONTAINERS, 'lab/runtime/lab.ts', 'lab/imap/imap-server.ts']) expect(files).not.toContain(f);
    for (const pkg of ['testcontainers', 'mailparser', 'nodemailer', 'smtp-server', 'zod', 'yaml']) expect(has(files, pkg), pkg).toBe(false);
  });

  it('startLab() with no scenario loads no web server, no containers runtime, no mailparser, no nodemailer transport', async () => {
    const script = "const { startLab } = await import('./lab/runtime/lab.ts'); const lab = await startLab({ ports: 'auto' }); await lab.stop();";
    const { code, files, stderr } = await loadedBy(['--input-type=module', '-e', script]);
    expect(code, stderr).toBe(0);
    expect(files).toContain('lab/imap/imap-server.ts'); // the hook saw the lab's own modules
    for (const f of [WEB_SERVER, CONTAINERS, 'lab/scenario/runner.ts']) expect(files).not.toContain(f);
    for (const pkg of ['testcontainers', 'mailparser', 'imapflow']) expect(has(files, pkg), pkg).toBe(false);
    // the IMAP command table is there, each command's module comes with the first command that needs it
    expect(files).toContain('lab/imap/imap-commands.ts');
    expect(files.filter((f) => f.startsWith('lab/imap/commands/'))).toEqual([]);
    // smtp-server and the relay use parts of nodemailer; its front (every transport) is not loaded
    expect(files.some((f) => /^node_modules\/nodemailer\/dist\/(esm|cjs)\/nodemailer\.js$/.test(f))).toBe(false);
  });

  it('an idle lab holds neither smtp-server nor the relay\'s SMTP client nor node:crypto: they come with the first letter', async () => {
    // as `npm run lab` starts one: process-tuning.ts first
    const idle = "await import('./lab/runtime/process-tuning.ts'); const { startLab } = await import('./lab/runtime/lab.ts'); const lab = await startLab({ ports: 'auto' });";
    const before = await loadedBy(['--input-type=module', '-e', `${idle} await lab.stop();`]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.files).toContain('lab/mta/smtp-listener.ts'); // the mail servers listen
    for (const f of ['lab/mta/smtp-server-adapter.ts', 'node_modules/smtp-server/dist/cjs/smtp-server.js', 'node_modules/nodemailer/dist/cjs/smtp-connection/index.js']) expect(before.files, f).not.toContain(f);
    expect(before.builtins).not.toContain('node:crypto');
    // kim's letter: Server-B's smtp-server takes it, its relay hands it to Server's, whose MDA puts it in lee's mailbox
    const letter = "await lab.client('WinClient').send({ to: 'lee@naver.com', subject: 'first letter', text: 'hello' }); await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'first letter');";
    const after = await loadedBy(['--input-type=module', '-e', `${idle} ${letter} await lab.stop();`]);
    expect(after.code, after.stderr).toBe(0);
    for (const f of ['lab/mta/smtp-server-adapter.ts', 'node_modules/smtp-server/dist/cjs/smtp-server.js', 'node_modules/nodemailer/dist/cjs/smtp-connection/index.js']) expect(after.files, f).toContain(f);
    expect(after.builtins).toContain('node:crypto');
  });

  it('a lab that has carried a letter has loaded one nodemailer, CommonJS builds of it and smtp-server, and none of HTTP/2, undici or dns2 over HTTPS', async () => {
    // as `npm run lab` starts one: process-tuning.ts holds the heap's growth, startLab releases it
    const script = "await import('./lab/runtime/process-tuning.ts'); const { startLab } = await import('./lab/runtime/lab.ts'); const lab = await startLab({ ports: 'auto' }); await lab.client('WinClient').send({ to: 'lee@naver.com', subject: 'first letter', text: 'hello' }); await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'first letter'); await lab.stop();";
    const { code, files, builtins, stderr } = await loadedBy(['--input-type=module', '-e', script]);
    expect(code, stderr).toBe(0);
    expect(builtins).toContain('node:net'); // the hook saw Node's own modules
    // an ES module build importing node:http makes Node read its lazy exports, which load these
    for (const b of ['node:http2', 'node:internal/deps/undici/undici']) expect(builtins, b).not.toContain(b);
    // nodemailer's fetch (for attachments by URL) stays out, and node:http, https and zlib with it
    expect(files).not.toContain('node_modules/nodemailer/dist/cjs/fetch/index.js');
    for (const b of ['node:http', 'node:https', 'node:zlib']) expect(builtins, b).not.toContain(b);
    // node:tls neither: smtp-server and nodemailer get a stand-in (lab/mta/lazy-tls.cjs), and no lab server offers STARTTLS
    expect(builtins).not.toContain('node:tls');
    expect(files).toContain('lab/mta/lazy-tls.cjs');
    // node:fs, node:util and node:crypto come by require (lab/node-builtins.ts): an ES import of
    // them makes Node read every export, and their lazy ones load these; the lab's file calls
    // that return promises are node:fs's callbacks (lab/fs-async.ts), not node:fs/promises
    for (const b of ['node:worker_threads', 'node:internal/util/parse_args/parse_args', 'node:internal/util/diff', 'node:internal/crypto/webcrypto']) expect(builtins, b).not.toContain(b);
    for (const b of ['node:internal/fs/promises', 'node:internal/readline/interface']) expect(builtins, b).not.toContain(b);
    expect(files).toContain('node_modules/nodemailer/dist/cjs/smtp-connection/index.js');
    expect(files).toContain('node_modules/smtp-server/dist/cjs/smtp-server.js');
    expect(files.filter((f) => /^node_modules\/(nodemailer|smtp-server)\/dist\/esm\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.includes('/node_modules/nodemailer/'))).toEqual([]); // no second copy under smtp-server
    expect(files.filter((f) => f.startsWith('node_modules/dns2/') && /doh|google/.test(f))).toEqual([]);
  });

  it('the CLI with --exit --web off plays kim-to-lee without loading the web server or the containers runtime', async () => {
    const { code, files, stderr } = await loadedBy([CLI, '--exit', '--web', 'off', '--ports', 'auto']);
    expect(code, stderr).toBe(0);
    expect(files).toContain('lab/scenario/runner.ts');
    for (const f of [WEB_SERVER, 'lab/web/cli-web.ts', CONTAINERS]) expect(files).not.toContain(f);
    for (const pkg of ['testcontainers', 'mailparser']) expect(has(files, pkg), pkg).toBe(false);
  });

  it('an IMAP session loads the modules of the commands it sends, and only those', async () => {
    const script = [
      "const net = await import('node:net');",
      "const { startLab } = await import('./lab/runtime/lab.ts');",
      "const lab = await startLab({ ports: 'auto' });",
      "const imap = lab.endpoints().find((e) => e.host === 'Server').services.find((s) => s.service === 'imap').real;",
      "const socket = net.connect(Number(imap.split(':')[1]), '127.0.0.1');",
      "let got = '';",
      "await new Promise((resolve) => socket.on('data', (d) => { got += d; if (/^a OK/m.test(got)) resolve(); if (got.startsWith('* OK')) { got = ''; socket.write('a LOGIN lee 1234\\r\\n'); } }));",
      "socket.destroy(); await lab.stop();",
    ].join(' ');
    const { code, files, stderr } = await loadedBy(['--input-type=module', '-e', script]);
    expect(code, stderr).toBe(0);
    expect(files.filter((f) => f.startsWith('lab/imap/commands/'))).toEqual(['lab/imap/commands/login.ts']);
  });

  it('startLab() with a topology file loaded at an earlier start, unchanged since, loads neither the yaml package nor zod', async () => {
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-load-cache-'));
    try {
      const script = "const { startLab } = await import('./lab/runtime/lab.ts'); const lab = await startLab({ topology: 'topology/classroom.yaml', ports: 'auto' }); await lab.stop();";
      const env = { LAB_LOAD_CACHE: cache };
      const first = await loadedBy(['--input-type=module', '-e', script], env);
      expect(first.code, first.stderr).toBe(0);
      for (const pkg of ['yaml', 'zod']) expect(has(first.files, pkg), pkg).toBe(true); // a first start reads and checks it
      const second = await loadedBy(['--input-type=module', '-e', script], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.files).toContain('lab/imap/imap-server.ts');
      for (const pkg of ['yaml', 'zod']) expect(has(second.files, pkg), pkg).toBe(false);
    } finally {
      await fs.rm(cache, { recursive: true, force: true });
    }
  });

  it('a lesson played again, files unchanged, names the same configuration lines without loading the yaml package', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-lines-'));
    try {
      const env = { LAB_LOAD_CACHE: path.join(dir, 'cache') };
      const refs = async (name: string) => {
        const file = path.join(dir, `${name}.jsonl`);
        const run = await loadedBy([CLI, '--exit', '--ports', 'auto', '--web', 'off', '--no-color', '--trace', file], env);
        expect(run.code, run.stderr).toBe(0);
        const events = (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { config?: { file: string; line: number; text: string }[] });
        return { run, config: events.flatMap((e) => e.config ?? []).map((c) => `${c.file}:${c.line} ${c.text}`) };
      };
      const first = await refs('first');
      expect(has(first.run.files, 'yaml'), 'a first start reads the topology with the yaml package').toBe(true);
      expect(first.config.some((c) => c.startsWith('topology/classroom.yaml:')), first.config.join('\n')).toBe(true);
      const second = await refs('second');
      expect(second.run.files).toContain('lab/host/config-refs.ts');
      expect(has(second.run.files, 'yaml'), 'yaml was loaded again').toBe(false);
      expect(second.config).toEqual(first.config);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('node lab/cli.ts: its entry is JavaScript, so from the second start on the TypeScript stripper is not loaded at all', async () => {
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-compile-cache-'));
    try {
      const env = { NODE_COMPILE_CACHE: cache };
      const first = await loadedBy([CLI, '--help'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.builtins).toContain('node:internal/deps/amaro/dist/index'); // a first start strips the lab's TypeScript
      const second = await loadedBy([CLI, '--help'], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.files).toContain('lab/cli-help.ts');
      expect(second.builtins).not.toContain('node:internal/deps/amaro/dist/index');
    } finally {
      await fs.rm(cache, { recursive: true, force: true });
    }
  });

  it("npm's postinstall (lab/warm-start.js) fills the caches: the class's first lesson loads no TypeScript stripper, no yaml, no zod", async () => {
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-compile-cache-'));
    const loads = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-load-cache-'));
    try {
      const env = { NODE_COMPILE_CACHE: cache, LAB_LOAD_CACHE: loads };
      const warm = spawn(process.execPath, [path.join(ROOT, 'lab', 'warm-start.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
      expect(await new Promise((resolve) => warm.on('close', resolve))).toBe(0);
      const first = await loadedBy([CLI, '--exit', '--web', 'off', '--ports', 'auto'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.files).toContain('lab/scenario/runner.ts'); // it played the lesson
      expect(first.builtins).not.toContain('node:internal/deps/amaro/dist/index');
      for (const pkg of ['yaml', 'zod']) expect(has(first.files, pkg), pkg).toBe(false);
    } finally {
      await fs.rm(cache, { recursive: true, force: true });
      await fs.rm(loads, { recursive: true, force: true });
    }
  });

  it('--export-html, which needs the page, does load the web server (the check above can fail)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-export-'));
    try {
      const { code, files, stderr } = await loadedBy([CLI, '--exit', '--ports', 'auto', '--export-html', path.join(dir, 'run.html')]);
      expect(code, stderr).toBe(0);
      expect(files).toContain(WEB_SERVER);
      expect(files).not.toContain(CONTAINERS);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
