import type { ChannelCount, ScanAlarm, ScanReceiptView } from '../../core/ingest/ingest-contract.ts';
import type { ClaimOffer, NewestReadings } from '../../core/tenancy/tenancy-scan-view.ts';
import type { ChannelChart } from '../../core/missions/consignee-view.ts';
import { escapeHtml, htmlPage, type HtmlPage } from '../../common/html-page.ts';
import { missionChartSvg } from './mission-chart-svg.ts';

/**
 * Asks the browser for its position when the person taps the button (never on load), and
 * posts it once to the scan's location route. The scan id is read from the page's own path,
 * so the script is the same for every page and its hash can sit in the content policy.
 */
const LOCATION_SCRIPT = `
(function(){
  var button=document.getElementById('locate');var status=document.getElementById('locate-status');
  if(!button||!status)return;
  if(!('geolocation' in navigator)){button.hidden=true;return;}
  var id=location.pathname.split('/').pop();
  function say(t){status.textContent=t;}
  button.addEventListener('click',function(){
    button.disabled=true;say('Asking for your location…');
    navigator.geolocation.getCurrentPosition(function(p){
      fetch('/api/v1/scans/'+id+'/location',{method:'POST',headers:{'content-type':'application/json'},credentials:'omit',
        body:JSON.stringify({latitude:p.coords.latitude,longitude:p.coords.longitude,accuracy:p.coords.accuracy})})
      .then(function(r){say(r.ok?'Location added to this scan.':'The location could not be added.');})
      .catch(function(){say('The location could not be added.');});
    },function(){button.disabled=false;say('No location was shared.');},{enableHighAccuracy:true,timeout:15000,maximumAge:60000});
  });
})();
`;

/**
 * Claims the scanned logger for a signed-in admin: asks the session for its CSRF token, then
 * posts to the claims API with this scan as the proof of possession. Organization and scan come
 * from the page's data attributes, so the script is the same for every page.
 */
const CLAIM_SCRIPT = `
(function(){
  var box=document.getElementById('claim');var button=document.getElementById('claim-button');
  var team=document.getElementById('claim-team');var status=document.getElementById('claim-status');
  if(!box||!button||!team||!status)return;
  function say(t){status.textContent=t;}
  button.addEventListener('click',function(){
    button.disabled=true;say('Claiming…');
    fetch('/auth/session',{credentials:'same-origin'}).then(function(r){return r.json();}).then(function(s){
      return fetch('/api/v1/orgs/'+box.dataset.org+'/claims',{method:'POST',credentials:'same-origin',
        headers:{'content-type':'application/json','x-csrf-token':s.csrfToken||''},
        body:JSON.stringify({scanId:box.dataset.scan,teamId:team.value})});
    }).then(function(r){
      if(r.ok){say('Claimed: the logger now belongs to this team.');team.disabled=true;return;}
      button.disabled=false;say('The logger could not be claimed. A scan proves it is yours for 10 minutes: scan it again.');
    }).catch(function(){button.disabled=false;say('The logger could not be claimed.');});
  });
})();
`;

/**
 * The page a phone lands on after a successful scan: how many new readings, from which serial.
 * The readings themselves (`newest`) only when the policy let the signed-in scanner see them;
 * the offer to claim the logger (`claim`) only to an admin who scanned a logger nobody owns.
 */
export function scanPage(scan: {
  serial: string;
  newReadings: number;
  newByChannel: ChannelCount[];
  canAddLocation: boolean;
  /** The link's place in the logger's evidence chain. */
  chainIndex?: number | undefined;
  receipt?: ScanReceiptView | undefined;
  newest?: NewestReadings[] | undefined;
  claim?: ClaimOffer | undefined;
  /** The link's own alarm summary; undefined when the service does not know it. */
  alarms?: ScanAlarm[] | undefined;
  /** The last days charted, for a viewer allowed to read the logger. */
  charts?: ChannelChart[] | undefined;
  /** Where to sign in and come back (anonymous), or where the logger opens in the web app (signed in). */
  account?: { signIn: string } | { app: string } | undefined;
}): HtmlPage {
  const n = scan.newReadings;
  const figure = n === 0 ? 'No new readings' : newReadingsFigure(n, scan.newByChannel);
  const detail = n === 0 ? 'This logger\u2019s readings were already stored. The scan has been recorded.' : 'They are stored and can no longer be changed.';
  const locate = scan.canAddLocation
    ? '<button id="locate" type="button">Add my location to this scan</button><p id="locate-status" class="note" role="status" aria-live="polite"></p>'
    : '';
  const body = `<header class="top">qrlog</header>
<main>
<h1>Scan received</h1>
<p class="figure" id="result">${escapeHtml(figure)}</p>
<p>from logger <span class="serial" id="serial">${escapeHtml(scan.serial)}</span></p>
${scan.alarms === undefined ? '' : stateHtml(scan.alarms, scan.newest !== undefined)}
<p class="note">${escapeHtml(detail)}</p>
${scan.charts === undefined ? '' : chartsHtml(scan.charts)}
${scan.newest === undefined ? '' : newestHtml(scan.newest)}
${scan.claim === undefined ? '' : claimHtml(scan.claim)}
${locate}
${receiptHtml(scan.serial, scan.chainIndex, scan.receipt)}
${accountHtml(scan.account)}
</main>`;
  const scripts = [scan.canAddLocation ? LOCATION_SCRIPT : '', scan.claim === undefined ? '' : CLAIM_SCRIPT].join('');
  return htmlPage('Scan received', body, scripts === '' ? undefined : scripts);
}

/**
 * The logger's state as the scanned link itself reports it (its whole memory, not only this link's
 * readings). Which channel is in alarm only for a viewer allowed to read the logger, as with the
 * readings; anyone holding the logger learns that it is in alarm, and since when at the latest.
 */
function stateHtml(alarms: ScanAlarm[], named: boolean): string {
  if (alarms.length === 0) return '<p class="state state-ok" id="state">No alarm: the logger reports its readings within its limits.</p>';
  const active = alarms.filter((a) => a.active);
  const since = Math.min(...(active.length > 0 ? active : alarms).map((a) => a.reportedSince));
  const which = named ? ` (${(active.length > 0 ? active : alarms).map((a) => a.channel).join(', ')})` : '';
  const outside = Math.max(...alarms.map((a) => a.outsideSeconds));
  const headline =
    active.length > 0
      ? `Alarm${which}: out of limits now, reported since ${utcMinute(since)}.`
      : `Alarm earlier${which}, reported since ${utcMinute(since)}: the newest reading is back within limits.`;
  return `<p class="state ${active.length > 0 ? 'state-alarm' : 'state-warn'}" id="state">${escapeHtml(headline)}</p>
<p class="note">${escapeHtml(`Out of limits for ${duration(outside)} in the logger's memory.`)}</p>`;
}

function utcMinute(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${String(hours)} h` : `${String(hours)} h ${String(minutes % 60)} min`;
}

/** Server-drawn SVG: the chart needs no script, and the content policy allows no other kind. */
function chartsHtml(charts: ChannelChart[]): string {
  if (charts.length === 0) return '';
  const figures = charts.map((c) => `<figure><figcaption><strong>${escapeHtml(c.channel)}</strong> (${escapeHtml(c.unit)})${c.limits.length > 0 ? ', limits dashed' : ''}</figcaption>${missionChartSvg(c, 'over the last days')}</figure>`);
  return `<section aria-label="Last days" id="chart"><h2>Last days</h2>${figures.join('')}</section>`;
}

function accountHtml(account: { signIn: string } | { app: string } | undefined): string {
  if (account === undefined) return '';
  if ('signIn' in account) return `<p><a class="button secondary" href="${escapeHtml(account.signIn)}">Sign in to see this logger's readings</a></p>`;
  return `<p><a class="button secondary" href="${escapeHtml(account.app)}">Open this logger in qrlog</a></p>`;
}

/**
 * New readings counted per channel, as `qrlog simulate` counts them: 144 readings of each of two
 * channels are "144 new readings × 2 channels", not 288. Channel names stay off the page: which
 * quantities a logger records is for those who may see its readings.
 */
function newReadingsFigure(total: number, byChannel: ChannelCount[]): string {
  const counts = byChannel.map((c) => c.count.toLocaleString('en'));
  const [first] = counts;
  // No breakdown (readings rebuilt without this link's blocks): the total is still true.
  if (first === undefined) return `${total.toLocaleString('en')} new readings`;
  if (counts.every((c) => c === first)) {
    return `${first} new reading${first === '1' ? '' : 's'}${counts.length > 1 ? ` × ${counts.length} channels` : ''}`;
  }
  return `${counts.slice(0, -1).join(', ')} and ${counts.at(-1) ?? ''} new readings in ${counts.length} channels`;
}

/**
 * The link's chain index and, when the service has a checkpoint key, the signed receipt: one
 * word the scanner can copy and keep, and what it covers, so that it can be checked without us.
 */
function receiptHtml(serial: string, chainIndex: number | undefined, receipt: ScanReceiptView | undefined): string {
  if (chainIndex === undefined) return '';
  const place = `Evidence chain index ${String(chainIndex)} of logger ${serial}`;
  if (receipt === undefined) return `<p class="note">${escapeHtml(place)}.</p>`;
  const at = `${receipt.receivedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `<section aria-label="Receipt"><h2>Receipt</h2>
<p class="note">${escapeHtml(`${place}, received ${at}.`)}</p>
<p class="receipt" id="receipt">${escapeHtml(receipt.token)}</p>
<p class="note">${escapeHtml(`Signed by the service (key ${receipt.keyId}) over the serial, the chain index, the link's chain hash and its arrival time. Keep it: \`qrlog verify --receipt RECEIPT --public-key FILE\` checks it, and whether the service still holds this link unchanged.`)}</p>
</section>`;
}

/** A scan page asked for after its window closed, or never issued: says so and nothing more. */
export function expiredScanPage(): HtmlPage {
  return htmlPage('Scan', '<header class="top">qrlog</header><main><h1>Scan</h1><p>This scan page is no longer available.</p></main>');
}

/** The newest readings per channel, newest last, times in UTC. */
function newestHtml(channels: NewestReadings[]): string {
  if (channels.length === 0) return '<p class="note">No readings stored for this logger yet.</p>';
  const time = (t: number) => `${new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const tables = channels.map((c) => {
    const rows = c.readings.map((r) => `<tr><td>${escapeHtml(time(r.t))}</td><td>${r.v === null ? 'sensor fault' : escapeHtml(`${String(r.v)} ${c.unit}`)}</td></tr>`).join('');
    return `<table><caption>${escapeHtml(c.channel)}</caption>${rows}</table>`;
  });
  return `<section aria-label="Newest readings"><h2>Newest readings</h2>${tables.join('')}</section>`;
}

function claimHtml(offer: ClaimOffer): string {
  const options = offer.teams.map((t) => `<option value="${escapeHtml(t.id)}">${escapeHtml(t.name)}</option>`).join('');
  return `<section id="claim" aria-label="Claim this logger" data-org="${escapeHtml(offer.orgId)}" data-serial="${escapeHtml(offer.serial)}" data-scan="${escapeHtml(offer.scanId)}">
<h2>Nobody has claimed this logger</h2>
<p><label for="claim-team">Claim it for your team</label> <select id="claim-team">${options}</select></p>
<button id="claim-button" type="button">Claim this logger</button>
<p id="claim-status" class="note" role="status" aria-live="polite"></p>
</section>`;
}
