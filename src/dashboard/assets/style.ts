/**
 * The page's style sheet, served as /assets/dashboard.css: dark text on white (contrast above 7:1), a visible focus
 * ring on everything reachable by keyboard, and one column below 40em so the page reads at 375 px.
 */
export const STYLE_SHEET = `
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 1rem 0 0.25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 2px solid #d0d0d0; }
code { overflow-wrap: anywhere; }
a { color: #0b4f94; }
:focus-visible { outline: 3px solid #0b4f94; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.5rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.5rem; margin: 0; }
.figures div { border: 1px solid #c8c8c8; border-radius: 4px; padding: 0.5rem 0.75rem; }
.figures dt { font-size: 0.875rem; color: #3d3d3d; }
.figures dd { margin: 0; font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figcaption { font-size: 0.875rem; color: #3d3d3d; margin-bottom: 0.25rem; }
.chart { width: 100%; min-height: 240px; overflow: hidden; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 0.875rem; }
th, td { border-bottom: 1px solid #d8d8d8; padding: 0.25rem 0.5rem; text-align: right; white-space: nowrap; }
th[scope=row], thead th:first-child { text-align: left; }
#stragglers-table td, #stragglers-table th { text-align: left; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; color: #0b4f94; }
form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
label { width: 100%; font-weight: 600; }
input[type=search], input[type=password] { font: inherit; padding: 0.4rem; border: 1px solid #767676; border-radius: 4px; min-width: 0; flex: 1 1 12rem; }
button { font: inherit; padding: 0.4rem 1rem; border: 1px solid #0b4f94; border-radius: 4px; background: #0b4f94; color: #fff; cursor: pointer; }
.error { color: #a00000; font-weight: 600; }
@media (max-width: 40em) {
  h1 { font-size: 1.3rem; }
  .figures { grid-template-columns: 1fr 1fr; }
  .figures dd { font-size: 1.2rem; }
}
`;
