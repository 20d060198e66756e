import type { NotificationDelivery } from './notification-delivery.ts';
import type { NotificationOutbox } from './notification-outbox.ts';
import type { NotificationPreferencesService } from './notification-preferences.ts';
import type { OperatorNotifier } from './operator-notifier.ts';
import type { UnsubscribeLinks } from './unsubscribe-links.ts';

/** The notification path, one of each (app/open-notification-services.ts builds it). */
export interface NotificationServices {
  outbox: NotificationOutbox;
  delivery: NotificationDelivery;
  operatorNotifier: OperatorNotifier;
  preferences: NotificationPreferencesService;
  unsubscribeLinks: UnsubscribeLinks;
  /** The service's address as mails name it (links to alerts, unsubscribe pages). */
  publicUrl: string;
}
