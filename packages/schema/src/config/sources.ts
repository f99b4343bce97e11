/** Where a resolved setting came from. */
export type ValueSource =
  | { kind: 'flag'; name: string }
  | { kind: 'env'; name: string }
  | { kind: 'file'; file: string }
  | { kind: 'default' };

export function sourceText(source: ValueSource): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.name}`;
    case 'env':
      return `environment ${source.name}`;
    case 'file':
      return `file ${source.file}`;
    case 'default':
      return 'default';
  }
}
