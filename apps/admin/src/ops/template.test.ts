import { describe, expect, it } from 'vitest';
import { renderTemplate, TemplateError } from './template.js';

const render = (text: string, values: Record<string, string | boolean>) => renderTemplate('t.conf', text, values);

describe('renderTemplate', () => {
  it('fills {{name}} placeholders, spaces inside the braces allowed, and keeps the final newline', () => {
    expect(render('User={{user}}\nExecStart={{ node }} {{dir}}/server.js\n', { user: 'kdt', node: '/usr/bin/node', dir: '/srv/kdt' })).toBe(
      'User=kdt\nExecStart=/usr/bin/node /srv/kdt/server.js\n',
    );
  });

  it('keeps or drops whole-line sections; the section lines themselves leave nothing', () => {
    const text = 'a\n{{#if socket}}\nSOCKET_PATH={{path}}\n{{/if}}\n{{#unless socket}}\nPORT={{port}}\n{{/unless}}\nz\n';
    expect(render(text, { socket: true, path: '/run/s.sock' })).toBe('a\nSOCKET_PATH=/run/s.sock\nz\n');
    expect(render(text, { socket: false, port: '3000' })).toBe('a\nPORT=3000\nz\n');
  });

  it('nests sections: an inner section inside a dropped one stays dropped', () => {
    const text = '{{#if a}}\n{{#unless b}}\nx\n{{/unless}}\n{{/if}}\n';
    expect(render(text, { a: false, b: false })).toBe('');
    expect(render(text, { a: true, b: false })).toBe('x\n');
  });

  it('does not render a value again: braces in a value stay as they are', () => {
    expect(render('{{a}}\n', { a: '{{b}}' })).toBe('{{b}}\n');
  });

  it.each([
    ['an unknown placeholder', 'x\nPORT={{prot}}\n', { port: '3000' }, 't.conf:2: unknown placeholder {{prot}}: no value given for it'],
    ['a flag used as text', '{{socket}}\n', { socket: true }, 't.conf:1: {{socket}} is a section flag (true/false), not text'],
    ['text used as a flag', '{{#if port}}\n{{/if}}\n', { port: '3000' }, 't.conf:1: {{#if port}} needs a true/false flag, got text'],
    ['an unknown flag', '{{#if sokcet}}\n{{/if}}\n', { socket: true }, 't.conf:1: unknown placeholder {{sokcet}}: no value given for it'],
    ['an unclosed section', 'a\n{{#if socket}}\nb\n', { socket: true }, 't.conf:2: {{#if socket}} is never closed'],
    ['a mismatched close', '{{#if socket}}\n{{/unless}}\n', { socket: true }, 't.conf:2: {{/unless}} closes {{#if socket}} from line 1'],
    ['a close without an open', '{{/if}}\n', {}, 't.conf:1: {{/if}} without an open section'],
    ['a section tag inside a line', 'x {{#if socket}}\n', { socket: true }, 't.conf:1: a section tag must stand alone on its line'],
    ['a name that is not one', '{{user name}}\n', {}, 't.conf:1: "{{user name}}" is not a placeholder name (letters and digits)'],
  ])('refuses %s, naming the template and the line', (_what, text, values, message) => {
    expect(() => render(text, values)).toThrow(new TemplateError(message));
  });

  it('never renders a missing value as an empty string, even one given as undefined', () => {
    expect(() => render('{{a}}\n', { a: undefined as unknown as string })).toThrow(TemplateError);
  });
});
