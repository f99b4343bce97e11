// Tells systemd (Type=notify) that the site serves, so that "active" means "answers": httpd
// in front then never gets a refused connection from a unit systemd already calls started.
// Node has no unix datagram sockets, so the message goes through systemd-notify(1); the unit
// sets NotifyAccess=all because that helper, not this process, sends it. systemd-notify waits
// until systemd has read the message, so the helper is still alive to be attributed to the unit.
import { spawn } from 'node:child_process';

/**
 * READY=1 with a status line, when the service manager asked for it (NOTIFY_SOCKET set); a
 * missing systemd-notify is reported once and the site keeps serving.
 * @param {string} status
 */
export function notifyReady(status) {
  if (!process.env.NOTIFY_SOCKET) return;
  const child = spawn('systemd-notify', ['--ready', `--status=${status}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.on('error', (error) => console.error(`kit-db-test: could not tell systemd the site is ready (systemd-notify: ${error.message})`));
  child.on('exit', (code) => {
    if (code) console.error(`kit-db-test: systemd-notify --ready exited with ${code}: ${stderr.trim()}`);
  });
}
