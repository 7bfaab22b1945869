-- The project's own databases (docker-compose); scripts/infra.sh creates the same ones.
create database trial_followup;
create database trial_followup_test;
