import { htmlPage, type HtmlPage } from '../../shared/html-page.ts';

/**
 * The page for every failed scan, whatever the cause: the same words for a misread code, a
 * forged link and a busy server, so it tells someone guessing links nothing.
 */
export function scanErrorPage(): HtmlPage {
  return htmlPage(
    'Scan not accepted',
    `<main>
<h1>Scan not accepted</h1>
<p>This code could not be read as a valid logger reading.</p>
<p class="note">Scan the code again, holding the phone steady. If it still fails, contact the logger\u2019s owner.</p>
</main>`,
  );
}
