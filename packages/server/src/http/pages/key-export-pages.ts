import { escapeHtml, htmlPage, type HtmlPage } from '../../common/html-page.ts';
import type { KeyExportInfo } from '../../core/key-export/key-export-service.ts';
import type { FreshFactorKind } from '../fresh-second-factor.ts';

export const KEY_EXPORTS_PAGE = '/key-exports';
export function keyExportDownloadPage(id: string): string {
  return `${KEY_EXPORTS_PAGE}/${id}/download`;
}

/**
 * The pages of the emergency key export (there is no web app yet): an admin's request form and
 * their requests, an operator's queue, and the download page that asks for the fresh second
 * factor. Every act goes through /api/v1 from this one script, with the session's CSRF token;
 * the key arrives as a JSON body and is handed to the browser as a file, never shown.
 */
const SCRIPT = `(() => {
  const main = document.querySelector('main');
  const csrf = main.dataset.csrf;
  const message = document.getElementById('message');
  const say = (t) => { message.textContent = t; };
  const call = async (url, body) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((data.error && data.error.message) || ('the service answered ' + r.status));
    return data;
  };
  const form = document.getElementById('request-form');
  if (form) form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try { await call('/api/v1/loggers/' + encodeURIComponent(String(f.get('serial')).trim().toUpperCase()) + '/key-exports', { reason: String(f.get('reason')) }); location.reload(); }
    catch (err) { say(err.message); }
  });
  for (const b of document.querySelectorAll('button[data-decide]')) b.addEventListener('click', async () => {
    const id = b.dataset.id;
    const comment = document.getElementById('comment-' + id).value.trim();
    try { await call('/api/v1/key-exports/' + id + '/' + b.dataset.decide, comment === '' ? {} : { comment }); location.reload(); }
    catch (err) { say(err.message); }
  });
  const dl = document.getElementById('download-form');
  if (dl) dl.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = dl.querySelector('input[name=totpCode]');
    try {
      const key = await call('/api/v1/key-exports/' + main.dataset.export + '/download', code ? { totpCode: code.value.trim() } : {});
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(key, null, 2) + '\\n'], { type: 'application/json' }));
      a.download = key.serial + '.json';
      document.body.append(a);
      a.click();
      dl.remove();
      say('Saved ' + key.serial + '.json. This approval is used up: keep the file offline and safe.');
    } catch (err) { say(err.message); }
  });
})();`;

const STATE_TEXT: Record<KeyExportInfo['state'], string> = {
  pending: 'waiting for a platform operator',
  approved: 'approved: download once',
  refused: 'refused',
  downloaded: 'downloaded',
  expired: 'approval expired unused',
};

export interface PageViewer {
  csrfToken: string;
  /** Names to show for user ids (requesters, deciders). */
  names: ReadonlyMap<string, string>;
}

function frame(title: string, viewer: PageViewer, body: string, exportId?: string): HtmlPage {
  const data = `data-csrf="${escapeHtml(viewer.csrfToken)}"${exportId === undefined ? '' : ` data-export="${escapeHtml(exportId)}"`}`;
  return htmlPage(title, `<main ${data}>\n<h1>${escapeHtml(title)}</h1>\n${body}\n<p id="message" role="status"></p>\n</main>`, SCRIPT);
}

function who(viewer: PageViewer, id: string | null): string {
  return id === null ? '' : escapeHtml(viewer.names.get(id) ?? id);
}

function row(x: KeyExportInfo, viewer: PageViewer, action: string): string {
  const decided = x.decisionComment === null ? '' : ` — “${escapeHtml(x.decisionComment)}”`;
  return `<tr data-id="${x.id}"><td class="serial">${escapeHtml(x.serial)}</td><td>${who(viewer, x.requestedBy)}<br><span class="note">${escapeHtml(x.reason)}</span></td><td class="state">${STATE_TEXT[x.state]}${decided}</td><td>${action}</td></tr>`;
}

/** An organization admin: the request form (when they hold the grant) and their organization's requests. */
export function adminKeyExportsPage(requests: readonly KeyExportInfo[], viewer: PageViewer & { mayRequest: boolean; userId: string }): HtmlPage {
  const form = viewer.mayRequest
    ? `<form id="request-form">
<label>Logger serial<br><input name="serial" required pattern="[0-9A-Za-z]{1,12}" autocomplete="off"></label><br>
<label>Reason (for the operator and the audit log)<br><textarea name="reason" required minlength="10" maxlength="1000" rows="3"></textarea></label>
<button type="submit">Ask for the key</button>
</form>`
    : '<p class="note">Reading logger keys is a permission of its own that you do not hold. A platform operator gives it (<code>qrlog key-readers grant</code>).</p>';
  const rows = requests.map((x) =>
    row(x, viewer, x.state === 'approved' && x.requestedBy === viewer.userId ? `<a href="${keyExportDownloadPage(x.id)}">Download…</a>` : ''),
  );
  return frame(
    'Emergency key export',
    viewer,
    `<p class="note">A logger's key opens its links without the cloud (the offline decoder, <code>qrlog link open</code>). A platform operator approves each request; the admin who asked then downloads it once within 24 hours, after confirming a second factor. Every step is audited.</p>
${form}
<h2>Requests</h2>
<table id="requests"><thead><tr><th>Logger</th><th>Asked by</th><th>State</th><th></th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`,
  );
}

/** A platform operator: every request, and approve / refuse (with a comment) on the pending ones. */
export function operatorKeyExportsPage(requests: readonly KeyExportInfo[], viewer: PageViewer): HtmlPage {
  const rows = requests.map((x) =>
    row(
      x,
      viewer,
      x.state !== 'pending'
        ? ''
        : `<label>Comment<br><input id="comment-${x.id}" maxlength="1000"></label>
<button type="button" data-decide="approve" data-id="${x.id}">Approve</button>
<button type="button" data-decide="refuse" data-id="${x.id}">Refuse</button>`,
    ),
  );
  return frame(
    'Key export requests',
    viewer,
    `<p class="note">Approve only after confirming the emergency with the organization by another channel. A refusal needs a comment.</p>
<table id="queue"><thead><tr><th>Logger</th><th>Asked by</th><th>State</th><th></th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`,
  );
}

/** The requester's download page: the fresh second factor this session can give, then the file. */
export function keyExportDownloadPageHtml(x: KeyExportInfo, viewer: PageViewer, factor: FreshFactorKind | undefined, freshSignInUrl: string): HtmlPage {
  const expires = x.expiresAt === null ? '' : `<p class="note">Approved until ${escapeHtml(x.expiresAt.toISOString())}; one download.</p>`;
  if (x.state !== 'approved') {
    return frame('Download a logger key', viewer, `<p>Logger <span class="serial">${escapeHtml(x.serial)}</span>: ${STATE_TEXT[x.state]}. Nothing to download.</p>`, x.id);
  }
  const proof =
    factor === 'totp'
      ? `<label>Code from your authenticator app, now<br><input name="totpCode" inputmode="numeric" autocomplete="one-time-code" required pattern="\\s*\\d{3}\\s?\\d{3}\\s*"></label>`
      : `<p>Confirm it is you: <a href="${escapeHtml(freshSignInUrl)}">sign in again at your identity provider</a>, then download within five minutes.</p>`;
  return frame(
    'Download a logger key',
    viewer,
    `<p>Logger <span class="serial">${escapeHtml(x.serial)}</span>, asked because: ${escapeHtml(x.reason)}</p>
${expires}
<form id="download-form">
${proof}
<button type="submit">Download the key file</button>
</form>`,
    x.id,
  );
}
