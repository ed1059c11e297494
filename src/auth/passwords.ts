// Password hashing with argon2id and generation of random initial passwords. New hashes use
// OWASP's recommended argon2id parameters (m=19 MiB, t=2, p=1): the argon2 package default
// (m=64 MiB, t=3, p=4) allocated 64 MiB per verification, which set the server's peak memory.
// Existing hashes carry their own parameters in the PHC string and verify with them.
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

export const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// At most this many argon2 runs at once (each holds its memory cost): a burst of first logins —
// a client opening four connections, many users after a restart — queues instead of adding
// 19 MiB (64 MiB for old hashes) of peak memory per concurrent login. This is deliberately
// module-level: what it guards is the process's memory, which every store and app in the process
// shares; it holds no data of any store, so nothing can leak between them through it.
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running < MAX_CONCURRENT) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return limited(() => argon2.hash(password, HASH_OPTIONS));
}

/** Constant-time by construction (argon2 compares the derived hashes). Malformed hashes verify false. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await limited(() => argon2.verify(hash, password));
  } catch {
    return false;
  }
}

/** 18 random bytes as base64url: 24 characters, 144 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The longest password an account may have. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Rules shared by the CLI, the web page and the API. Returns a reason when refused. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'the password must have at least 8 characters';
  if (password.length > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}
