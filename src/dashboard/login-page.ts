/** The sign-in form a browser is sent to when DASHBOARD_TOKEN is set: one password field, posted to /login. */
export function renderLoginPage(options: { failed: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Sign in — entra-migrate dashboard</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<main id="main">
<h1>Migration dashboard</h1>
${options.failed ? '<p class="error" role="alert">That is not the dashboard\'s token.</p>\n' : ''}<form method="post" action="/login">
<label for="token">Dashboard token (DASHBOARD_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
