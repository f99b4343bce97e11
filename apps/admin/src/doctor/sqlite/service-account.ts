import { userInfo } from 'node:os';
import type { DoctorContext } from '../context.js';
import { parseAccount, type Account } from './permissions.js';

/** The account that runs the site: --service-user, else the unit's User=, else whoever runs the doctor. */
export function serviceAccount(context: DoctorContext): Account | { problem: string } {
  const name = context.options.serviceUser ?? context.site.unit?.user ?? userInfo().username;
  const passwd = context.files.read('/etc/passwd');
  const group = context.files.read('/etc/group');
  if ('error' in passwd) return { problem: `cannot read /etc/passwd (${passwd.error})` };
  const account = parseAccount(passwd.text, 'text' in group ? group.text : '', name);
  return account ?? { problem: `no account "${name}" in /etc/passwd` };
}

/** "user:group" for these ids, by the passwd and group files the doctor reads (the id when a name is unknown). */
export function ownerText(context: DoctorContext, uid: number, gid: number): string {
  const names = (file: string, id: number) => {
    const read = context.files.read(file);
    return ('text' in read ? read.text.split('\n').map((l) => l.split(':')).find((f) => Number(f[2]) === id)?.[0] : undefined) ?? String(id);
  };
  return `${names('/etc/passwd', uid)}:${names('/etc/group', gid)}`;
}
