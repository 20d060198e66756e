/**
 * Reports (migration 0021-mission-reports): which missions' automatic report went out, so a
 * delivered mission is reported once, whichever instance and however often the job runs.
 */
export interface MissionReportDeliveriesTable {
  mission_id: string;
  /** Unix ms: when the report was generated and queued to the recipients. */
  sent_at: number;
  /** Recipients it was queued to (after unsubscriptions and invalid addresses). */
  recipients: number;
  /** Hex SHA-256 of the PDF sent: the very file can be recognised later. */
  pdf_sha256: string;
}

export interface ReportTables {
  mission_report_deliveries: MissionReportDeliveriesTable;
}
