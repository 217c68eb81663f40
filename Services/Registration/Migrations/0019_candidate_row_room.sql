-- A candidate's row changes at every step of the season (confirmed, paid, reviewed, ...); room
-- on its page keeps those updates HOT (no new entries in its three indexes).
ALTER TABLE candidate_account SET (fillfactor = 80);
