/**
 * Why a file could not be read, as the end of a sentence that starts with its path: `./users.jsonl: no such file`.
 * One phrasing for every option and setting that names a file, instead of a raw `ENOENT`.
 *
 * @example
 *   `--env-file ${path}: ${fileProblem(error)}` // "--env-file ./serve.env: no such file"
 */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return `cannot be read (${code ?? 'unknown error'})`;
  }
}
