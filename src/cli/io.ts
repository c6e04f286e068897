/** The terminal as a port: commands write through this so tests can capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly stdoutIsTty: boolean;
}

export function processIo(): CliIo {
  return {
    out: (text) => { process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
    stdoutIsTty: process.stdout.isTTY,
  };
}
