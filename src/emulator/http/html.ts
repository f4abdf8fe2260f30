const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

/** A whole page: the emulator's look, a title and trusted body HTML (callers escape every value they insert). */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · entra-migrate emulator</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f3f2f1; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem 2.5rem; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  h1 { font-size: 1.5rem; font-weight: 600; margin-top: 0; }
  label { display: block; margin: 1rem 0 .25rem; }
  input, select { width: 100%; padding: .5rem; box-sizing: border-box; font-size: 1rem; }
  button { margin-top: 1.5rem; padding: .5rem 2rem; background: #0067b8; color: #fff; border: 0; font-size: 1rem; }
  .note { color: #605e5c; font-size: .85rem; }
  .error { color: #a80000; }
  .ok { color: #107c10; }
</style>
</head>
<body><main>${body}<p class="note">entra-migrate · local Entra External ID emulator</p></main></body>
</html>`;
}
