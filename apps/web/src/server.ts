import { createServer } from 'node:http';
import { classifyDatabaseError, createOrm, describeConfig, loadConfig } from '@kit-db-test/schema';

// Placeholder until the SvelteKit site lands: proves the configuration resolves and the database
// answers, on the same port and with the same variables the site will use.
const config = loadConfig();
const described = describeConfig(config);
const orm = await createOrm(config);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

createServer(async (_req, res) => {
  let status = 200;
  let body: string;
  try {
    const rows = await orm.em.getConnection().execute<{ n: number | string }[]>('select count(*) as n from stuff');
    body = `Reads OK: table stuff has ${Number(rows[0]?.n ?? 0)} row(s).`;
  } catch (error) {
    const failure = classifyDatabaseError(error, config);
    status = 503;
    body = `${failure.summary}: ${failure.message}. Next: ${failure.next}`;
  }
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><title>kit-db-test</title><h1>kit-db-test</h1>` +
      `<p>profile <b>${escape(described.profile.name)}</b>, ${escape(described.driver)}: <code>${escape(described.target)}</code></p>` +
      `<p>${escape(body)}</p>`,
  );
}).listen(port, host, () => console.log(`kit-db-test listening on http://${host}:${port}/ (profile ${described.profile.name}, ${described.target})`));
