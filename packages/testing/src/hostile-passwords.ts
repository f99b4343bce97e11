import { randomBytes } from 'node:crypto';

/** A password shaped to break URL parsing, masking or encoding, and the pieces that must never show. */
export interface HostilePassword {
  /** what the shape tests, for test names */
  label: string;
  password: string;
  /**
   * The distinctive runs between its special characters (random, 11 characters each): any one of
   * them in an output is a leak of part of the password, however the rest was cut or encoded.
   */
  fragments: string[];
}

/** "·" stands for a fresh random fragment. */
const SHAPES: [label: string, shape: string][] = [
  ['URL delimiters, unencoded "%" (p@ss:w/rd#%)', '·@·:·/·#·%'],
  ['a blank and a bad escape (a b%zz)', '· ·%zz·'],
  ['a query mark (x?y)', '·?·'],
  ['a URL inside, several "@", one at the end', '·://·@·@·@'],
  ['newline, CR, tab', '·\n·\r\n·\t·'],
  ['quotes, backslash, shell, query and HTML characters', '·"·\'·\\·`·$(·)·&·=·;·<b>·'],
  // Characters SASLprep leaves alone: node-postgres maps a no-break space to a blank, the server not
  // beside an emoji (it then takes the password raw), so that login would fail in the driver.
  ['unicode', '·Ωé€·😀·'],
  ['what looks percent-encoded already (%41, %2F)', '·%41·%2F·'],
  ['a leading blank, colons', ' ·:·::'],
];

function fragment(): string {
  return `q${randomBytes(8).toString('hex').slice(0, 10)}`;
}

/** Fresh hostile passwords, one per shape; each call gives new fragments. */
export function hostilePasswords(): HostilePassword[] {
  return SHAPES.map(([label, shape]) => {
    const fragments: string[] = [];
    const password = shape.replace(/·/g, () => {
      const f = fragment();
      fragments.push(f);
      return f;
    });
    return { label, password, fragments };
  });
}
