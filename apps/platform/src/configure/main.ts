/** `npm run configure` (see ./cli.ts). */
import { runConfigure } from './cli';

runConfigure(process.argv.slice(2), {
  cwd: process.env.INIT_CWD ?? process.cwd(),
  isTerminal: process.stdin.isTTY === true,
  input: process.stdin,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  },
);
