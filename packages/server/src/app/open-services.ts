import { sql } from 'kysely';
import { kekConfigFromEnv, kekFilePath, loadKeyring, type KekConfig } from '../keys/kek-config.ts';
import { LoggerKeyStore, type KeyCacheOptions } from '../keys/logger-key-store.ts';
import { openDatabase, type DatabaseConfig } from '../storage/open-database.ts';
import type { DatabaseHandle, DatabaseKind } from '../storage/database-handle.ts';
import type { Keyring } from '../keys/keyring.ts';
import { EvidenceVerifier } from '../core/evidence/evidence-verifier.ts';
import { CheckpointAuditor } from '../core/evidence/checkpoint-auditor.ts';
import { CheckpointJob, DEFAULT_CHECKPOINT_INTERVAL_MINUTES } from '../core/evidence/checkpoint-job.ts';
import { CheckpointService } from '../core/evidence/checkpoint-service.ts';
import { ScanReceipts } from '../core/evidence/scan-receipt.ts';
import { ReadingsChecker } from '../core/readings/readings-checker.ts';
import { loadCheckpointConfig, type CheckpointConfig } from '../config/checkpoint-config.ts';
import { loadCheckpointSigner } from '../keys/checkpoint-key.ts';
import type { IngestService, ScanRecords, SecurityEventLog } from '../core/ingest/ingest-contract.ts';
import { LinkIngestService } from '../core/ingest/ingest-service.ts';
import { LoggerAdminService } from '../core/loggers/logger-admin-service.ts';
import { ReadingsRebuilder } from '../core/readings/readings-rebuilder.ts';
import { ReadingsService } from '../core/readings/readings-service.ts';
import { ScanRecordService } from '../core/ingest/scan-record-service.ts';
import { SecurityEventService } from '../core/audit/security-event-service.ts';
import { AuditLog } from '../core/audit/audit-log.ts';
import { SecurityLogRetentionJob } from '../core/audit/security-log-retention-job.ts';
import type { TenancyServices } from '../core/tenancy/tenancy-services.ts';
import { Scheduler } from '../core/scheduler/scheduler.ts';
import { openTenancyServices } from './open-tenancy-services.ts';
import { openMissionServices } from './open-mission-services.ts';
import type { MissionServices } from '../core/missions/mission-services.ts';
import { openNotificationServices, type NotificationOptions } from './open-notification-services.ts';
import type { NotificationServices } from '../core/notifications/notification-services.ts';
import type { MissionCoverageSource } from '../core/missions/mission-coverage.ts';
import { StoredMissionCoverage } from '../core/missions/stored-mission-coverage.ts';
import { AlertService } from '../core/alerts/alert-service.ts';
import { AlertEvaluator } from '../core/alerts/alert-evaluator.ts';
import { AlertEvaluationQueue } from '../core/alerts/alert-evaluation-queue.ts';
import { AlertSweepJob } from '../core/alerts/alert-sweep-job.ts';
import { NoScanJob } from '../core/alerts/no-scan-job.ts';
import { MissionReportJob } from '../core/reports/mission-report-job.ts';
import { MissionReportMailer } from '../core/reports/mission-report-mailer.ts';

export interface OpenServicesOptions {
  /** Holds qrlog.sqlite (unless `databaseUrl`) and, when no KEK is configured, kek.json. */
  dataDir: string;
  /** postgres://… selects PostgreSQL; unset or '' the SQLite file. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to work in (tests; default: the server's search_path). */
  databaseSchema?: string | undefined;
  /** PostgreSQL: the running service's own login and its role's name (ADR 11; default: see DatabaseConfig). */
  databaseServiceUrl?: string | undefined;
  databaseServiceRole?: string | undefined;
  /** Where the KEKs come from; default: QRLOG_KEK / QRLOG_KEK_LABEL / QRLOG_KEK_FILE from the environment. */
  kek?: KekConfig;
  now?: () => Date;
  /** Operator notices (e.g. "created a new KEK file"); default: stderr. */
  notice?: (message: string) => void;
  /** 'owner' keeps the owner's connection (readings rebuild on PostgreSQL); 'service' logs in as the service role. */
  as?: 'service' | 'owner';
  sqliteSynchronous?: DatabaseConfig['sqliteSynchronous'];
  poolSize?: number;
  keyCache?: KeyCacheOptions;
  /** Default 10 minutes: a link sealed further ahead of its arrival is refused as 'future-clock'. */
  maxClockAheadMs?: number;
  /** Default 10 minutes: how long after a scan its page may attach a location. */
  locationWindowMs?: number;
  /** The checkpoint signing key and directory (ADR 0010); default: QRLOG_CHECKPOINT_* from the environment. */
  checkpoint?: CheckpointConfig;
  /** Default 60 minutes; 0: no periodic checkpoint. */
  checkpointIntervalMs?: number;
  /** The security log: rows written per minute at most (default 100), and days kept (default 90). */
  securityLog?: { rowsPerMinute?: number; retentionDays?: number };
  /** The notification outbox: mail server, public URL for links, delivery interval and backoff. */
  notifications?: NotificationOptions;
  /** Which missions and rules cover a logger's readings; default: the missions' storage (tests give fixed ones). */
  missionCoverage?: MissionCoverageSource;
  /** Alerts back in range this long close by themselves (default 30 minutes). */
  alertCloseAfterSeconds?: number;
}

export interface Services {
  ingest: IngestService;
  scans: ScanRecords;
  securityEvents: SecurityEventLog;
  readiness: { check(): Promise<boolean> };
  loggers: LoggerAdminService;
  readings: ReadingsService;
  rebuilder: ReadingsRebuilder;
  verifier: EvidenceVerifier;
  /** Signed checkpoints of every chain's head, written outside the database (issue 8, item 6). */
  checkpoints: CheckpointService;
  checkpointAuditor: CheckpointAuditor;
  receipts: ScanReceipts;
  /** Re-derives readings from evidence and compares them with the stored ones, read-only. */
  readingsChecker: ReadingsChecker;
  /** Organizations, users, access, the audit log and API keys (issue 4). */
  tenancy: TenancyServices;
  /** Missions, templates, public links; the coverage alert evaluation reads (issue 10). */
  missions: MissionServices;
  storage: { kind: DatabaseKind; sizeOnDisk(): Promise<number>; sizeByTable(): Promise<Record<string, number>> };
  /** The open database and the KEK keyring: what the sign-in layers (identity/, auth/) are built on. */
  database: DatabaseHandle;
  keyring: Keyring;
  /** The one scheduler: periodic jobs are registered here; `qrlog serve` starts it. */
  scheduler: Scheduler;
  /** The notification outbox, its delivery job, operator notices, preferences, unsubscribe links (issue 10). */
  notifications: NotificationServices;
  /** Alerts: their lifecycle (acknowledge, comment, close) and listing. */
  alerts: AlertService;
  /** Sends a delivered mission's report (PDF) to its recipients, once. */
  missionReports: MissionReportMailer;
  /** Alert evaluation after every accepted scan (and its sweep); `idle()` waits for the worker. */
  alertEvaluation: AlertEvaluationQueue;
  close(): Promise<void>;
}

/** Opens the database (migrating it), the keyring and every service on top. */
export async function openServices(options: OpenServicesOptions): Promise<Services> {
  const now = options.now ?? (() => new Date());
  const notice = options.notice ?? ((m: string) => process.stderr.write(`qrlog: ${m}\n`));
  const kekConfig = options.kek ?? kekConfigFromEnv();
  // The keyring first: a KEK misconfiguration is reported before anything touches the database.
  const keyring = loadKeyring(options.dataDir, kekConfig, notice);
  // The checkpoint key too: without one nothing is signed, a bad one stops the start.
  const checkpointConfig = options.checkpoint ?? loadCheckpointConfig(process.env);
  const signer = loadCheckpointSigner(checkpointConfig, options.dataDir);
  const database = await openDatabase(
    {
      dataDir: options.dataDir,
      databaseUrl: options.databaseUrl,
      databaseSchema: options.databaseSchema,
      databaseServiceUrl: options.databaseServiceUrl,
      databaseServiceRole: options.databaseServiceRole,
      sqliteSynchronous: options.sqliteSynchronous,
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    },
    options.as ?? 'service',
  );
  const db = database.db;
  const keys = new LoggerKeyStore(db, keyring, options.keyCache);
  const securityEvents = new SecurityEventService(db, { rowsPerBucket: options.securityLog?.rowsPerMinute });
  const readings = new ReadingsService(db);
  const scheduler = new Scheduler(db, { now, onFailure: (job, message) => { notice(`scheduled job ${job} failed: ${message}`); } });
  const checkpoints = new CheckpointService(db, signer, checkpointConfig.checkpointDir, now);
  const receipts = new ScanReceipts(db, signer);
  const intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MINUTES * 60_000;
  // Signed checkpoints of every chain (ADR 0010): only with a key and a directory, and an interval.
  if (checkpoints.configured && intervalMs > 0) scheduler.register(new CheckpointJob(checkpoints, intervalMs));
  // The only way rows leave the security log (ADR 9).
  scheduler.register(new SecurityLogRetentionJob(database, new AuditLog(db, now), options.securityLog?.retentionDays));
  const tenancy = openTenancyServices(database, keyring, readings, now, checkpointConfig.checkpointDir);
  const missions = openMissionServices(database, tenancy, readings, now, notice);
  // Alerts (issue 10): evaluated after every accepted scan by an in-process worker, leftovers swept, silence checked.
  const coverage = options.missionCoverage ?? new StoredMissionCoverage(db);
  const audit = new AuditLog(db, now);
  const evaluator = new AlertEvaluator(database, coverage, audit, { now, closeAfterSeconds: options.alertCloseAfterSeconds });
  const alertEvaluation = new AlertEvaluationQueue(db, evaluator, (serial, e) => { notice(`alert evaluation of ${serial} failed: ${e instanceof Error ? e.message : String(e)}`); }, now);
  scheduler.register(new AlertSweepJob(alertEvaluation));
  scheduler.register(new NoScanJob(database, coverage, audit));
  const notifications = openNotificationServices(database, tenancy.audit, scheduler, now, notice, { readings, coverage }, options.notifications);
  // A delivered mission's report goes to its recipients: started at once on delivery (not awaited:
  // delivering never waits on a PDF), and by a job for any delivery that one missed (a restart).
  const missionReports = new MissionReportMailer(db, tenancy.reports, notifications.outbox, tenancy.audit, now);
  scheduler.register(new MissionReportJob(db, missionReports));
  missions.missions.onDelivered((mission) => {
    void missionReports.sendMissionReport(mission.id).catch((e: unknown) => { notice(`mission report of ${mission.id} not sent yet (the job retries): ${e instanceof Error ? e.message : String(e)}`); });
  });
  let closed = false;
  return {
    ingest: new LinkIngestService(database, keys, securityEvents, { maxClockAheadMs: options.maxClockAheadMs, observer: alertEvaluation }),
    scans: new ScanRecordService(db, now, options.locationWindowMs, receipts),
    securityEvents,
    readiness: {
      async check() {
        if (closed) return false;
        try {
          await withTimeout(sql`select 1`.execute(db), 2_000);
          return true;
        } catch {
          return false;
        }
      },
    },
    loggers: new LoggerAdminService(database, keys, now, kekFilePath(options.dataDir, kekConfig)),
    readings,
    rebuilder: new ReadingsRebuilder(database, keys),
    verifier: new EvidenceVerifier(db, keys),
    checkpoints,
    checkpointAuditor: new CheckpointAuditor(db),
    receipts,
    readingsChecker: new ReadingsChecker(db, keys),
    tenancy,
    missions,
    notifications,
    storage: { kind: database.kind, sizeOnDisk: () => database.sizeOnDisk(), sizeByTable: () => database.sizeByTable() },
    database,
    keyring,
    scheduler,
    alerts: new AlertService(database, audit, now),
    missionReports,
    alertEvaluation,
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await alertEvaluation.close();
      keys.forgetCached();
      await securityEvents.close().catch(() => undefined);
      await database.close();
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error('timed out')); }, ms);
  });
  return Promise.race([p, timeout]).finally(() => { clearTimeout(timer); });
}
