// Password hashing with argon2id (RFC 9106 second recommended option: m=64 MiB, t=3, p=4 is the
// argon2 package default for argon2id) and generation of random initial passwords.
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** Constant-time by construction (argon2 compares the derived hashes). Malformed hashes verify false. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** 18 random bytes as base64url: 24 characters, 144 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Rules shared by the CLI, the web page and the API. Returns a reason when refused. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'the password must have at least 8 characters';
  if (password.length > 1024) return 'the password must have at most 1024 characters';
  return null;
}
