-- devdb_enroll's sessions are cut off quickly (docs/security.md, "Enrollment:
-- no password in Terraform state"). Its password is public and it may hold 20
-- connections (migration 015): without limits anyone who reaches the port could
-- hold all 20 and block every enrollment. An agent connects, runs enroll() (a
-- few milliseconds) and disconnects, so a few seconds of each is plenty:
--   idle_session_timeout                 5 s  a session idle outside a transaction
--   idle_in_transaction_session_timeout  5 s  a transaction left open (BEGIN, then nothing)
--   statement_timeout                   10 s  one statement (pg_sleep; enroll() waiting on a lock)
-- Role settings apply when a session starts; the agent retries with back-off
-- when enrollment is cut short or every slot is taken (agent/enroll.ts).
ALTER ROLE devdb_enroll SET idle_session_timeout = '5s';
ALTER ROLE devdb_enroll SET idle_in_transaction_session_timeout = '5s';
ALTER ROLE devdb_enroll SET statement_timeout = '10s';
