/**
 * The shipped HTML body around one language's wording: a plain, table-free page that renders in every mail client,
 * the code large and monospaced. `lead` precedes the code and `note` follows it; both may hold `{{purpose}}`.
 */
export function defaultHtml(lang: string, lead: string, note: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;padding:24px;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1b1b1b;background:#ffffff">
<p style="font-size:16px">${lead}</p>
<p style="font-size:32px;font-weight:600;letter-spacing:4px;font-family:Consolas,Menlo,monospace">{{code}}</p>
<p style="font-size:14px;color:#505050">${note}</p>
</body>
</html>
`;
}
