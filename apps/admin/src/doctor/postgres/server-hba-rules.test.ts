import { describe, expect, it } from 'vitest';
import { prefixLength, rulesAsText } from './server-hba-rules.js';

const row = (over: Partial<Parameters<typeof rulesAsText>[0][number]>) => ({
  line_number: 1, type: 'host', database: ['all'], user_name: ['all'], address: null, netmask: null, auth_method: 'scram-sha-256', options: null, error: null, ...over,
});

describe('pg_hba_file_rules as pg_hba.conf text', () => {
  it('keeps the server\'s line numbers, writes masks as CIDR, leaves out lines the server did not load', () => {
    const text = rulesAsText([
      row({ line_number: 2, type: 'local', auth_method: 'peer' }),
      row({ line_number: 4, address: '10.0.0.0', netmask: '255.0.0.0', database: ['kdt'], user_name: ['kdt app'] }),
      row({ line_number: 5, error: 'invalid authentication method "scram"' }),
      row({ line_number: 6, address: '10.0.0.0', netmask: '255.0.255.0', auth_method: 'cert', options: ['clientname=DN'] }),
    ]);
    expect(text.split('\n')).toEqual(['', 'local   all   all   peer', '', 'host   kdt   "kdt app"   10.0.0.0/8   scram-sha-256', '', 'host   all   all   10.0.0.0   255.0.255.0   cert   clientname=DN', '']);
  });
  it('prefix lengths', () => {
    expect(prefixLength('255.255.255.255')).toBe(32);
    expect(prefixLength('0.0.0.0')).toBe(0);
    expect(prefixLength('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(128);
    expect(prefixLength('255.0.255.0')).toBeNull();
  });
});
