/**
 * An error in a file someone edits by hand: the file, the line, what is wrong and what to write
 * instead, printed as `file:line: message` (line 0: the file as a whole). The lab's loaders
 * (topology, zone, scenario, exercise files) all say their errors this way.
 */
export class FileLineError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.file = file;
    this.line = line;
  }
}
