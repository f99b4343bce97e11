import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from './run-command.js';

export interface RootIdentity {
  /** the host name; `hostname -f` answers NAME.example.test */
  name: string;
  /** a 127.0.1.x address of its own: the host name resolves to it, and apache2 listens there only */
  address: string;
}

const HOST_CAS = '/usr/local/share/ca-certificates';

/** What a server installed by hand has and a bare debootstrap lacks: a host name that resolves, as the Debian installer writes it. */
function writeIdentity(root: string, { name, address }: RootIdentity): void {
  writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
  writeFileSync(
    join(root, 'etc/hosts'),
    `127.0.0.1\tlocalhost\n${address}\t${name}.example.test\t${name}\n\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n`,
  );
}

/**
 * The machine shares its host's network (apt and npm need it). Debian's apache2 starts as soon as
 * it is installed, on port 80 of every address: it would take the host's port. policy-rc.d is
 * asked before every start a package makes; before apache2's first start this one binds it to the
 * machine's own loopback address, then lets it start.
 */
function writeStartPolicy(root: string, address: string): void {
  const path = join(root, 'usr/sbin/policy-rc.d');
  writeFileSync(
    path,
    `#!/bin/sh
# The machine shares its host's network: apache2 listens on ${address} only.
case "$1" in
  apache2|apache2.service)
    [ -f /etc/apache2/ports.conf ] && sed -i -E 's/^([[:space:]]*)Listen[[:space:]]+([0-9]+)[[:space:]]*$/\\1Listen ${address}:\\2/' /etc/apache2/ports.conf ;;
esac
exit 0
`,
  );
  chmodSync(path, 0o755);
}

/**
 * The registries' HTTPS is inspected on these machines: the CAs this host trusts (and npm's
 * cafile setting naming them) go into the machine too, or npm and pnpm inside fail every download.
 */
async function trustHostCas(root: string): Promise<void> {
  if (existsSync(HOST_CAS)) {
    mkdirSync(join(root, HOST_CAS), { recursive: true });
    for (const name of readdirSync(HOST_CAS)) copyFileSync(join(HOST_CAS, name), join(root, HOST_CAS, name));
    await mustRun('chroot', [root, 'update-ca-certificates']);
  }
  if (existsSync('/etc/npmrc')) copyFileSync('/etc/npmrc', join(root, 'etc/npmrc'));
  // Node's own downloads (the node package's install script) read this variable, set here too.
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra && existsSync(join(root, extra))) {
    writeFileSync(join(root, 'etc/profile.d/host-ca.sh'), `export NODE_EXTRA_CA_CERTS=${extra}\n`);
  }
}

/** Turns a fresh copy of the pristine root into this machine: its name, its address, the host's CAs, the start policy. */
export async function prepareRoot(root: string, identity: RootIdentity): Promise<void> {
  writeIdentity(root, identity);
  writeStartPolicy(root, identity.address);
  await trustHostCas(root);
}
