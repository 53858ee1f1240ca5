/**
 * A start-up failure the operator can fix: it names the setting to change. main prints it as
 * one line, without a stack trace.
 */
export class StartupError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'StartupError';
  }
}

/** The error for a port someone else holds. */
export function portInUse(variable: string, host: string, port: number, hint = ''): StartupError {
  return new StartupError(variable, `port ${port} on ${host} is already in use${hint ? `; ${hint}` : ''} — set ${variable} to a free port`);
}
