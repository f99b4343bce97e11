-- kit-db-test: the role {{role}} (login, SCRAM password, no other rights) and its database
-- {{database}}, owned by it. Run as the PostgreSQL superuser, the password on standard input:
--   sudo -u postgres psql -f create-role-and-database.sql < {{passwordFile}}
-- \prompt reads it from standard input (psql -f), so it is in no file but the password file and
-- in no command line that ps shows. The server keeps only its SCRAM hash; like any statement,
-- CREATE ROLE reaches the server log only with log_statement = ddl or all.
-- Safe to run again: it creates what is missing and sets the password and attributes again.
\set ON_ERROR_STOP on
\prompt {{passwordPrompt}} password
SELECT :'password' <> '' AS has_password \gset
\if :has_password
\else
DO $$ BEGIN RAISE EXCEPTION 'no password on standard input: psql -f create-role-and-database.sql < {{passwordFile}}'; END $$;
\endif

-- Hash as SCRAM whatever postgresql.conf says: pg_hba.conf's scram-sha-256 lines refuse md5.
SET password_encryption = 'scram-sha-256';

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {{roleLiteral}}) AS create_role \gset
\if :create_role
CREATE ROLE {{roleIdentifier}} LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
\else
ALTER ROLE {{roleIdentifier}} LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
\endif
\unset password

SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = {{databaseLiteral}}) AS create_database \gset
\if :create_database
CREATE DATABASE {{databaseIdentifier}} OWNER {{roleIdentifier}};
\else
ALTER DATABASE {{databaseIdentifier}} OWNER TO {{roleIdentifier}};
\endif
\echo {{readyMessage}}
