const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);

/** The 503 page served while `distDir` holds no build: what is missing and the command that builds it. */
export function missingBuildPage(distDir: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Studio not built</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #090b16; color: #e7eaff; font: 16px/1.5 system-ui, sans-serif; }
  main { max-width: 36rem; padding: 2rem; border: 1px solid #262d52; border-radius: 10px; background: #11152a; }
  h1 { margin-top: 0; font-size: 1.4rem; }
  code { padding: 0.1rem 0.35rem; border-radius: 4px; background: #0c0f20; color: #6fefff; font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<main>
  <h1>The studio is not built</h1>
  <p>The admin-ui plugin serves the studio from <code>${escapeHtml(distDir)}</code>, but there is no <code>index.html</code> there.</p>
  <p>Build it with <code>npm run build -w ui</code> (a plain <code>npm install</code> builds it too), then reload this page. No restart is needed.</p>
</main>
</body>
</html>
`;
}
