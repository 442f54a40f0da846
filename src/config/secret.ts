import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkEnvSecret, type Config } from './config.js';
import { ConfigError } from './config-error.js';
import { ensureDataDir } from './data-dir.js';
import { createFileOnce } from '../io/atomic-file.js';
import { describeFsError } from '../io/durable-files.js';
import { checkDataDirSafety } from './data-dir-safety.js';

/** The secret key file in the data folder. */
export const SECRET_FILENAME = 'secret.key';

/** Bytes of a generated secret. */
const SECRET_BYTES = 32;

/** Shortest secret a key file may hold, in bytes (the pseudonym derivation needs 16). */
const MIN_FILE_SECRET_BYTES = 16;

/**
 * The secret from which pseudonyms, UIDs and date shifts are derived: the UTF-8 bytes of
 * `DICOM_ANON_SECRET` when set, else the hex-encoded key in `<dataDir>/secret.key`. Without either,
 * generates 32 random bytes and stores them there (file 0600, folder 0700); when several processes
 * do so at once, all of them end up with the same key. Losing the key changes every pseudonym.
 *
 * Whoever else could write the key could recompute every pseudonym: the data folder must be safe
 * (checkDataDirSafety), and the key a regular file, not a symbolic link, owned by the running user.
 *
 * @throws ConfigError when the key file is readable by other users (run `chmod 600`), belongs to
 * another user, is a symbolic link, is malformed, or cannot be read or created; when the data
 * folder is not safe; or when `DICOM_ANON_SECRET` is too short.
 * @param onCreated told once, by the process that created a new key, where it is and to back it up.
 * @param uid the running user, whom the folder and key must belong to.
 */
export function loadSecret(config: Pick<Config, 'dataDir' | 'secretFromEnv'>, onCreated: (notice: string) => void = () => {}, uid: number | undefined = process.getuid?.()): Buffer {
  if (config.secretFromEnv !== undefined) {
    checkEnvSecret(config.secretFromEnv);
    return Buffer.from(config.secretFromEnv, 'utf8');
  }
  checkDataDirSafety(config.dataDir, uid);
  const keyPath = path.join(config.dataDir, SECRET_FILENAME);
  const existing = readKeyFile(keyPath, uid);
  if (existing !== undefined) return existing;
  const { secret, created } = createKeyFile(config.dataDir, keyPath, uid);
  // Losing a key unnoticed changes every later pseudonym: its creation is said, not silent.
  if (created) onCreated(`created a new secret key, ${keyPath}: back it up with the mapping store; without it, later runs give other pseudonyms and UIDs`);
  return secret;
}

/** The key in `keyPath`, or undefined when there is no such file. */
function readKeyFile(keyPath: string, uid: number | undefined): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(keyPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new ConfigError(`${keyPath}: the secret key is a symbolic link; put the key file itself there (mode 0600)`, { path: keyPath });
    throw new ConfigError(`${keyPath}: cannot read the secret key: ${describeFsError(error)}`, { path: keyPath, cause: error });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ConfigError(`${keyPath}: the secret key is not a regular file`, { path: keyPath });
    if (uid !== undefined && stats.uid !== uid) {
      throw new ConfigError(
        `${keyPath}: the secret key belongs to another user (uid ${stats.uid}), who could recompute every pseudonym; if that user may, make it yours: chown ${os.userInfo().username} ${keyPath}; if not, remove it (a new key means new pseudonyms)`,
        { path: keyPath },
      );
    }
    if ((stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      throw new ConfigError(`${keyPath}: the secret key is accessible by other users (mode ${mode}); restrict it with: chmod 600 ${keyPath}`, { path: keyPath });
    }
    const hex = readFileSync(fd, 'utf8').trim();
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex) || hex.length < 2 * MIN_FILE_SECRET_BYTES) {
      throw new ConfigError(`${keyPath}: the secret key is malformed: expected at least ${2 * MIN_FILE_SECRET_BYTES} hexadecimal digits`, { path: keyPath });
    }
    return Buffer.from(hex, 'hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a new key to a temporary file, then links it to `keyPath` (createFileOnce): the link
 * appears with the whole key in it, and fails if another process linked its key first, whose key
 * is then used.
 */
function createKeyFile(dataDir: string, keyPath: string, uid: number | undefined): { secret: Buffer; created: boolean } {
  const secret = randomBytes(SECRET_BYTES);
  let created: boolean;
  try {
    ensureDataDir(dataDir);
    created = createFileOnce(keyPath, `${secret.toString('hex')}\n`, 0o600);
  } catch (error) {
    throw new ConfigError(`${keyPath}: cannot create the secret key: ${describeFsError(error)}`, { path: keyPath, cause: error });
  }
  return created ? { secret, created: true } : { secret: readWinner(keyPath, uid), created: false };
}

function readWinner(keyPath: string, uid: number | undefined): Buffer {
  const key = readKeyFile(keyPath, uid);
  if (key === undefined) throw new ConfigError(`${keyPath}: the secret key vanished while it was being created`, { path: keyPath });
  return key;
}
