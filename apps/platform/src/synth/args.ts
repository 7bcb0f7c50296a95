/**
 * Reads `--context key=value`, `--context=key=value` and `-c key=value` from the command line, the
 * switches of the CDK CLI, so the same words work with `cdk synth` and with `npm run synth --`.
 */
export function parseContextArgs(argv: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let pair: string | undefined;
    if (arg === '--context' || arg === '-c') {
      pair = argv[++i];
      if (pair === undefined) {
        throw new Error(`${arg} needs a key=value argument, e.g. ${arg} config=path/to/config.yaml`);
      }
    } else if (arg.startsWith('--context=')) {
      pair = arg.slice('--context='.length);
    } else {
      throw new Error(`unknown argument '${arg}'; allowed: --context key=value (or -c key=value)`);
    }
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new Error(`context '${pair}' must be key=value, e.g. config=path/to/config.yaml`);
    }
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}
