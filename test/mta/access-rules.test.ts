// The access rules and the address checks on their own (the sessions are in access-relay.test.ts).
import { describe, expect, it } from 'vitest';
import { AccessRules } from '../../lab/mta/access-rules.ts';
import { hasSourceRoute, normaliseDomain, parseMailbox } from '../../lab/mta/address.ts';
import { classroomTopology } from './lab-fixture.ts';

const topology = classroomTopology();
const server = topology.hosts.find((h) => h.name === 'Server')!;
const rules = new AccessRules(server);

describe('addresses (RFC 5321 section 4.1.2)', () => {
  it('normalises the domain: case and one trailing root dot', () => {
    expect(normaliseDomain('NAVER.COM.')).toBe('naver.com');
    expect(normaliseDomain('Naver.Com')).toBe('naver.com');
    const parsed = parseMailbox('Lee@NAVER.COM.');
    expect(parsed).toMatchObject({ ok: true, mailbox: { local: 'Lee', domain: 'naver.com', address: 'Lee@naver.com' }, tricks: [] });
  });

  it.each([
    ['lee%naver.com@daum.net', 'percent-hack'],
    ['naver.com!lee@daum.net', 'bang-path'],
    ['"lee@naver.com"@daum.net', 'quoted-at'],
  ])('spots the relay trick in %s', (address, trick) => {
    const parsed = parseMailbox(address);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.tricks).toContain(trick);
      expect(parsed.mailbox.domain).toBe('daum.net');
    }
  });

  it.each([
    ['lee', 'no domain'],
    ['lee@', 'empty domain'],
    ['@naver.com', 'empty local part'],
    ['lee..x@naver.com', 'bad local part'],
    ['.lee@naver.com', 'bad local part'],
    ['lee@naver..com', 'bad domain'],
    ['lee@-naver.com', 'bad domain'],
    ['lee@naver.com..', 'bad domain'],
    ['lee@[192.168.111.300]', 'bad address literal'],
    ['lee x@naver.com', 'space or control character in the address'],
    ['"unterminated@naver.com', 'no domain'],
    [`${'a'.repeat(65)}@naver.com`, 'local part longer than 64 octets'],
    [`lee@${'a'.repeat(250)}.com`, 'address longer than 254 octets'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(parseMailbox(address)).toEqual({ ok: false, reason });
  });

  it('takes quoted local parts and address literals', () => {
    expect(parseMailbox('"lee kim"@naver.com')).toMatchObject({ ok: true, mailbox: { local: '"lee kim"' } });
    expect(parseMailbox('lee@[192.168.111.100]')).toMatchObject({ ok: true, mailbox: { domain: '[192.168.111.100]', literal: '192.168.111.100' } });
  });

  it('knows a source route in a command line', () => {
    expect(hasSourceRoute('RCPT TO:<@daum.net:lee@naver.com>')).toBe(true);
    expect(hasSourceRoute('rcpt to: <@a.example,@b.example:lee@naver.com>')).toBe(true);
    expect(hasSourceRoute('RCPT TO:<lee@naver.com>')).toBe(false);
  });
});

describe("sendmail's access table and local-host-names", () => {
  it('lets the lab subnet relay by whole octets; an outside peer only by its real address', () => {
    expect(rules.relayAllowed({ host: 'WinClient', address: '192.168.111.132' })).toBe(true);
    expect(rules.relayAllowed({ host: 'Other', address: '192.168.1110.5' })).toBe(false);
    expect(rules.relayAllowed({ host: 'outside', address: '127.0.0.1' })).toBe(false);
    // Connect:127.0.0.1 RELAY and Connect:10.0.0 RELAY (a load tool, a student's PC on the classroom LAN)
    const open = new AccessRules({ ...server, mail: { ...server.mail!, relay: ['192.168.111', '127.0.0.1', '10.0.0'] } }, '192.168.111.0/24');
    expect(open.relayAllowed({ host: 'outside', address: '127.0.0.1' })).toBe(true);
    expect(open.relayAllowed({ host: 'outside', address: '10.0.0.17' })).toBe(true);
    expect(open.relayAllowed({ host: 'outside', address: '10.0.1.17' })).toBe(false);
    expect(open.relayAllowed({ host: 'outside', address: '127.0.0.10' })).toBe(false);
    // an outsider with a lab address is no lab host (the containers runtime's Docker gateway)
    expect(open.relayAllowed({ host: 'outside', address: '192.168.111.1' })).toBe(false);
    expect(open.relayAllowed({ host: 'WinClient', address: '192.168.111.132' })).toBe(true);
  });

  it('takes mail for its own users from anyone, in any case, and refuses unknown users', () => {
    const outsider = { relay: false };
    expect(rules.checkRecipient('LEE@Naver.Com.', outsider)).toMatchObject({ accept: true, route: 'local', user: 'lee', mailbox: { address: 'lee@naver.com' } });
    expect(rules.checkRecipient('lee@[192.168.111.100]', outsider)).toMatchObject({ accept: true, route: 'local', user: 'lee' });
    expect(rules.checkRecipient('nobody@naver.com', outsider)).toMatchObject({
      accept: false,
      reason: 'user-unknown',
      reply: { code: 550, enhanced: '5.1.1', text: '<nobody@naver.com>... User unknown' },
    });
    // RFC 5321 section 4.5.1: postmaster, with or without a domain, in any case, goes to the first user (no mail.postmaster here)
    for (const postmaster of ['postmaster', 'PostMaster', 'postmaster@naver.com', 'POSTMASTER@NAVER.COM', 'postmaster@[192.168.111.100]']) {
      expect(rules.checkRecipient(postmaster, outsider)).toMatchObject({ accept: true, route: 'local', user: 'lee', mailbox: { local: 'postmaster' } });
    }
  });

  it('relays only for relay-allowed peers or after AUTH', () => {
    expect(rules.checkRecipient('kim@daum.net', { relay: true })).toMatchObject({ accept: true, route: 'relay' });
    expect(rules.checkRecipient('kim@daum.net', { relay: false, authenticated: 'lee@naver.com' })).toMatchObject({ accept: true, route: 'relay' });
    expect(rules.checkRecipient('kim@DAUM.NET.', { relay: false })).toMatchObject({
      accept: false,
      reason: 'relay-denied',
      reply: { code: 550, enhanced: '5.7.1', text: '<kim@DAUM.NET.>... Relaying denied' },
    });
    expect(rules.checkRecipient('kim@[192.168.111.200]', { relay: false })).toMatchObject({ accept: false, reason: 'relay-denied' });
    expect(rules.checkRecipient('kim@daum.net', { relay: false, sourceRoute: true })).toMatchObject({ accept: false, trick: 'source-route' });
  });

  it('never routes on a local part: tricks are a relay attempt from outside, an unknown user from inside', () => {
    for (const trick of ['kim%daum.net@naver.com', 'daum.net!kim@naver.com', '"kim%daum.net"@naver.com']) {
      expect(rules.checkRecipient(trick, { relay: false })).toMatchObject({ accept: false, reason: 'relay-denied', reply: { enhanced: '5.7.1' } });
      expect(rules.checkRecipient(trick, { relay: true })).toMatchObject({ accept: false, reason: 'user-unknown' });
    }
  });

  it('answers 501 for addresses it cannot read', () => {
    expect(rules.checkRecipient('lee@naver..com', { relay: true })).toMatchObject({ accept: false, reason: 'syntax', reply: { code: 501, enhanced: '5.1.3' } });
    expect(rules.checkSender('kim@@daum.net')).toMatchObject({ accept: false, reply: { code: 501, enhanced: '5.1.7' } });
    expect(rules.checkSender('')).toEqual({ accept: true, address: '' });
  });
});
