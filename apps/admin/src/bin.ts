#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './cli/cli-error.js';
import { terminalOutput } from './cli/output.js';

// The entry point only assembles the commands (each loaded on use) and decides the exit code:
// 0 done, 1 a failure the message explains, 2 a usage error.
const io = terminalOutput();
const profileOption = () => new Option('-p, --profile <name>', 'profile in config/ to use (default: KDT_PROFILE, config/live, else embedded SQLite)');

const program = new Command('pnpm admin')
  .description('kit-db-test: set up and diagnose the database connection of the kit-db-test site')
  .showHelpAfterError('(run "pnpm admin --help" for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program
  .command('init-database')
  .description("bring the database to the entity's schema (idempotent; never drops anything without --reset)")
  .addOption(profileOption())
  .option('--dry-run', 'print the SQL that would run, and run nothing')
  .option('--reset', 'drop and re-create table stuff, deleting its rows (asks on a terminal)')
  .option('-y, --yes', 'confirm --reset without asking (for scripts)')
  .action(async (options) => (await import('./commands/init-database.js')).initDatabaseCommand(options, io));

program
  .command('doctor')
  .description('find why the app cannot talk to its database, and say the exact fix')
  .addOption(profileOption())
  .option('--hba-file <path>', 'pg_hba.conf to read (default: SHOW hba_file, else the usual places)')
  .option('--server-log <path>', "PostgreSQL's log, for the reason of a refused login (default: the usual places)")
  .option('--service-user <name>', "the OS account that runs the site, for permission checks (default: the unit's User=, else you)")
  .option('--httpd-config <path>', "an httpd configuration on this machine to check instead of the system's (e.g. a private instance)")
  .option('--env-file <path>', "the site's environment file (default: the one its systemd unit names)")
  .option('--public-url <url>', 'the address a browser uses, through httpd, e.g. https://example.org/kit-db-test/')
  .option('--root <dir>', 'read system files (pg_hba.conf, logs, /etc) under this folder instead of /')
  .option('--only <checks>', 'run only these checks and those they need: ids or groups, comma-separated, e.g. pg or config.valid,pg.server')
  .option('--json', 'print one JSON object')
  .option('--verbose', 'show the evidence of passing checks too, and timings')
  .action(async (options) => (await import('./commands/doctor.js')).doctorCommand(options, io));

const hba = program
  .command('hba')
  .description('read pg_hba.conf as the server does: check every line, or explain which line decides a connection');
const hbaFileArgument = 'pg_hba.conf to read (default: the usual places, /etc/postgresql/*/main or /var/lib/pgsql/*/data, as the doctor finds it)';
const serverMajorHelp = 'read the file as this PostgreSQL major version (default: the version in its path, else 16)';
const hbaRootHelp = 'without FILE: look for pg_hba.conf (and read its included files) under this folder instead of /';
hba
  .command('check')
  .description('every line as the server parses it (the rows of pg_hba_file_rules), then what to fix; exit 1 if the server would refuse the file')
  .argument('[file]', hbaFileArgument)
  .option('--json', 'print one JSON object')
  .option('--server-major <n>', serverMajorHelp)
  .option('--root <dir>', hbaRootHelp)
  .action(async (file, options) => (await import('./commands/hba/check.js')).hbaCheckCommand(file, options, io));
hba
  .command('explain')
  .description('simulate one connection: which line decides, why earlier lines do not match, which later lines it hides; exit 1 if refused')
  .argument('[file]', hbaFileArgument)
  .option('--type <type>', 'the connection: local, host, hostssl (SSL), hostnossl (no SSL), hostgssenc, hostnogssenc')
  .option('--database <name>', 'the database the client asks for')
  .option('--user <name>', 'the role the client logs in as')
  .option('--address <ip>', 'the client address the server sees, for TCP types (default: 127.0.0.1)')
  .option('--ssl', 'the TCP connection uses SSL (implied by --type hostssl)')
  .option('--json', 'print one JSON object')
  .option('--server-major <n>', serverMajorHelp)
  .option('--root <dir>', hbaRootHelp)
  .action(async (file, options) => (await import('./commands/hba/explain.js')).hbaExplainCommand(file, options, io));
// The loop below covers top-level commands only: the nested verbs exit 2 on a usage error too.
for (const command of hba.commands) command.exitOverride().showHelpAfterError(`(run "pnpm admin hba ${command.name()} --help" for usage)`);

const ops = program.command('ops').description('deployment files (httpd, pg_hba.conf, systemd, SELinux) filled in from the configuration');
ops
  .command('render')
  .description('fill the templates in ops/ and print (or write under --out) each file, where it goes and the commands that apply it; runs nothing')
  .addOption(profileOption())
  .option('--layout <layout>', 'rhel (/etc/httpd/conf.d) or debian (/etc/apache2/sites-available) (default: rhel)')
  .option('--out <dir>', 'write the files here, in a tree mirroring their destinations (OUT/etc/…), readable by doctor --root (default: print them)')
  .option('--force', 'replace the files an earlier render wrote under --out (a link in their place is removed, never followed)')
  .option('--public-url <url>', 'the address a browser uses, e.g. https://example.org/kit-db-test/ (default: http://localhost + base path)')
  .option('--service-user <name>', 'the account the site runs as (default: kdt)')
  .option('--install-dir <dir>', 'where this checkout lives on the server (default: this checkout)')
  .option('--node <path>', "the Node.js that runs the site (default: INSTALL-DIR/.toolchain/node_modules/node/bin/node, run.sh's, which the native modules are built for)")
  .option('--port <n>', 'the site listens on 127.0.0.1:N (default: 3000)')
  .option('--socket <path>', 'the site listens on this unix socket instead, in /run/kit-db-test/, e.g. /run/kit-db-test/site.sock')
  .option('--base-path <path>', "the site's base path, e.g. /kit-db-test (default: the site build's, else BASE_PATH, else none)")
  .option('--tls-cert <path>', "with an https:// --public-url: the certificate chain httpd serves, e.g. certbot's /etc/letsencrypt/live/NAME/fullchain.pem (default: the distribution's self-signed snakeoil pair, for a first test)")
  .option('--tls-key <path>', "its private key, e.g. certbot's /etc/letsencrypt/live/NAME/privkey.pem")
  .option('--hsts', 'send Strict-Transport-Security: browsers then use https only for the host, for a year (needs a real certificate)')
  .action(async (options) => (await import('./commands/ops/render.js')).opsRenderCommand(options, io));
for (const command of ops.commands) command.exitOverride().showHelpAfterError(`(run "pnpm admin ops ${command.name()} --help" for usage)`);

program
  .command('config')
  .description('show the resolved configuration, where each value came from, password masked')
  .addOption(profileOption())
  .option('--json', 'print one JSON object')
  .action(async (options) => (await import('./commands/config.js')).configCommand(options, io));

for (const command of program.commands) command.exitOverride().showHelpAfterError(`(run "pnpm admin ${command.name()} --help" for usage)`);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every other complaint of the parser is a usage error.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    // An empty message: the command has already reported (the doctor's own report).
    if (error.message) io.err(`${io.colors.red('✗')} ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
