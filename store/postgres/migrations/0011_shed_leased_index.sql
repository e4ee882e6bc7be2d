-- 0011_shed_leased_index: drop contacts_queue_leased. Every leased
-- contact has a number (Contact.Phone is required), so the unique live
-- number index contacts_live_phone (0007), partial on the same predicate,
-- already lists every lease of a workspace: lease expiry (the queue's
-- reap) reads it instead. With both indexes, Postgres planned the claim's
-- "is this number in a call" probe on contacts_queue_leased, walking
-- every lease of the workspace for each candidate (seconds per claim at
-- 17,000 leases), whenever statistics had been taken with few leases.
DROP INDEX contacts_queue_leased;
