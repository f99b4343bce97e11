import { describe, expect, it } from 'vitest';
import { parseEnvironmentFile } from './environment-file.js';
import { buildBasePath } from './site-settings.js';
import { parseUnitFile } from './unit-file.js';

describe('parseEnvironmentFile', () => {
  it('reads assignments, quotes and comments as systemd does', () => {
    expect(parseEnvironmentFile('# comment\n; also\nPORT=3000\nORIGIN="https://example.org"\nexport KDT_PROFILE=\'postgres\'\n\nBAD LINE\n')).toEqual({
      PORT: '3000',
      ORIGIN: 'https://example.org',
      KDT_PROFILE: 'postgres',
    });
  });
});

describe('parseUnitFile', () => {
  it('reads User, EnvironmentFile (with "-"), Environment and ReadWritePaths from [Service] only', () => {
    const unit = parseUnitFile('[Unit]\nUser=nope\n[Service]\nUser=kdt\nEnvironmentFile=-/etc/kdt.env\nEnvironment="PORT=3001" HOST=127.0.0.1\nReadWritePaths=/srv/kdt/data\n');
    expect(unit).toEqual({
      user: 'kdt',
      group: null,
      environmentFiles: ['/etc/kdt.env'],
      environment: { PORT: '3001', HOST: '127.0.0.1' },
      execStart: null,
      readWritePaths: ['/srv/kdt/data'],
    });
  });
});

describe('buildBasePath', () => {
  it("reads adapter-node's build-time base path", () => {
    expect(buildBasePath('export const dir = x;\nexport const base = "/kit-db-test";\n')).toBe('/kit-db-test');
    expect(buildBasePath('nothing')).toBeNull();
  });
});
