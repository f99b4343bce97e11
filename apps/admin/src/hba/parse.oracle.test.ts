import { readFileSync } from 'node:fs';
import { pgServers, startPostgres, type PgCluster } from '@kit-db-test/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARSER_CORPUS, SUPPORT_FILES } from './test-support/fixtures/parser-corpus.js';
import { nodeHbaFiles } from './node-files.js';
import { parseHba } from './parse.js';
import { lastReloadLoaded, serverSettings, writeServerFile } from './test-support/cluster-files.js';
import type { HbaServerSettings } from './types.js';
import { fileRulesView } from './view.js';

// The oracle: for each file, the engine's rows equal what the server shows in pg_hba_file_rules.
describe.each(pgServers().map((s) => [`${s.kind} PostgreSQL ${s.version}`, s] as const))('%s', (_name, server) => {
  let cluster: PgCluster;
  let settings: HbaServerSettings;

  beforeAll(async () => {
    cluster = await startPostgres({ server });
    for (const [path, text] of Object.entries(SUPPORT_FILES)) writeServerFile(cluster, path, text);
    settings = await serverSettings(cluster);
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it.each(PARSER_CORPUS.map((c) => [c.name, c] as const))('%s: pg_hba_file_rules equals the engine', async (_case, { hba }) => {
    const offset = cluster.log().length;
    await cluster.setHba(hba);
    const text = readFileSync(cluster.hbaFile, 'utf8'); // as the server reads it (setHba ends it with a newline)
    const serverRows = await cluster.admin('select * from pg_hba_file_rules');
    const parsed = parseHba(text, { ...settings, ...nodeHbaFiles, file: cluster.hbaFile });
    expect(fileRulesView(parsed)).toEqual(serverRows);
    expect(parsed.loads).toBe(await lastReloadLoaded(cluster, offset));
  });
});
