import { describe, expect, it } from 'vitest';
import { diffRules } from './rule-diff.js';

const rules = (...texts: string[]) => texts.map((text, i) => ({ line: i + 1, text }));
const PEER = 'local all all peer';
const APP = 'local kdt kdt scram-sha-256';
const HOST = 'host all all 127.0.0.1/32 scram-sha-256';

describe('diffRules', () => {
  it('a line moved up above the one that shadowed it is the one change: the lines that only shifted are not', () => {
    expect(diffRules(rules(PEER, APP, HOST), rules(APP, PEER, HOST))).toEqual([{ kind: 'moved', text: APP, from: 2, to: 1, above: PEER }]);
  });

  it('a line moved from deep in the file names both line numbers', () => {
    const filler = Array.from({ length: 90 }, (_, i) => `host db${i} all 10.0.${i}.0/24 scram-sha-256`);
    const before = rules(...filler, PEER, APP);
    const after = rules(APP, ...filler, PEER);
    expect(diffRules(before, after)).toEqual([{ kind: 'moved', text: APP, from: 92, to: 1, above: filler[0] }]);
  });

  it('added and removed lines, and the same text twice counted as two lines', () => {
    expect(diffRules(rules(PEER, HOST), rules(APP, PEER, HOST, HOST))).toEqual([
      { kind: 'added', text: APP, to: 1, above: PEER },
      { kind: 'added', text: HOST, to: 4 },
    ]);
    expect(diffRules(rules('local all all reject', HOST), rules(HOST))).toEqual([{ kind: 'removed', text: 'local all all reject', from: 1 }]);
  });

  it('no change, no difference', () => {
    expect(diffRules(rules(PEER, APP), rules(PEER, APP))).toEqual([]);
  });
});
