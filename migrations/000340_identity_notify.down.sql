DROP TRIGGER security_settings_identity ON security_settings;
DROP FUNCTION notify_identity_all();
DROP TRIGGER sessions_identity_del ON sessions;
DROP TRIGGER account_roles_identity ON account_roles;
DROP FUNCTION notify_identity_of_row();
DROP TRIGGER accounts_identity_del ON accounts;
DROP TRIGGER accounts_identity_upd ON accounts;
DROP FUNCTION notify_identity_account();
