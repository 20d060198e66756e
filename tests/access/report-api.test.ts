import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, temperatureAt } from '../../packages/server/src/testing/test-links.ts';
import { TEST_DATABASE_KINDS } from '../../packages/server/src/testing/test-database.ts';
import { startAccessApp, type AccessApp, type Credential } from '../support/access-app.ts';
import { buildWorld, type World } from '../support/tenant-world.ts';
import { missionRepository } from '../../packages/server/src/storage/mission-repository.ts';

describe.each(TEST_DATABASE_KINDS)('report API on %s', (kind) => {
  let app: AccessApp;
  let w: World;
  const work = mkdtempSync(join(tmpdir(), 'qrlog-report-api-'));
  const get = (as: Credential, url: string) => app.request(as, { method: 'GET', url });

  beforeAll(async () => {
    app = await startAccessApp(kind);
    w = await buildWorld(app);
  });
  afterAll(async () => {
    await app.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves a logger-range report as PDF to those who may read the logger, and records it', async () => {
    const serial = w.a.logger.serial;
    const r = await get(w.as.userA, `/api/v1/loggers/${serial}/report?timeZone=Europe/Zurich&limits=temperature:18:22:band`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="${serial}-report.pdf"`);
    const file = join(work, `${kind}.pdf`);
    writeFileSync(file, r.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const values = Array.from({ length: 144 }, (_, seq) => temperatureAt(7, seq));
    expect(text).toContain('Organization: Acme');
    expect(text).toMatch(new RegExp(`temperature \\(°C\\)\\s+144\\s+1\\s*d\\s+${Math.min(...values).toFixed(2)}\\s+${Math.max(...values).toFixed(2)}`));
    expect(text).toMatch(/band\s+18\.00–22\.00 °C/);
    const [record] = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 1 });
    expect(record).toMatchObject({ action: 'report.generated', actor: { kind: 'user' }, target: { kind: 'logger', id: serial }, detail: { format: 'pdf' } });
  });

  it('serves the CSV form, in the range asked for', async () => {
    const from = new Date((T0 + 10 * 600) * 1000).toISOString();
    const to = new Date((T0 + 20 * 600) * 1000).toISOString();
    const r = await get(w.as.keyReadA, `/api/v1/loggers/${w.a.logger.serial}/report?format=csv&from=${from}&to=${to}&temperatureUnit=F`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = r.body.replace(/^\uFEFF/, '').split('\r\n');
    const readings = lines.slice(lines.indexOf('Readings') + 2).filter((l) => l.includes(',temperature,'));
    expect(readings.map((l) => l.split(',')[4])).toEqual(Array.from({ length: 10 }, (_, i) => ((temperatureAt(7, 10 + i) * 9) / 5 + 32).toFixed(2)));
  });

  it('answers another organization\u2019s logger like a missing one, and nobody signed in with 401', async () => {
    const foreign = await get(w.as.adminB, `/api/v1/loggers/${w.a.logger.serial}/report`);
    const missing = await get(w.as.adminB, '/api/v1/loggers/NOSUCH0/report');
    const notTheirTeam = await get(w.as.userA, `/api/v1/loggers/${w.a.otherLogger.serial}/report`);
    for (const r of [foreign, missing, notTheirTeam]) {
      expect(r.statusCode).toBe(404);
      expect(r.body).toBe(missing.body);
    }
    expect((await get(w.as.anonymous, `/api/v1/loggers/${w.a.logger.serial}/report`)).statusCode).toBe(401);
  });

  it('serves a mission report to those who may read the mission, and to nobody else', async () => {
    const missionId = 'mis_reportapi000000000000001';
    const at = T0 * 1000;
    await missionRepository.insertMission(app.services.database.db, {
      id: missionId, org_id: w.a.orgId, team_id: w.a.teamId, name: 'Chilled goods', template_id: null, status: 'delivered',
      planned_start: at, planned_end: at + 86_400_000, actual_start: at, actual_end: at + 86_400_000, origin: 'Basel', destination: 'Lyon',
      recipients: JSON.stringify({ teamIds: [], emails: [] }), rules: JSON.stringify([{ id: 'r1', kind: 'limit', channel: 'temperature', severity: 'warning', low: 18, high: 22, delayReadings: 2 }]),
      mkt_activation_energy: 83.144, created_at: at, updated_at: at, created_by: 'user:test',
    });
    await missionRepository.insertPeriod(app.services.database.db, { id: 'mlp_reportapi000000000000001', mission_id: missionId, serial: w.a.logger.serial, from_ms: at, to_ms: at + 86_400_000 });
    const csv = await get(w.as.userA, `/api/v1/missions/${missionId}/report?format=csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain('Mission,Chilled goods');
    const values = Array.from({ length: 144 }, (_, seq) => temperatureAt(7, seq));
    expect(lines.find((l) => l.startsWith(`${w.a.logger.serial},temperature,`))).toMatch(new RegExp(`^${w.a.logger.serial},temperature,°C,144,86400,${Math.min(...values).toFixed(2)},${Math.max(...values).toFixed(2)},`));
    expect(lines).toContain(`${w.a.logger.serial},temperature,warning,18.00,22.00,${String(values.filter((v) => v >= 18 && v <= 22).length * 600)},${String(values.filter((v) => v < 18).length * 600)},${String(values.filter((v) => v > 22).length * 600)}`);
    const pdf = await get(w.as.keyReadA, `/api/v1/missions/${missionId}/report`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const [record] = await app.services.tenancy.audit.list({ orgId: w.a.orgId, limit: 1 });
    expect(record).toMatchObject({ action: 'report.generated', target: { kind: 'mission', id: missionId } });
    const foreign = await get(w.as.adminB, `/api/v1/missions/${missionId}/report`);
    const missing = await get(w.as.adminB, '/api/v1/missions/mis_reportapi000000000000009/report');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe(missing.body);
    expect((await get(w.as.anonymous, `/api/v1/missions/${missionId}/report`)).statusCode).toBe(401);
  });

  it('refuses bad parameters with a clear error', async () => {
    const serial = w.a.logger.serial;
    const zone = await get(w.as.adminA, `/api/v1/loggers/${serial}/report?timeZone=Nowhere/Town`);
    expect(zone.statusCode).toBe(400);
    expect(zone.json()).toEqual({ error: { code: 'invalid-request', message: 'unknown time zone "Nowhere/Town" (an IANA name such as Europe/Zurich or UTC)' } });
    const limits = await get(w.as.adminA, `/api/v1/loggers/${serial}/report?limits=pressure:1:2`);
    expect(limits.statusCode).toBe(400);
    expect(limits.json<{ error: { message: string } }>().error.message).toContain('channel:low:high');
    expect((await get(w.as.adminA, `/api/v1/loggers/${serial}/report?format=docx`)).statusCode).toBe(400);
  });
});
