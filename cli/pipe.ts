/**
 * Makes a closed reader (`writ … | head`) end the process quietly with the current exit code,
 * as Unix tools do, instead of crashing with an unhandled EPIPE error.
 */
export function exitOnBrokenPipe(stream: NodeJS.WritableStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
