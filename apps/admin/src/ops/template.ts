// The ops templates' format: plain text with {{name}} placeholders, and whole-line sections
//   {{#if flag}} … {{/if}}   {{#unless flag}} … {{/unless}}
// that keep or drop the lines between them. A placeholder takes a string, a section a boolean;
// a name with no value, or a value of the other kind, is an error: a template never renders a
// silent empty string.

/** The values a template is rendered with: strings for {{name}}, booleans for sections. */
export type TemplateValues = Readonly<Record<string, string | boolean>>;

/** A template that cannot be rendered: names the template, the line and the placeholder. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SECTION = /^\s*\{\{\s*(#if|#unless|\/if|\/unless)(?:\s+([A-Za-z][A-Za-z0-9]*))?\s*\}\}\s*$/;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

interface Open {
  kind: 'if' | 'unless';
  name: string;
  line: number;
  /** whether the lines inside are kept (this section and every enclosing one) */
  keep: boolean;
}

/**
 * Renders `text` with `values`. `template` names the template in error messages. Section lines
 * themselves produce no output; sections nest.
 */
export function renderTemplate(template: string, text: string, values: TemplateValues): string {
  const fail = (line: number, what: string): never => {
    throw new TemplateError(`${template}:${line}: ${what}`);
  };
  const lookup = (line: number, name: string, kind: 'string' | 'boolean') => {
    if (!NAME.test(name)) fail(line, `"{{${name}}}" is not a placeholder name (letters and digits)`);
    if (!Object.hasOwn(values, name)) fail(line, `unknown placeholder {{${name}}}: no value given for it`);
    const value = values[name];
    if (typeof value !== kind) {
      fail(line, kind === 'string' ? `{{${name}}} is a section flag (true/false), not text` : `{{#if ${name}}} needs a true/false flag, got text`);
    }
    return value!;
  };

  const out: string[] = [];
  const open: Open[] = [];
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const keeping = open.at(-1)?.keep ?? true;
    const section = SECTION.exec(raw);
    if (section) {
      const [, tag = '', name = ''] = section;
      if (tag.startsWith('#')) {
        const kind = tag === '#if' ? 'if' : 'unless';
        if (!name) fail(line, `{{${tag}}} needs a flag name`);
        const flag = lookup(line, name, 'boolean') as boolean;
        open.push({ kind, name, line, keep: keeping && (kind === 'if' ? flag : !flag) });
      } else {
        const top = open.pop();
        const kind = tag.slice(1);
        if (!top) fail(line, `{{${tag}}} without an open section`);
        if (top!.kind !== kind) fail(line, `{{${tag}}} closes {{#${top!.kind} ${top!.name}}} from line ${top!.line}`);
        if (name && name !== top!.name) fail(line, `{{${tag} ${name}}} closes {{#${top!.kind} ${top!.name}}} from line ${top!.line}`);
      }
      return;
    }
    if (raw.includes('{{#') || raw.includes('{{/')) fail(line, 'a section tag must stand alone on its line');
    // A dropped line may name values that only its branch has (e.g. the SQLite folder).
    if (keeping) out.push(raw.replace(PLACEHOLDER, (_whole, name: string) => lookup(line, name, 'string') as string));
  });
  const unclosed = open.at(-1);
  if (unclosed) fail(unclosed.line, `{{#${unclosed.kind} ${unclosed.name}}} is never closed`);
  return out.length ? `${out.join('\n')}\n` : '';
}
