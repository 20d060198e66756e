// npm run docs:report-image: renders the first page of a report over a simulated 90-day cold-chain
// trip (one logger, temperature and humidity at 10 minutes, one excursion, one gap) and writes it
// as docs/images/report-first-page.png, with Debian's pdftoppm (poppler-utils). The generation
// time is fixed, so the image changes only when the report's layout does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildReport } from '../src/core/reports/report-builder.ts';
import { renderReportPdf } from '../src/core/reports/report-pdf.ts';
import { simulatedReportInput } from '../src/testing/report-fixture.ts';

const out = resolve(import.meta.dirname, '../../../docs/images/report-first-page');
const work = mkdtempSync(join(tmpdir(), 'qrlog-report-image-'));
try {
  const report = buildReport(simulatedReportInput(), { timeZone: 'Europe/Zurich', temperatureUnit: 'C' });
  const pdf = join(work, 'report.pdf');
  writeFileSync(pdf, await renderReportPdf(report));
  mkdirSync(resolve(out, '..'), { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', pdf, out]);
  console.log(`wrote ${out}.png`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
