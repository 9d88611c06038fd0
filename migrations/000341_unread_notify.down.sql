DROP TRIGGER notifications_unread_upd ON notifications;
DROP TRIGGER notifications_unread_ins ON notifications;
DROP FUNCTION notify_unread();
