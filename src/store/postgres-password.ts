import { createRequire } from 'node:module';

/** What the password file is matched on (node-postgres' connection parameters have these). */
export interface PasswordLookup {
  readonly host?: string | undefined;
  readonly port?: number | string | undefined;
  readonly database?: string | undefined;
  readonly user?: string | undefined;
}

type PgPass = (connection: PasswordLookup, found: (password: string | undefined) => void) => void;

// node-postgres depends on pgpass and reads the file itself, but warns (pg 8.16+) that it will
// stop: asked here, the lookup stays, and the daemon's log is not left with a deprecation warning.
const pgpass = createRequire(import.meta.url)('pgpass') as PgPass;

/**
 * The password for a connection whose URL and PGPASSWORD give none, as libpq finds it: the matching
 * line of the password file (`PGPASSFILE`, default `~/.pgpass`; ignored, as by libpq, when others
 * may read it). Asked only when the server wants a password.
 *
 * @throws NoPasswordError when there is none: said plainly (node-postgres would fail later, in its
 * SCRAM exchange, and leave the connection open).
 */
export function passwordFor(connection: PasswordLookup): Promise<string> {
  return new Promise((resolve, reject) => pgpass(connection, (password) => (password === undefined ? reject(new NoPasswordError()) : resolve(password))));
}

export class NoPasswordError extends Error {
  constructor() {
    super('the server asks for a password and none was given: put it in PGPASSWORD or in the password file (~/.pgpass or PGPASSFILE, mode 0600)');
  }
}
