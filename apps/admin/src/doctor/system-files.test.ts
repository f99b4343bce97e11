import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempProject } from '@kit-db-test/testing';
import { describe, expect, it } from 'vitest';
import { SystemFiles } from './system-files.js';

describe('SystemFiles.readTail', () => {
  it('reads a whole small log, and only the last whole lines of a large one', () => {
    using project = tempProject();
    writeFileSync(join(project.root, 'small.log'), 'one\ntwo\n');
    writeFileSync(join(project.root, 'large.log'), `${'old line\n'.repeat(1000)}recent 1\nrecent 2\n`);
    const files = new SystemFiles(project.root);
    expect(files.readTail('/small.log', 100)).toEqual({ text: 'one\ntwo\n' });
    expect(files.readTail('/large.log', 20)).toEqual({ text: 'recent 1\nrecent 2\n' });
    expect(files.readTail('/missing.log')).toEqual({ error: 'ENOENT' });
  });
});
