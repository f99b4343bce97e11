import { describe, expect, it } from 'vitest';
import { diagnoseNetworkFailure } from './network-failure.js';

const remote = { local: false as const, host: '10.9.0.2', why: '10.9.0.2 is not an address of this machine: the server runs on another host' };
const at = (code: string, ms = 1) => ({ address: '10.9.0.2', port: 5432, code, ms });

describe('a connection that never reached the server', () => {
  it('refused at once: nothing listens; listen_addresses on the database host needs a restart, and no "start the server" for a remote host', () => {
    const o = diagnoseNetworkFailure(at('ECONNREFUSED'), remote, null, 3000);
    expect(o.summary).toBe('nothing listens on 10.9.0.2:5432: refused at once');
    expect(o.fix![0]).toBe("on 10.9.0.2: set listen_addresses = '*' (or '10.9.0.2') in postgresql.conf, then restart the server (systemctl restart postgresql): listen_addresses changes only at a restart, a reload does not apply it");
    expect(o.fix!.join('\n')).not.toContain('systemctl start');
  });
  it('no answer: ping tells a firewall that drops the port from a host that is down', () => {
    const up = diagnoseNetworkFailure(at('ETIMEDOUT', 3000), remote, 'answered', 3000);
    expect(up.evidence).toContain('10.9.0.2 answers ping: the host is up, so a firewall drops the packets to port 5432');
    expect(up.fix![0]).toMatch(/^on 10\.9\.0\.2: nft list ruleset, iptables -S, firewall-cmd --list-all or ufw status/);
    const down = diagnoseNetworkFailure(at('ETIMEDOUT', 3000), remote, 'silent', 3000);
    expect(down.evidence).toContain('10.9.0.2 does not answer ping either: the host is down, or a firewall drops everything (ICMP too)');
    expect(down.fix![0]).toMatch(/^check that 10\.9\.0\.2 is running/);
  });
  it('an ICMP rejection at once is a firewall; a slow unreachable is a host that is not there; no route; a local output rule', () => {
    expect(diagnoseNetworkFailure(at('EHOSTUNREACH', 2), remote, null, 3000).summary).toBe('a firewall rejects the connection to 10.9.0.2:5432 (ICMP unreachable at once)');
    expect(diagnoseNetworkFailure(at('EHOSTUNREACH', 2900), remote, null, 3000).summary).toBe('no host answers at 10.9.0.2: it is down, or the address is wrong');
    expect(diagnoseNetworkFailure(at('ENETUNREACH'), remote, null, 3000).summary).toBe('no route from this machine to 10.9.0.2');
    expect(diagnoseNetworkFailure(at('EPERM'), remote, null, 3000).summary).toBe("this machine's own firewall blocks connections to 10.9.0.2:5432");
  });
});
