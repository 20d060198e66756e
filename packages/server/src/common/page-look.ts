/**
 * The look the service's own pages (scan, sign-in, account) share with the web app: the app's
 * colours and type (packages/web/src/styles.css) as CSS variables, one stylesheet the service
 * serves at PAGE_LOOK_PATH, so a page's content policy allows it by 'self' and nothing inline.
 */
export const PAGE_LOOK_PATH = '/page-look.css';

export const PAGE_LOOK_CSS = `:root{--qr-brand:#0b3d66;--qr-text:#1b1b1b;--qr-bg:#fff;--qr-muted:#444;--qr-ok:#1b6e20;--qr-warn:#8a4b00;--qr-problem:#a00000;--qr-focus:#f2a900;--qr-line:#d0d0d0;
font-family:system-ui,sans-serif;color:var(--qr-text);background:var(--qr-bg);line-height:1.4}
body{margin:0}
header.top{background:var(--qr-brand);color:#fff;padding:.6rem 1rem;font-weight:700}
header.top a{color:#fff}
main{padding:1.25rem 1rem;max-width:32rem;margin:0 auto;font-size:1.125rem;line-height:1.5}
h1{font-size:1.5rem;margin:0 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.figure{font-size:2.25rem;font-weight:700;margin:0;line-height:1.2}
.serial{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600;letter-spacing:.05em;overflow-wrap:anywhere}
button,.button{font:inherit;padding:.75rem 1.25rem;border-radius:4px;border:1px solid var(--qr-brand);background:var(--qr-brand);color:#fff;width:100%;margin-top:1.5rem;cursor:pointer;display:block;text-align:center;text-decoration:none;box-sizing:border-box}
.button.secondary{background:transparent;color:var(--qr-brand)}
button[disabled]{opacity:.5}
:focus-visible{outline:3px solid var(--qr-focus);outline-offset:2px}
a{color:var(--qr-brand)}
.note{font-size:.95rem;color:var(--qr-muted)}
.receipt{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all;user-select:all}
.state{font-weight:700}
.state-ok{color:var(--qr-ok)}
.state-alarm{color:var(--qr-problem)}
.state-warn{color:var(--qr-warn)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid var(--qr-line);font-size:1rem}
caption{text-align:left;font-weight:600}
figure{margin:1rem 0}
svg{display:block;max-width:100%;height:auto}
select{font:inherit;padding:.3rem;max-width:100%}
`;
