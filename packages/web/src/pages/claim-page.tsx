import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, ApiProblem, dataOf } from '../api/api.ts';
import { useAdminOrg, useTeams } from '../admin/admin-org.tsx';
import { QrCamera } from '../admin/qr-camera.tsx';
import { useLocale } from '../i18n/i18n.tsx';
import { Problem } from '../layout/problem.tsx';

/** A logger's link as a phone camera opens it: digits as the last path segment (the service's own scan route). */
const LINK_PATH = /^(?:\/[a-z0-9._~-]+)*\/\d+$/;
const SCAN_PAGE = /^\/scan\/([A-Za-z0-9_-]{8,128})$/;

type ClaimBody = { serial: string; claimCode: string } | { scanId: string };

/** Claiming loggers into a team: by the label's serial and claim code, or by scanning the logger's QR code with the camera. */
export function ClaimPage() {
  const { t } = useLocale();
  const orgId = useAdminOrg();
  if (orgId === undefined) return <p className="empty">{t('admin.only')}</p>;
  return <Claim orgId={orgId} />;
}

function Claim({ orgId }: { orgId: string }) {
  const { t } = useLocale();
  const teams = useTeams(orgId);
  const [teamId, setTeamId] = useState('');
  const [serial, setSerial] = useState('');
  const [code, setCode] = useState('');
  const [scanning, setScanning] = useState(false);
  const [scanProblem, setScanProblem] = useState<Error | undefined>();
  const claim = useMutation({
    mutationFn: async (body: ClaimBody) =>
      dataOf(await api.POST('/api/v1/orgs/{orgId}/claims', { params: { path: { orgId } }, body: { ...body, ...(teamId === '' ? {} : { teamId }) } })),
    onSuccess: () => {
      setSerial('');
      setCode('');
    },
  });

  /**
   * A decoded QR code: the logger's link, opened on this service as a phone would open it, so the
   * service records the scan as this signed-in admin's and answers with the scan's page; that
   * scan (made in the last 10 minutes, by this user) is the proof the claim carries.
   */
  const scanned = async (text: string) => {
    setScanning(false);
    let path: string;
    try {
      path = new URL(text).pathname;
    } catch {
      path = '';
    }
    if (!LINK_PATH.test(path)) {
      setScanProblem(new Error(t('claim.notALink')));
      return;
    }
    try {
      const answer = await fetch(path, { credentials: 'same-origin' });
      const scanId = SCAN_PAGE.exec(new URL(answer.url).pathname)?.[1];
      if (!answer.ok || scanId === undefined) throw new Error(t('claim.scanRefused'));
      claim.mutate({ scanId });
    } catch (e) {
      setScanProblem(e instanceof Error ? e : new Error(String(e)));
    }
  };

  return (
    <section>
      <h1>{t('claim.title')}</h1>
      <p>{t('claim.intro')}</p>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('claim.team')}
          <select value={teamId} onChange={(e) => setTeamId(e.target.value)} disabled={!teams.isSuccess}>
            <option value="">{t('claim.defaultTeam')}</option>
            {(teams.data ?? []).map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {teams.isError && <Problem error={teams.error} />}

      <div role="status" aria-live="polite">
        {claim.isSuccess && (
          <p className="done">
            {t('claim.claimed', { serial: claim.data.serial, team: teams.data?.find((x) => x.id === claim.data.teamId)?.name ?? claim.data.teamId })}{' '}
            <Link to="/loggers/$serial" params={{ serial: claim.data.serial }}>
              {t('claim.openLogger')}
            </Link>
          </p>
        )}
        {claim.isPending && <p className="status">{t('claim.claiming')}</p>}
      </div>
      {claim.isError && <Problem error={claim.error instanceof ApiProblem && claim.error.status === 404 ? new Error(t('claim.notClaimable')) : claim.error} />}

      <section aria-labelledby="claim-camera">
        <h2 id="claim-camera">{t('claim.byCamera')}</h2>
        <p className="note">{t('claim.byCameraHint')}</p>
        {scanning ? (
          <>
            <QrCamera
              label={t('claim.camera')}
              onText={(text) => void scanned(text)}
              onError={(e) => {
                setScanning(false);
                setScanProblem(new Error(t('claim.noCamera', { reason: e.message })));
              }}
            />
            <p>
              <button type="button" onClick={() => setScanning(false)}>
                {t('claim.stopCamera')}
              </button>
            </p>
          </>
        ) : (
          <button
            type="button"
            onClick={() => {
              setScanProblem(undefined);
              claim.reset();
              setScanning(true);
            }}
          >
            {t('claim.startCamera')}
          </button>
        )}
        {scanProblem !== undefined && <Problem error={scanProblem} />}
      </section>

      <section aria-labelledby="claim-code">
        <h2 id="claim-code">{t('claim.byCode')}</h2>
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            claim.mutate({ serial: serial.trim().toUpperCase(), claimCode: code.trim() });
          }}
        >
          <label>
            {t('claim.serial')}
            <input value={serial} required maxLength={32} autoComplete="off" onChange={(e) => setSerial(e.target.value)} />
          </label>
          <label>
            {t('claim.code')}
            <input value={code} required maxLength={40} autoComplete="off" onChange={(e) => setCode(e.target.value)} />
          </label>
          <button type="submit" disabled={claim.isPending}>
            {t('claim.submit')}
          </button>
        </form>
      </section>
    </section>
  );
}
