import { classifyDatabaseError, ConfigError, type ResolvedConfig } from '@kit-db-test/schema';

/** What the page and /health say when the database does not work. Plain data: safe to send. */
export interface Failure {
  kind: 'config' | 'connect' | 'tls' | 'timeout' | 'authenticate' | 'database-missing' | 'table-missing' | 'schema-outdated' | 'permission' | 'sqlite-file' | 'disk-full' | 'other';
  summary: string;
  /** the server's own message (passwords masked) */
  message: string;
  code: string | null;
  next: string;
}

export function explainFailure(error: unknown, config: ResolvedConfig | undefined): Failure {
  if (error instanceof ConfigError || !config) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'config', summary: 'the configuration is invalid', message, code: null, next: 'fix it, then check with pnpm admin config' };
  }
  const f = classifyDatabaseError(error, config);
  return { kind: f.kind, summary: f.summary, message: f.message, code: f.code ?? null, next: f.next };
}
