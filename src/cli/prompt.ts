// Reads a password without putting it on the command line (where `ps` and shell history would
// show it): from a prompt with echo off on a terminal, or from the first line of stdin otherwise
// (so scripts can pipe it: `printf '%s\n' "$PW" | sundial user add bob`).
import readline from 'node:readline';

export async function readPassword(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) return readFirstLine(input);
  return new Promise((resolve, reject) => {
    output.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let value = '';
    const onData = (ch: string) => {
      for (const c of ch) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          done();
          output.write('\n');
          return resolve(value);
        }
        if (c === '\u0003') {
          done();
          output.write('\n');
          return reject(new Error('cancelled'));
        }
        if (c === '\u007f' || c === '\b') value = value.slice(0, -1);
        else value += c;
      }
    };
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
    input.on('data', onData);
  });
}

async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error('no password given on standard input');
}

/** Prompts twice on a terminal; once from a pipe. */
export async function readNewPassword(): Promise<string> {
  const first = await readPassword('New password: ');
  if (process.stdin.isTTY) {
    const again = await readPassword('Repeat password: ');
    if (again !== first) throw new Error('the passwords do not match');
  }
  return first;
}
