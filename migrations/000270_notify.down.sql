DROP TABLE notify_settings;
DROP TABLE mail_prefs;
DROP TABLE notifications;
