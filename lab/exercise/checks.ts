// The checks of an exercise, each through the real protocol a student's own tools would use: DNS
// questions to the name server, SMTP sessions, IMAP and POP3 logins, and the lab's own trace for
// where a letter went. Each says what it expected and what it saw, in Korean and English.
import dns from 'node:dns';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { parse as parseYaml } from 'yaml';
import type { Lab } from '../runtime/lab.ts';
import type { Topology } from '../topology/types.ts';
import type { Bilingual, HopEvent } from '../trace/hop-event.ts';
import { Pop3Client } from '../client/pop3-client.ts';
import { toMs, type Check, type ExerciseAction } from './schema.ts';
import type { Exercise } from './load.ts';
import { readStudentFile } from './work-folder.ts';

export interface Outcome {
  ok: boolean;
  expected: Bilingual;
  seen: Bilingual;
}

/** What the checks of one run share: the lab, the work folder, the letters sent so far. */
export interface CheckContext {
  lab: Lab;
  topology: Topology;
  exercise: Exercise;
  dir: string;
  /** check number -> the Message-ID of the letter it sent */
  sent: Map<number, string>;
}

const both = (text: string): Bilingual => ({ ko: text, en: text });
const NET_TIMEOUT = 10_000;
const MAX_WAIT = 60_000;

export async function runAction(lab: Lab, action: ExerciseAction): Promise<void> {
  if ('down' in action) return lab.hostDown(action.down);
  if ('up' in action) return lab.hostUp(action.up);
  if ('service-down' in action) return lab.serviceDown(...action['service-down']);
  if ('service-up' in action) return lab.serviceUp(...action['service-up']);
  if ('link-down' in action) return lab.linkDown(...action['link-down']);
  if ('link-up' in action) return lab.linkUp(...action['link-up']);
  return lab.flush(action.flush);
}

/** Run one check (not `loads`, which the runner answers) on a started lab. */
export async function runCheck(ctx: CheckContext, check: Check, number: number): Promise<Outcome> {
  if (check.dns) return dnsCheck(ctx, check.dns);
  if (check.send) return sendCheck(ctx, check.send, number);
  if (check.deliver) return deliverCheck(ctx, check.deliver, number);
  if (check.login) return loginCheck(ctx, check.login);
  if (check.fetch) return fetchCheck(ctx, check.fetch);
  if (check.queue) return queueCheck(ctx, check.queue);
  if (check.mailbox) return mailboxCheck(ctx, check.mailbox);
  if (check.answer) return answerCheck(ctx.dir, check.answer);
  throw new Error('a check of no known kind');
}

function requireHost(ctx: CheckContext, name: string, wants?: 'dns' | 'smtp' | 'pop3' | 'imap'): void {
  const host = ctx.topology.hosts.find((h) => h.name === name);
  if (!host) throw new CheckFailure({ ko: `${name} 호스트가 토폴로지에 없습니다 (호스트: ${ctx.topology.hosts.map((h) => h.name).join(', ')})`, en: `there is no host ${name} in the topology (hosts: ${ctx.topology.hosts.map((h) => h.name).join(', ')})` });
  if (wants && host.services[wants] === undefined) {
    throw new CheckFailure({ ko: `${name}에서 ${wants.toUpperCase()} 서비스가 돌지 않습니다 (services에 ${wants} 없음)`, en: `${name} runs no ${wants.toUpperCase()} service (no "${wants}:" under its services)` });
  }
}

/** A check that cannot even be tried: what was seen is why. */
export class CheckFailure extends Error {
  readonly seen: Bilingual;
  constructor(seen: Bilingual) {
    super(seen.en);
    this.seen = seen;
  }
}

/** The rest of a check, which may find it cannot be tried: then it failed, with its own expectation. */
async function within(expected: Bilingual, run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CheckFailure) return { ok: false, expected, seen: err.seen };
    throw err;
  }
}

// ---- dns ---------------------------------------------------------------------------------------

type DnsSpec = NonNullable<Check['dns']>;

const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\.(?= |$)/g, '');

async function dnsCheck(ctx: CheckContext, c: DnsSpec): Promise<Outcome> {
  const server = c.server ?? ctx.topology.hosts.find((h) => h.services.dns !== undefined)?.name;
  const wanted = c.answer ? c.answer.join(', ') : c.contains ? `${c.contains.join(', ')}` : c.rcode ?? 'NOERROR';
  const expected: Bilingual = {
    ko: `${server ?? '네임 서버'}의 네임 서버가 ${c.name} ${c.type}에 답함: ${wanted}${c.contains ? ' (포함)' : ''}`,
    en: `${server ?? 'the name server'}'s name server answers ${c.name} ${c.type}: ${wanted}${c.contains ? ' (among others)' : ''}`,
  };
  if (!server) return { ok: false, expected, seen: { ko: '네임 서버(services에 dns)를 돌리는 호스트가 없습니다', en: 'no host runs a name server (dns under services)' } };
  return within(expected, async () => {
    requireHost(ctx, server, 'dns');
    const resolver = new dns.promises.Resolver({ timeout: 1500, tries: 2 });
    resolver.setServers([`${ctx.lab.publicHost}:${ctx.lab.port(server, 'dns')}`]);
    let answers: string[] = [];
    let rcode = 'NOERROR';
    try {
      answers = await ask(resolver, c.name, c.type);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      rcode = ({ ENOTFOUND: 'NXDOMAIN', ENODATA: 'NODATA', EREFUSED: 'REFUSED', ESERVFAIL: 'SERVFAIL', ETIMEOUT: 'TIMEOUT', ECONNREFUSED: 'TIMEOUT' } as Record<string, string>)[code] ?? code;
    }
    const got = answers.map(normalise);
    let ok: boolean;
    if (c.answer) ok = rcode === 'NOERROR' && got.length === c.answer.length && c.answer.every((a) => got.includes(normalise(a)));
    else if (c.contains) ok = rcode === 'NOERROR' && c.contains.every((a) => got.includes(normalise(a)));
    else ok = rcode === (c.rcode ?? 'NOERROR');
    const seen: Bilingual = rcode === 'NOERROR'
      ? both(`${c.name} ${c.type}: ${answers.join(', ') || '-'}`)
      : rcode === 'TIMEOUT'
        ? { ko: `${server}의 네임 서버가 답하지 않음 (시간 초과)`, en: `${server}'s name server did not answer (time-out)` }
        : { ko: `${c.name} ${c.type}: ${rcode}${rcode === 'REFUSED' ? ' (이 네임 서버에 그 존이 없음)' : rcode === 'NXDOMAIN' ? ' (그런 이름이 없음)' : rcode === 'NODATA' ? ' (이름은 있지만 그 레코드가 없음)' : ''}`, en: `${c.name} ${c.type}: ${rcode}${rcode === 'REFUSED' ? ' (no such zone on this name server)' : rcode === 'NXDOMAIN' ? ' (no such name)' : rcode === 'NODATA' ? ' (the name exists, without that record)' : ''}` };
    return { ok, expected, seen };
  });
}

/** One question, the answers written as a zone file writes their data. */
async function ask(resolver: dns.promises.Resolver, name: string, type: DnsSpec['type']): Promise<string[]> {
  switch (type) {
    case 'MX': return (await resolver.resolveMx(name)).sort((a, b) => a.priority - b.priority).map((r) => `${r.priority} ${r.exchange}.`);
    case 'A': return resolver.resolve4(name);
    case 'AAAA': return resolver.resolve6(name);
    case 'NS': return (await resolver.resolveNs(name)).map((n) => `${n}.`);
    case 'CNAME': return (await resolver.resolveCname(name)).map((n) => `${n}.`);
    case 'PTR': return (await resolver.resolvePtr(name)).map((n) => `${n}.`);
    case 'TXT': return (await resolver.resolveTxt(name)).map((chunks) => chunks.map((s) => `"${s}"`).join(' '));
    case 'SOA': {
      const soa = await resolver.resolveSoa(name);
      return [`${soa.nsname}. ${soa.hostmaster}. ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minttl}`];
    }
  }
}

// ---- sending -----------------------------------------------------------------------------------

type SendSpec = NonNullable<Check['send']> | NonNullable<Check['deliver']>;
type Sent = { ok: true; reply: string; messageId: string } | { ok: false; reply: string };

function who(ctx: CheckContext, c: SendSpec): Bilingual {
  if (c.from === 'outside') return { ko: `실습망 밖의 메일 프로그램 (${c.server}에 접속${c.auth ? `, ${c.auth.user} 사용자로 로그인` : ''})`, en: `a mail program outside the lab${c.auth ? `, logged in as ${c.auth.user},` : ''} through ${c.server}` };
  const server = ctx.topology.hosts.find((h) => h.name === c.from)?.client?.server ?? '?';
  return { ko: `${c.from} (메일 서버 ${server})`, en: `${c.from} through ${server}` };
}

async function send(ctx: CheckContext, c: SendSpec, number: number): Promise<Sent> {
  const subject = `${c.subject ?? 'mail-lab'} [${ctx.exercise.name} #${number}]`;
  const text = `exercise ${ctx.exercise.number}, check ${number}`;
  try {
    if (c.from === 'outside') {
      requireHost(ctx, c.server!, 'smtp');
      const transport = nodemailer.createTransport({
        host: ctx.lab.publicHost,
        port: ctx.lab.port(c.server!, 'smtp'),
        ignoreTLS: true,
        name: 'student-laptop',
        auth: c.auth ? { user: c.auth.user, pass: c.auth.password } : undefined,
        // try AUTH even when the server does not offer it: the refusal is what the student must see
        forceAuth: c.auth !== undefined,
        connectionTimeout: NET_TIMEOUT,
        greetingTimeout: NET_TIMEOUT,
        socketTimeout: 30_000,
      });
      try {
        const info = await transport.sendMail({ from: c.sender ?? 'student@example.org', to: c.to, subject, text });
        return { ok: true, reply: info.response, messageId: info.messageId };
      } finally {
        transport.close();
      }
    }
    requireHost(ctx, c.from);
    const pc = ctx.topology.hosts.find((h) => h.name === c.from)!;
    if (!pc.client) throw new CheckFailure({ ko: `${c.from}: 메일 클라이언트가 아닙니다 (client: 없음)`, en: `${c.from} is not a client PC (it has no "client:")` });
    const info = await ctx.lab.client(c.from).send({ to: c.to, subject, text, from: c.sender });
    if (!info.accepted.length) return { ok: false, reply: info.response };
    return { ok: true, reply: info.response, messageId: info.messageId };
  } catch (err) {
    if (err instanceof CheckFailure) throw err;
    const e = err as Error & { response?: string; code?: string };
    return { ok: false, reply: e.code === 'EAUTH' ? `AUTH: ${e.response ?? e.message}` : e.response ?? e.message };
  }
}

async function sendCheck(ctx: CheckContext, c: NonNullable<Check['send']>, number: number): Promise<Outcome> {
  const w = who(ctx, c);
  const detail = `${c.code ? ` ${c.code}` : ''}${c.text ? ` "${c.text}"` : ''}`;
  const expected: Bilingual = c.expect === 'accepted'
    ? { ko: `${w.ko}: ${c.to} 앞 메일을 보내면 서버가 받음 (250)`, en: `${w.en} sends a letter to ${c.to}: taken (250)` }
    : { ko: `${w.ko}: ${c.to} 앞 메일을 보내면 서버가 거부함${detail}`, en: `${w.en} sends a letter to ${c.to}: refused${detail}` };
  return within(expected, async () => {
    const sent = await send(ctx, c, number);
    if (sent.ok) ctx.sent.set(number, sent.messageId);
    const ok = c.expect === 'accepted' ? sent.ok : !sent.ok && (!c.code || sent.reply.startsWith(String(c.code))) && (!c.text || sent.reply.includes(c.text));
    return { ok, expected, seen: { ko: `${sent.ok ? '받음' : '거부'}: ${sent.reply}`, en: `${sent.ok ? 'taken' : 'refused'}: ${sent.reply}` } };
  });
}

// ---- a letter's journey ------------------------------------------------------------------------

type Journey =
  | { kind: 'delivered'; host: string; user: string }
  | { kind: 'bounced'; host: string; reason: string }
  | { kind: 'queued'; host: string; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'nothing'; reason: string };

const bareId = (id: string | undefined) => (id ?? '').trim().replace(/^<|>$/g, '').toLowerCase();

async function deliverCheck(ctx: CheckContext, c: NonNullable<Check['deliver']>, number: number): Promise<Outcome> {
  const w = who(ctx, c);
  const user = c.user ?? c.to.split('@')[0].toLowerCase();
  const expected: Bilingual = c.expect === 'delivered'
    ? { ko: `${w.ko}에서 보낸 ${c.to} 앞 메일: ${c.host ? `${c.host}의 ` : ''}${user} 메일 박스에 도착`, en: `a letter to ${c.to} from ${w.en} reaches ${user}'s mailbox${c.host ? ` on ${c.host}` : ''}` }
    : c.expect === 'bounced'
      ? { ko: `${w.ko}에서 보낸 ${c.to} 앞 메일: 반송됨${c.reason ? ` (이유: "${c.reason}")` : ''}`, en: `a letter to ${c.to} from ${w.en} bounces${c.reason ? ` saying "${c.reason}"` : ''}` }
      : { ko: `${w.ko}에서 보낸 ${c.to} 앞 메일: ${c.host ? `${c.host}의 ` : ''}메일 큐에서 기다림${c.reason ? ` (이유: "${c.reason}")` : ''}`, en: `a letter to ${c.to} from ${w.en} waits in ${c.host ?? 'a'}'s mail queue${c.reason ? ` ("${c.reason}")` : ''}` };
  return within(expected, async () => {
    const after = ctx.lab.trace.events.at(-1)?.seq ?? 0;
    const sent = await send(ctx, c, number);
    let journey: Journey;
    if (!sent.ok) journey = { kind: 'refused', reason: sent.reply };
    else {
      ctx.sent.set(number, sent.messageId);
      journey = await follow(ctx.lab, after, c.to.toLowerCase(), bareId(sent.messageId), Math.min(toMs(c.timeout), MAX_WAIT));
    }
    let ok = journey.kind === c.expect;
    if (journey.kind === 'delivered') ok &&= (!c.host || journey.host === c.host) && journey.user === user;
    if (journey.kind === 'bounced') ok &&= !c.reason || journey.reason.includes(c.reason);
    if (journey.kind === 'queued') {
      ok &&= (!c.host || journey.host === c.host) && (!c.reason || journey.reason.includes(c.reason));
      // and it is really there, as mailq would list it
      if (ok) ok = (await ctx.lab.queue(journey.host)).some((q) => q.recipients.some((r) => r.address.toLowerCase() === c.to.toLowerCase()));
    }
    return { ok, expected, seen: describeJourney(journey) };
  });
}

function describeJourney(j: Journey): Bilingual {
  switch (j.kind) {
    case 'delivered': return { ko: `${j.host}의 ${j.user} 메일 박스에 도착`, en: `delivered into ${j.user}'s mailbox on ${j.host}` };
    case 'bounced': return { ko: `${j.host}에서 반송: ${j.reason}`, en: `bounced by ${j.host}: ${j.reason}` };
    case 'queued': return { ko: `${j.host}의 메일 큐에서 기다림: ${j.reason}`, en: `waiting in ${j.host}'s mail queue: ${j.reason}` };
    case 'refused': return { ko: `SMTP에서 거부: ${j.reason}`, en: `refused by SMTP: ${j.reason}` };
    case 'nothing': return { ko: `정해진 시간 안에 아무 일도 없음; 그동안의 단계: ${j.reason}`, en: `nothing happened in time; the hops meanwhile: ${j.reason}` };
  }
}

/** Where the letter went: the first of delivered (its Message-ID in a mailbox), bounced, or deferred. */
async function follow(lab: Lab, after: number, recipient: string, messageId: string, timeoutMs: number): Promise<Journey> {
  const recipients = (e: HopEvent) => (e.detail?.recipients as { recipient?: string }[] | undefined) ?? [];
  const match = (e: HopEvent): Journey | undefined => {
    if (e.seq <= after) return undefined;
    if (e.kind === 'mda' && e.status === 'ok' && bareId(e.messageId) === messageId) return { kind: 'delivered', host: e.to, user: String(e.detail?.user ?? '') };
    if (e.kind === 'bounce' && String(e.detail?.recipient ?? '').toLowerCase() === recipient) return { kind: 'bounced', host: e.from, reason: String(e.detail?.reason ?? e.summary.en) };
    if (e.kind === 'queue' && e.status === 'deferred') {
      const r = recipients(e).find((x) => String(x.recipient ?? '').toLowerCase() === recipient) as { lastError?: string } | undefined;
      if (r) return { kind: 'queued', host: e.from, reason: String(r.lastError ?? e.summary.en) };
    }
    return undefined;
  };
  try {
    const event = await lab.waitFor((e) => match(e) !== undefined, timeoutMs, `the letter to ${recipient}`);
    return match(event)!;
  } catch {
    const hops = lab.trace.events.filter((e) => e.seq > after).map((e) => `${e.kind} ${e.from}→${e.to}${e.status && e.status !== 'ok' ? ` [${e.status}]` : ''}`);
    return { kind: 'nothing', reason: hops.join(', ') || '-' };
  }
}

// ---- logins and reading --------------------------------------------------------------------

async function loginCheck(ctx: CheckContext, c: NonNullable<Check['login']>): Promise<Outcome> {
  const name = c.protocol.toUpperCase();
  const expected: Bilingual = c.expect === 'ok'
    ? { ko: `${c.user} 사용자가 ${c.host}에 ${name} 로그인 성공`, en: `${c.user} logs in to ${c.host} by ${name}` }
    : { ko: `${c.user} 사용자의 ${c.host} ${name} 로그인이 거부됨`, en: `${c.user}'s ${name} login to ${c.host} is refused` };
  return within(expected, async () => {
    requireHost(ctx, c.host, c.protocol);
    const port = ctx.lab.port(c.host, c.protocol);
    const result = c.protocol === 'imap' ? await imapLogin(ctx.lab.publicHost, port, c.user, c.password) : await pop3Login(ctx.lab.publicHost, port, c.user, c.password);
    return {
      ok: result.ok === (c.expect === 'ok'),
      expected,
      seen: { ko: `${result.ok ? '로그인 성공' : '로그인 실패'}: ${result.reply}`, en: `${result.ok ? 'logged in' : 'login failed'}: ${result.reply}` },
    };
  });
}

async function imapLogin(host: string, port: number, user: string, pass: string): Promise<{ ok: boolean; reply: string }> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({ host, port, secure: false, doSTARTTLS: false, logger: false, auth: { user, pass }, connectionTimeout: NET_TIMEOUT, greetingTimeout: NET_TIMEOUT, socketTimeout: 30_000 } as ConstructorParameters<typeof ImapFlow>[0]);
  client.on('error', () => {});
  try {
    await client.connect();
    await client.logout();
    return { ok: true, reply: `OK (${user})` };
  } catch (err) {
    const e = err as Error & { responseStatus?: string; responseText?: string };
    client.close();
    return { ok: false, reply: e.responseText ? `${e.responseStatus ?? 'NO'} ${e.responseText}` : e.message };
  }
}

async function pop3Login(host: string, port: number, user: string, pass: string): Promise<{ ok: boolean; reply: string }> {
  const socket = net.connect({ host, port });
  socket.setTimeout(NET_TIMEOUT, () => socket.destroy(new Error('time-out')));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const pop3 = new Pop3Client(socket, { timeoutMs: NET_TIMEOUT });
    await pop3.greeting();
    const reply = await pop3.login(user, pass);
    await pop3.quit().catch(() => undefined);
    return { ok: true, reply: `+OK ${reply}` };
  } catch (err) {
    const e = err as Error & { response?: { status: string } };
    return { ok: false, reply: e.response?.status ?? e.message };
  } finally {
    socket.destroy();
  }
}

async function fetchCheck(ctx: CheckContext, c: NonNullable<Check['fetch']>): Promise<Outcome> {
  requireHost(ctx, c.client);
  const pc = ctx.topology.hosts.find((h) => h.name === c.client)!;
  if (!pc.client) throw new CheckFailure({ ko: `${c.client}: 메일 클라이언트가 아닙니다 (client: 없음)`, en: `${c.client} is not a client PC` });
  const read = pc.client.read;
  const server = pc.client.server;
  const user = pc.client.account.split('@')[0].toLowerCase();
  const by = (c.protocol ?? read).toUpperCase();
  const byKo = (p: string) => (p === 'imap' ? 'IMAP으로' : 'POP3로');
  const expected: Bilingual = {
    ko: `${c.client}의 메일 프로그램이 ${byKo(c.protocol ?? read)} 메일을 ${c.count}통 이상 읽음${c.keep ? '; 읽은 뒤에도 메일이 서버에 남음' : ''}`,
    en: `${c.client}'s mail program reads at least ${c.count} letter(s) by ${by}${c.keep ? '; the mail stays on the server afterwards' : ''}`,
  };
  if (c.protocol && read !== c.protocol) {
    return { ok: false, expected, seen: { ko: `${c.client}의 메일 프로그램은 ${byKo(read)} 읽습니다 (client의 read: ${read})`, en: `${c.client}'s mail program reads by ${read.toUpperCase()} (its client read: ${read})` } };
  }
  requireHost(ctx, server, read);
  const before = (await ctx.lab.mailbox(server, user)).length;
  const after = ctx.lab.trace.events.at(-1)?.seq ?? 0;
  const letters = await ctx.lab.client(c.client).fetch();
  const logged = ctx.lab.trace.events.some((e) => e.seq > after && e.kind === read && e.from === c.client && e.steps?.sendmail === '8' && e.status === 'ok');
  const left = (await ctx.lab.mailbox(server, user)).length;
  const ok = logged && letters.length >= c.count && (!c.keep || left >= before);
  return {
    ok,
    expected,
    seen: {
      ko: `${byKo(read)} ${letters.length}통 읽음; ${server}의 ${user} 메일 박스: 읽기 전 ${before}통, 읽은 뒤 ${left}통`,
      en: `read ${letters.length} letter(s) by ${read.toUpperCase()}; ${user}'s mailbox on ${server}: ${before} before, ${left} after`,
    },
  };
}

// ---- queues, mailboxes, answers ----------------------------------------------------------------

async function queueCheck(ctx: CheckContext, c: NonNullable<Check['queue']>): Promise<Outcome> {
  requireHost(ctx, c.host, 'smtp');
  const entries = await ctx.lab.queue(c.host);
  const matching = entries.filter((q) => !c.status || q.recipients.some((r) => r.status === c.status));
  const list = entries.map((q) => `${q.id} (${q.recipients.map((r) => `${r.address} ${r.status}${r.lastError ? `: ${r.lastError}` : ''}`).join('; ')})`).join(', ');
  return {
    ok: matching.length === c.count,
    expected: { ko: `${c.host}의 메일 큐에 ${c.status === 'deferred' ? '보류된 ' : ''}메일 ${c.count}통`, en: `${c.host}'s mail queue holds ${c.count}${c.status ? ` ${c.status}` : ''} letter(s)` },
    seen: { ko: `${entries.length}통${list ? `: ${list}` : ''}`, en: `${entries.length} letter(s)${list ? `: ${list}` : ''}` },
  };
}

async function mailboxCheck(ctx: CheckContext, c: NonNullable<Check['mailbox']>): Promise<Outcome> {
  requireHost(ctx, c.host);
  const via = c.receivedFrom?.length ? c.receivedFrom.join(', ') : '';
  const expected: Bilingual = {
    ko: `${c.host}의 ${c.user} 메일 박스에 ${c.letterOf ? `확인 ${c.letterOf}의 메일` : c.subject ? `제목 "${c.subject}"인 메일` : '메일'}이 있음${via ? ` (거쳐 온 곳: ${via})` : ''}`,
    en: `${c.user}'s mailbox on ${c.host} holds ${c.letterOf ? `the letter of check ${c.letterOf}` : c.subject ? `a letter "${c.subject}"` : 'a letter'}${via ? `, received through ${via}` : ''}`,
  };
  const id = c.letterOf ? ctx.sent.get(c.letterOf) : undefined;
  if (c.letterOf && !id) return { ok: false, expected, seen: { ko: `확인 ${c.letterOf}에서 보낸 메일이 없습니다`, en: `check ${c.letterOf} sent no letter` } };
  const messageIdOf = (headers: string) => bareId(/^message-id:\s*(.+)$/im.exec(headers)?.[1]);
  const fits = (l: { headers: string; subject: string }) =>
    (!id || messageIdOf(l.headers) === bareId(id)) && (!c.subject || l.subject.includes(c.subject));
  let letter;
  try {
    letter = await ctx.lab.waitForLetter(c.host, c.user, fits, Math.min(toMs(c.timeout), MAX_WAIT));
  } catch {
    const letters = await ctx.lab.mailbox(c.host, c.user);
    return { ok: false, expected, seen: { ko: `메일 ${letters.length}통, 맞는 것 없음${letters.length ? `: ${letters.map((l) => `"${l.subject}"`).join(', ')}` : ''}`, en: `${letters.length} letter(s), none of them this one${letters.length ? `: ${letters.map((l) => `"${l.subject}"`).join(', ')}` : ''}` } };
  }
  const received = [...letter.headers.matchAll(/^Received:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim)].map((m) => m[0]);
  const through = (c.receivedFrom ?? []).filter((a) => received.some((r) => r.includes(a)));
  const ok = through.length === (c.receivedFrom?.length ?? 0);
  const path = received.map((r) => /from \S+ \(([^)]*)\)/.exec(r)?.[1] ?? '?').join(' ← ');
  return { ok, expected, seen: { ko: `도착: "${letter.subject}"; Received: ${path}`, en: `arrived: "${letter.subject}"; Received: ${path}` } };
}

function answerCheck(dir: string, c: NonNullable<Check['answer']>): Outcome {
  // the expected choice is not shown: the report would give the answer away
  const expected: Bilingual = { ko: `${c.file}의 ${c.key}: 맞는 보기`, en: `${c.key} in ${c.file}: the right choice` };
  let value: unknown;
  try {
    const data = parseYaml(readStudentFile(dir, c.file), { maxAliasCount: 10 }) as Record<string, unknown> | null;
    value = data && typeof data === 'object' ? data[c.key] : undefined;
  } catch (err) {
    return { ok: false, expected, seen: both((err as Error).message.split('\n')[0]) };
  }
  // "b", "(b)", "B." all mean the choice b
  const given = value === undefined || value === null ? '' : String(value).trim().toLowerCase().replace(/^\(|[).]$/g, '').trim();
  if (!given) return { ok: false, expected, seen: { ko: `${c.key}에 답이 없습니다`, en: `no answer under ${c.key}` } };
  return { ok: c.expect.some((e) => e.toLowerCase() === given), expected, seen: both(`${c.key}: ${String(value).slice(0, 100)}`) };
}
