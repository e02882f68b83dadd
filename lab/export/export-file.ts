// One file of the export: where it goes on the real machine (relative to /), and its text.

export interface ExportFile {
  /** the path on the real machine without the leading slash: etc/mail/access */
  path: string;
  text: string;
  /** unix permissions when they matter (a script) */
  mode?: number;
}

/** A host name as sendmail and /etc/hostname take it: letters, digits, dashes, dots. */
export function isHostname(name: string | undefined): name is string {
  return name !== undefined && name.length <= 253 && /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name);
}

/** The name a host goes by on its machine: its hostname, else its topology name in lower case. */
export function machineName(host: { name: string; hostname?: string }): string {
  return isHostname(host.hostname) ? host.hostname.toLowerCase() : host.name.toLowerCase();
}

/** A string for a POSIX shell, in single quotes (a quote inside becomes '\''). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
