import type { RejectionReason } from '../../core/ingest/ingest-contract.ts';
import { htmlPage, type HtmlPage } from '../../common/html-page.ts';
import { SCAN_ERROR_PATH } from '../paths.ts';

/**
 * The failures a scanner is told about, because saying so gives away nothing: a logger's serial
 * is readable in every link without its key (so whether this service knows it is no secret), and
 * a clock ahead is found only after the link authenticated. Every other failure (a misread code,
 * a forged link, a limit, a busy server) gets the same generic words, so that someone guessing
 * links learns nothing.
 */
export type ScanErrorReason = 'unknown-logger' | 'clock-ahead';

const SAFE_TO_SAY: Partial<Record<RejectionReason, ScanErrorReason>> = {
  'unknown-serial': 'unknown-logger',
  'future-clock': 'clock-ahead',
};

/** Where a refused scan is sent: the error page, with the reason when it is safe to say. */
export function scanErrorLocation(reason: RejectionReason): string {
  const said = SAFE_TO_SAY[reason];
  return said === undefined ? SCAN_ERROR_PATH : `${SCAN_ERROR_PATH}?reason=${said}`;
}

/** The error page's reason from its query: anything else is the generic page. */
export function scanErrorReasonOf(query: unknown): ScanErrorReason | undefined {
  const reason = (query as { reason?: unknown } | undefined)?.reason;
  return reason === 'unknown-logger' || reason === 'clock-ahead' ? reason : undefined;
}

const WORDS: Record<ScanErrorReason | 'generic', [what: string, next: string]> = {
  generic: [
    'This code could not be read as a valid logger reading.',
    'Scan the code again, holding the phone steady. If it still fails, contact the logger\u2019s owner.',
  ],
  'unknown-logger': [
    'This code comes from a logger this service does not know: it is registered with another service, or not yet.',
    'Scanning again will not help. Contact the logger\u2019s owner.',
  ],
  'clock-ahead': [
    'The logger\u2019s clock is ahead of the real time: its code says it was made at a time that has not come yet, so its readings were not stored.',
    'Scanning again will not help until the logger\u2019s clock is set right. Contact the logger\u2019s owner.',
  ],
};

export function scanErrorPage(reason?: ScanErrorReason): HtmlPage {
  const [what, next] = WORDS[reason ?? 'generic'];
  return htmlPage(
    'Scan not accepted',
    `<main>
<h1>Scan not accepted</h1>
<p>${what}</p>
<p class="note">${next}</p>
</main>`,
  );
}
