/**
 * lvm2's JSON report layout (--reportformat json), byte for byte as lvm2 2.03.16 prints
 * it: two spaces of log indentation, then four spaces per level, one object per line,
 * every value a string.
 */

export type ReportRow = readonly (readonly [string, string])[];

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderJsonReport(kind: string, rows: readonly ReportRow[]): string {
  const lines = ['  {', '      "report": [', '          {', `              ${quote(kind)}: [`];
  rows.forEach((row, i) => {
    const body = row.map(([k, v]) => `${quote(k)}:${quote(v)}`).join(', ');
    lines.push(`                  {${body}}${i < rows.length - 1 ? ',' : ''}`);
  });
  lines.push('              ]', '          }', '      ]', '  }');
  return lines.join('\n') + '\n';
}
