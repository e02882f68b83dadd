import { isNode, type Document, type LineCounter } from 'yaml';

/** The line of the node at a path in a YAML document, or of its nearest parent that exists. */
export function lineAt(doc: Document, counter: LineCounter, at: (string | number)[]): number {
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    // A key whose value is missing: point at the key.
    const parent = n > 0 ? (n === 1 ? doc.contents : doc.getIn(at.slice(0, n - 1), true)) : undefined;
    const pair = (parent as { items?: { key: { value?: unknown; range?: number[] } }[] } | undefined)?.items?.find((p) => p.key?.value === at[n - 1]);
    if (pair?.key?.range) return counter.linePos(pair.key.range[0]).line;
  }
  return 1;
}

/** A zod issue in words a teacher can act on. */
export function explainIssue(issue: { code: string; message: string; expected?: unknown; keys?: string[]; values?: unknown[] }, example: string): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys!.length > 1 ? 's' : ''} ${issue.keys!.map((k) => `"${k}"`).join(', ')}; check the spelling against ${example}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `missing; write a value (${String(issue.expected)}), see ${example}`;
  if (issue.code === 'invalid_value' && issue.values) return `should be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_format' || issue.code === 'invalid_string') return `should be ${issue.message.replace(/^Invalid string: must match pattern .*$/, 'in the documented form')}`;
  return issue.message;
}
