/** Whether the built console is older than anything it is built from. */
export function consoleIsStale(): boolean;
/** Builds the console if needed (or always with `force`); throws with Vite's output on failure. Returns whether it built. */
export function buildConsole(opts?: { force?: boolean; quiet?: boolean }): boolean;
