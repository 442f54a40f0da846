// Who wrote an output: our Implementation Class UID and Version Name (0002,0012/0013), PS3.7 D.3.3.2.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Our Implementation Class UID (0002,0012), a UUID-derived UID under 2.25 (PS3.5 B.2); the same for every version. */
export const IMPLEMENTATION_CLASS_UID = '2.25.53289338343203100814120244593909803196';

/** dicom-tools' version, read once from its package.json: the one place the version is kept. */
export const PACKAGE_VERSION = readPackageVersion();

/**
 * Implementation Version Name (0002,0013): "DICOMTOOLS_" and the version. An SH holds at most 16
 * characters, so a longer version is cut (a test fails first, so that is a deliberate choice).
 */
export const IMPLEMENTATION_VERSION_NAME = `DICOMTOOLS_${PACKAGE_VERSION}`.slice(0, 16);

/** Walks up from this module: it runs from src/dicom/ (tests) and from dist/src/dicom/ (the build). */
function readPackageVersion(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'dicom-tools' && typeof manifest.version === 'string') return manifest.version;
    }
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('cannot find the package.json of dicom-tools above its modules');
    directory = parent;
  }
}
