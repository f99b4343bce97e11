import type { ConfigReader } from './config-parser.js';

/** A ConfigReader over files held in memory ({ "/etc/httpd/conf/httpd.conf": "…" }), for tests. */
export function memoryReader(files: Record<string, string>): ConfigReader {
  const dirs = new Map<string, Set<string>>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (!dirs.has(dir)) dirs.set(dir, new Set());
      dirs.get(dir)!.add(parts[i]!);
    }
  }
  const norm = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return {
    read: (path) => (path in files ? { text: files[path]! } : dirs.has(norm(path)) ? { error: 'EISDIR' } : { error: 'ENOENT' }),
    list: (dir) => [...(dirs.get(norm(dir)) ?? [])].sort(),
    isDirectory: (path) => dirs.has(norm(path)),
  };
}
