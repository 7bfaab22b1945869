#!/bin/sh
# PostgreSQL's first start in docker-compose.yml (/docker-entrypoint-initdb.d, run once on an
# empty data directory): the two roles of scripts/infra.sh (pg_roles) and README "Database
# roles". The owner owns the database and its public schema and runs the migrations (the
# one-shot `migrate` service); the app role may connect and use the schema, and the owner grants
# it its table rights after each migration (libs/storage/src/roles.ts). Passwords come from the
# environment (docker-compose.yml); they are never printed.
set -eu
: "${PG_OWNER_ROLE:=trial_followup_owner}" "${PG_APP_ROLE:=trial_followup_app}" "${PG_DATABASE:=trial_followup}" "${PG_TEST_DATABASE:=trial_followup_test}"
: "${PG_OWNER_PASSWORD:?PG_OWNER_PASSWORD is not set}" "${PG_APP_PASSWORD:?PG_APP_PASSWORD is not set}"
psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname postgres \
  -v owner="$PG_OWNER_ROLE" -v app="$PG_APP_ROLE" -v db="$PG_DATABASE" -v testdb="$PG_TEST_DATABASE" \
  -v owner_pw="$PG_OWNER_PASSWORD" -v app_pw="$PG_APP_PASSWORD" <<'SQL'
create role :"owner" login password :'owner_pw' nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
create role :"app" login password :'app_pw' nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
create database :"db" owner :"owner";
-- The suites' database, for running them from the host against this server (README).
create database :"testdb";
\connect :"db"
alter schema public owner to :"owner";
revoke create on schema public from public;
grant connect on database :"db" to :"app";
grant usage on schema public to :"app";
SQL
