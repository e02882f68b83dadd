import type { SmtpMailer } from '../mta/mail-packages.ts';
import type { ImapFlow as ImapFlowType } from 'imapflow';
import type net from 'node:net';
import type { Host, Topology } from '../topology/types.ts';
import type { LabNet } from '../net/lab-net.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import { STEPS } from '../trace/steps.ts';
import { Pop3Client } from './pop3-client.ts';
import { josa } from '../trace/korean.ts';

/**
 * nodemailer's SMTP transport (about 20 modules), loaded on the first send, not with every lab
 * that never sends; its CommonJS build, as the MTA's (mail-packages.ts says why)
 */
let mailer: Promise<SmtpMailer> | undefined;
export function loadNodemailer(): Promise<SmtpMailer> {
  return (mailer ??= import('../mta/mail-packages.ts').then((m) => m.loadSmtpMailer()));
}

export interface Letter {
  to: string | string[];
  cc?: string | string[];
  subject: string;
  text: string;
  /** defaults to the PC's account */
  from?: string;
  /** a Message-ID this letter answers (for replies) */
  inReplyTo?: string;
}

export interface SendResult {
  messageId: string;
  /** the server's final reply, e.g. "250 2.0.0 q5... Message accepted for delivery" */
  response: string;
  accepted: string[];
  rejected: string[];
}

export interface FetchedLetter {
  /** POP3 message number or IMAP UID */
  id: number;
  raw: Buffer;
}

/**
 * A scripted client PC (the seed's Client and WinClient): it sends with nodemailer through its
 * mail server's SMTP port and reads by POP3 or IMAP, all through the lab network, so the servers
 * see it at its lab address.
 */
export class ClientPc {
  readonly host: Host;
  readonly server: Host;
  private readonly net: LabNet;
  private readonly trace: TraceBus;

  constructor(host: Host, topology: Topology, net: LabNet, trace: TraceBus) {
    if (!host.client) throw new Error(`${host.name} is not a client PC (it has no "client:" section)`);
    const server = topology.hosts.find((h) => h.name === host.client!.server);
    if (!server) throw new Error(`${host.name}'s mail server ${host.client.server} is not in the topology`);
    this.host = host;
    this.server = server;
    this.net = net;
    this.trace = trace;
  }

  /** the account's local part: kim, lee */
  private get user(): string {
    return this.account.split('@')[0];
  }

  get account(): string {
    return this.host.client!.account;
  }

  /** Step 1: the mail program's "보내기" button. */
  async send(letter: Letter): Promise<SendResult> {
    const to = ([] as string[]).concat(letter.to, letter.cc ?? []);
    await this.trace.hold({
      kind: 'smtp',
      from: this.host.name,
      to: this.server.name,
      fromAddress: this.host.address,
      toAddress: this.server.address,
      steps: STEPS.submission,
      protocol: 'SMTP',
      summary: {
        ko: `${this.user}의 메일 클라이언트가 ${this.server.name}(${this.server.hostname ?? this.server.address})의 센드메일 서비스에 SMTP로 메일 보내기를 요청합니다: ${this.account} → ${to.join(', ')}`,
        en: `${this.account} -> ${to.join(', ')}: the mail program sends by SMTP to ${this.server.hostname ?? this.server.name}`,
      },
    });
    const transport = (await loadNodemailer()).createTransport({
      host: this.server.address,
      port: 25,
      name: `${this.host.name.toLowerCase()}.lab`,
      ignoreTLS: true,
      connectionTimeout: 60_000,
      greetingTimeout: 60_000,
      // The teacher may hold the mail at step 2 as long as the class needs.
      socketTimeout: 24 * 3600_000,
      getSocket: (_options: unknown, callback: (err: Error | null, info?: { connection: net.Socket }) => void) => {
        this.net.connect(this.host.name, this.server.address, 25).then(
          (connection) => callback(null, { connection }),
          (err: Error) => callback(err),
        );
      },
    } as Parameters<SmtpMailer['createTransport']>[0]);
    try {
      const info = await transport.sendMail({
        from: { name: this.displayName(), address: letter.from ?? this.account },
        to: letter.to,
        cc: letter.cc,
        subject: letter.subject,
        text: letter.text,
        inReplyTo: letter.inReplyTo,
        references: letter.inReplyTo,
      });
      return {
        messageId: info.messageId,
        response: info.response,
        accepted: (info.accepted as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)),
        rejected: (info.rejected as (string | { address: string })[]).map((a) => (typeof a === 'string' ? a : a.address)),
      };
    } finally {
      transport.close();
    }
  }

  private displayName(): string {
    const [user] = this.account.split('@');
    return this.server.mail?.users[user]?.name ?? user;
  }

  /** Steps 8 and 9-10 by POP3: log in, list, retrieve every letter (leaving them on the server). */
  async fetchPop3(): Promise<FetchedLetter[]> {
    await this.holdRetrieval('POP3');
    const socket = await this.net.connect(this.host.name, this.server.address, 110);
    const pop3 = new Pop3Client(socket, { clock: this.trace.clock });
    try {
      await pop3.greeting();
      await pop3.login(this.account, this.host.client!.password);
      const list = await pop3.list();
      const letters: FetchedLetter[] = [];
      for (const { number } of list) letters.push({ id: number, raw: await pop3.retr(number) });
      await pop3.quit();
      return letters;
    } finally {
      socket.destroy();
    }
  }

  /** Steps 8 and 9-10 by IMAP: log in, open INBOX, fetch every letter's source. */
  async fetchImap(): Promise<FetchedLetter[]> {
    await this.holdRetrieval('IMAP');
    // loaded on first use: imapflow is the heaviest module of the lab to load
    const { ImapFlow } = await import('imapflow');
    const client: ImapFlowType = new ImapFlow({
      host: this.server.address,
      port: 143,
      secure: false,
      doSTARTTLS: false,
      logger: false,
      auth: { user: this.account, pass: this.host.client!.password },
      transport: {
        connect: (_options: unknown, onConnect: () => void) => {
          const socket = this.net.openSocket(this.host.name, this.server.address, 143);
          socket.once('connect', onConnect);
          return socket;
        },
      },
    } as ConstructorParameters<typeof ImapFlow>[0]);
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const letters: FetchedLetter[] = [];
        for await (const message of client.fetch('1:*', { uid: true, source: true })) {
          if (message.source) letters.push({ id: message.uid, raw: message.source });
        }
        return letters;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async fetch(): Promise<FetchedLetter[]> {
    return this.host.client!.read === 'imap' ? this.fetchImap() : this.fetchPop3();
  }

  private async holdRetrieval(protocol: 'POP3' | 'IMAP'): Promise<void> {
    await this.trace.hold({
      kind: protocol === 'POP3' ? 'pop3' : 'imap',
      from: this.host.name,
      to: this.server.name,
      fromAddress: this.host.address,
      toAddress: this.server.address,
      steps: STEPS.retrievalRequest,
      protocol,
      summary: {
        ko: `${this.user}의 메일 클라이언트가 ${this.server.name}의 dovecot 서비스에 ${protocol}${josa(protocol, '로')} 자기 메일을 달라고 요청합니다`,
        en: `${this.account}'s mail program logs in to dovecot on ${this.server.hostname ?? this.server.name} by ${protocol} and asks for the mail`,
      },
    });
  }
}
