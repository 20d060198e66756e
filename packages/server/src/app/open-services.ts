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
import { missionRecipientsOf } from './mission-recipients.ts';
import type { MissionServices } from '../core/missions/mission-services.ts';
import { AttackEpisodes } from '../core/defense/attack-episodes.ts';
import { AttackResponse } from '../core/defense/attack-response.ts';
import { SignInDefense } from '../core/defense/sign-in-defense.ts';
import { DEFAULT_SOURCE_BLOCKS, SourceBlockService, type SourceBlockSettings } from '../core/defense/source-block-service.ts';
import type { OperatorNotifier } from '../core/notifications/operator-notifier.ts';
import { openNotificationServices, type NotificationOptions } from './open-notification-services.ts';
import type { NotificationServices } from '../core/notifications/notification-services.ts';
import type { MissionCoverageSource } from '../core/missions/mission-coverage.ts';
import { StoredMissionCoverage } from '../core/missions/stored-mission-coverage.ts';
import { AlertService } from '../core/alerts/alert-service.ts';
import { AlertEvaluator } from '../core/alerts/alert-evaluator.ts';
import { AlertEvaluationQueue } from '../core/alerts/alert-evaluation-queue.ts';
import { AlertSweepJob } from '../core/alerts/alert-sweep-job.ts';
import { NoScanJob } from '../core/alerts/no-scan-job.ts';
import { loadBackupConfig, type BackupConfig } from '../config/backup-config.ts';
import { BackupMetrics } from '../core/backup/backup-metrics.ts';
import { registerBackupJobs } from './backup-jobs.ts';
import { MetricsRegistry } from '../common/metrics-registry.ts';
import { Readiness } from '../common/readiness.ts';
import { DatabaseMetrics } from '../storage/database-metrics.ts';
import { AnomalyDetector } from '../core/anomalies/anomaly-detector.ts';
import { AnomalyQueries } from '../core/anomalies/anomaly-queries.ts';
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
  /** Blocking of scan sources that flood forged links (default DEFAULT_SOURCE_BLOCKS). */
  sourceBlocks?: Partial<SourceBlockSettings>;
  /** The notification outbox: mail server, public URL for links, delivery interval and backoff. */
  notifications?: NotificationOptions;
  /** Which missions and rules cover a logger's readings; default: the missions' storage (tests give fixed ones). */
  missionCoverage?: MissionCoverageSource;
  /** Alerts back in range this long close by themselves (default 30 minutes). */
  alertCloseAfterSeconds?: number;
  /** Backups (QRLOG_BACKUP_*; default: from the environment): with a target, the nightly job and its watch. */
  backup?: BackupConfig;
  /** Where "a night was missed" / "a verify failed" go (the notification outbox); unset: the scheduler's notice only. */
  operatorNotifier?: OperatorNotifier;
  /** How long an approved emergency key export may be downloaded (default 24 hours). */
  keyExportWindowMs?: number;
  /** The one metrics registry (default: a new one with the process metrics). */
  metrics?: MetricsRegistry;
  /** Default true; false only to measure what detecting data anomalies costs (bench/anomalies.bench.ts). */
  anomalyDetection?: boolean;
}

export interface Services {
  ingest: IngestService;
  scans: ScanRecords;
  securityEvents: SecurityEventLog;
  /** /readyz: database and KEK required; side dependencies (identity provider, backup store, SMTP) added with `addSideCheck`. */
  readiness: Readiness;
  /** The one metrics registry every layer defines its metrics in; /metrics renders it. */
  metrics: MetricsRegistry;
  /** Data anomalies of loggers, for their owners (detected after each ingestion's commit). */
  anomalies: AnomalyQueries;
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
  /** Attack response (issue 11): blocked scan sources, sign-in backoffs, attack summaries and notices. */
  defense: AttackResponse;
  /** The notification outbox, its delivery job, operator notices, preferences, unsubscribe links (issue 10). */
  notifications: NotificationServices;
  /** Alerts: their lifecycle (acknowledge, comment, close) and listing. */
  alerts: AlertService;
  /** Sends a delivered mission's report (PDF) to its recipients, once. */
  missionReports: MissionReportMailer;
  /** Alert evaluation after every accepted scan (and its sweep); `idle()` waits for the worker. */
  alertEvaluation: AlertEvaluationQueue;
  /** Last backup's time, size, duration; failures (appended to /metrics). */
  backupMetrics: BackupMetrics;
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
  const metrics = options.metrics ?? new MetricsRegistry();
  const database = await openDatabase(
    {
      dataDir: options.dataDir,
      databaseUrl: options.databaseUrl,
      databaseSchema: options.databaseSchema,
      databaseServiceUrl: options.databaseServiceUrl,
      databaseServiceRole: options.databaseServiceRole,
      sqliteSynchronous: options.sqliteSynchronous,
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
      metrics: new DatabaseMetrics(metrics),
    },
    options.as ?? 'service',
  );
  const db = database.db;
  const keys = new LoggerKeyStore(db, keyring, options.keyCache);
  const securityEvents = new SecurityEventService(db, { rowsPerBucket: options.securityLog?.rowsPerMinute });
  const readings = new ReadingsService(db);
  const scheduler = new Scheduler(db, { now, metrics, onFailure: (job, message) => { notice(`scheduled job ${job} failed: ${message}`); } });
  const checkpoints = new CheckpointService(db, signer, checkpointConfig.checkpointDir, now);
  const receipts = new ScanReceipts(db, signer);
  const intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MINUTES * 60_000;
  // Signed checkpoints of every chain (ADR 0010): only with a key and a directory, and an interval.
  if (checkpoints.configured && intervalMs > 0) scheduler.register(new CheckpointJob(checkpoints, intervalMs));
  // The only way rows leave the security log (ADR 9).
  scheduler.register(new SecurityLogRetentionJob(database, new AuditLog(db, now), options.securityLog?.retentionDays));
  const tenancy = openTenancyServices(database, keyring, readings, now, keys, { checkpointDir: checkpointConfig.checkpointDir, keyExportWindowMs: options.keyExportWindowMs });
  const missions = openMissionServices(database, tenancy, readings, now, notice);
  // Alerts (issue 10): evaluated after every accepted scan by an in-process worker, leftovers swept, silence checked.
  const coverage = options.missionCoverage ?? new StoredMissionCoverage(db);
  const audit = new AuditLog(db, now);
  const evaluator = new AlertEvaluator(database, coverage, audit, { now, closeAfterSeconds: options.alertCloseAfterSeconds });
  const alertEvaluation = new AlertEvaluationQueue(db, evaluator, (serial, e) => { notice(`alert evaluation of ${serial} failed: ${e instanceof Error ? e.message : String(e)}`); }, now);
  scheduler.register(new AlertSweepJob(alertEvaluation));
  scheduler.register(new NoScanJob(database, coverage, audit));
  // A mission's alerts go to its own recipients (teams by their members' preferences, and plain addresses).
  const notifications = openNotificationServices(database, tenancy.audit, scheduler, now, notice, { readings, coverage }, {
    missionRecipients: missionRecipientsOf(missions.missions),
    ...options.notifications,
  }, metrics);
  const backupMetrics = new BackupMetrics(metrics);
  // Nightly backups when a target is configured (QRLOG_BACKUP_TO; ADR 14).
  registerBackupJobs(scheduler, {
    config: options.backup ?? loadBackupConfig(process.env),
    // PostgreSQL backups run as the owner: with only the service's login there is nothing to run them as.
    database: options.databaseUrl !== undefined && options.databaseUrl !== ''
      ? { engine: 'postgres', postgres: { url: options.databaseUrl, schema: options.databaseSchema } }
      : options.databaseServiceUrl !== undefined && options.databaseServiceUrl !== '' ? null : { engine: 'sqlite', dataDir: options.dataDir },
    dataDir: options.dataDir,
    keyring,
    checkpoints,
    checkpointPublicKeyPem: signer?.publicKeyPem,
    metrics: backupMetrics,
    notifier: options.operatorNotifier ?? notifications.operatorNotifier,
    notice,
    now,
  });
  // Attack response (issue 11): operators hear of attacks through the notification outbox.
  const defense = openDefense(db, audit, notifications.operatorNotifier, options, () => now().getTime(), notice);
  try {
    await defense.blocks.load();
  } catch (e) {
    await database.close();
    throw e;
  }
  // A delivered mission's report goes to its recipients: started at once on delivery (not awaited:
  // delivering never waits on a PDF), and by a job for any delivery that one missed (a restart).
  const missionReports = new MissionReportMailer(db, tenancy.reports, notifications.outbox, tenancy.audit, now);
  scheduler.register(new MissionReportJob(db, missionReports));
  missions.missions.onDelivered((mission) => {
    void missionReports.sendMissionReport(mission.id).catch((e: unknown) => { notice(`mission report of ${mission.id} not sent yet (the job retries): ${e instanceof Error ? e.message : String(e)}`); });
  });
  let closed = false;
  const readiness = new Readiness(metrics);
  readiness.requireCheck({
    name: 'database',
    probe: async () => {
      if (closed) return { up: false, problem: 'closed' };
      await sql`select 1`.execute(db);
      return { up: true };
    },
  });
  // Links are opened with logger keys unwrapped by the KEK: without one no scan can be taken.
  readiness.requireCheck({ name: 'kek', probe: () => Promise.resolve(keyring.labels.length > 0 ? { up: true } : { up: false, problem: 'no KEK loaded' }) });
  const anomalyDetector = new AnomalyDetector(db, { missions: coverage, metrics });
  return {
    ingest: new LinkIngestService(database, keys, securityEvents, {
      maxClockAheadMs: options.maxClockAheadMs,
      observer: alertEvaluation,
      metrics,
      afterCommit: options.anomalyDetection === false ? undefined : async (link) => { await anomalyDetector.inspect(link); },
      onAfterCommitError: (e) => { notice(`data anomaly detection failed: ${e instanceof Error ? e.message : String(e)}`); },
    }),
    scans: new ScanRecordService(db, now, options.locationWindowMs, receipts),
    securityEvents,
    readiness,
    metrics,
    anomalies: new AnomalyQueries(db),
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
    defense,
    alerts: new AlertService(database, audit, now),
    missionReports,
    alertEvaluation,
    backupMetrics,
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await alertEvaluation.close();
      await defense.blocks.close();
      keys.forgetCached();
      await securityEvents.close().catch(() => undefined);
      await database.close();
    },
  };
}

/** The attack response: episodes told through the operator notifier, source blocks, the sign-in view. */
function openDefense(db: Services['database']['db'], audit: AuditLog, notifier: OperatorNotifier, options: OpenServicesOptions, nowMs: () => number, notice: (m: string) => void): AttackResponse {
  const episodes = new AttackEpisodes(notifier, { nowMs, onError: (e) => { notice(`could not notify the operators: ${e instanceof Error ? e.message : String(e)}`); } });
  const settings = { ...DEFAULT_SOURCE_BLOCKS, ...options.sourceBlocks };
  const blocks = new SourceBlockService(db, audit, episodes, settings, nowMs, (what, e) => { notice(`${what} failed: ${e instanceof Error ? e.message : String(e)}`); });
  return new AttackResponse(db, blocks, new SignInDefense(audit, episodes), episodes, nowMs);
}
