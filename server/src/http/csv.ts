/** One CSV field per RFC 4180; a leading = + - @ is quoted away so a spreadsheet never runs it. */
function csvField(value: string | number | boolean): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as CSV text: fields joined by commas, each row ended by CRLF. */
export function csvText(rows: readonly (readonly (string | number | boolean)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
