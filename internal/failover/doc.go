// Package failover holds no code of the application: its test starts the
// three-node Patroni cluster of deploy/patroni (etcd, three PostgreSQL
// nodes with a synchronous standby), serves Zhibu against it through a
// multi-host DATABASE_URL with target_session_attrs=read-write, kills the
// primary while a secretary's saves are running, and checks that the app
// reconnects to the new primary, that every save answered with success is
// there afterwards, and how long users saw errors (docs/deploy.md).
package failover
