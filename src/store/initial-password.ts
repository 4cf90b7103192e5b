/** The first admin's generated password, kept in `DATA_DIR/initial-admin-password` (owner-only) until it is changed. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const INITIAL_PASSWORD_FILE = 'initial-admin-password';

/** Writes the password file, readable only by the owner. */
export async function writeInitialPassword(dataDir: string, password: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, INITIAL_PASSWORD_FILE);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return file;
}

/** Deletes the file once the password is changed (it no longer opens anything). */
export async function removeInitialPassword(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, INITIAL_PASSWORD_FILE), { force: true });
}
