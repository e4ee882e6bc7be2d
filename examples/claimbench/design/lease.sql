-- The proposed claim: the lease written on the hopper row (hop_lease), the
-- contacts only read for the lease's payload.
\set tok random(1, 1000000000)
WITH picked AS MATERIALIZED (SELECT h.contact_id FROM hop_lease h
  WHERE h.workspace_id = :ws AND h.campaign_id = :cmp AND h.next_attempt_at <= :now AND h.callable_from <= :now AND h.callable_until > :now
    AND h.lease_token = ''
    AND CASE WHEN h.phone = '' THEN true WHEN (SELECT 1 FROM hop_lease o WHERE o.workspace_id = h.workspace_id AND o.phone = h.phone
      AND o.lease_token <> '' LIMIT 1) IS NULL THEN pg_try_advisory_xact_lock(1, hashtext(h.workspace_id || ' ' || h.phone)) ELSE false END
  ORDER BY h.q_rank, h.list_priority DESC, h.priority DESC, h.created_at, h.contact_id LIMIT 10 FOR UPDATE SKIP LOCKED),
leased AS (UPDATE hop_lease SET lease_token = CAST(:tok AS TEXT), lease_expires = 1 + CAST(3600000000000 AS BIGINT)
  FROM picked WHERE hop_lease.workspace_id = :ws AND hop_lease.contact_id = picked.contact_id RETURNING hop_lease.contact_id, hop_lease.version)
SELECT c.* FROM contacts c JOIN leased l ON c.workspace_id = :ws AND c.id = l.contact_id AND c.version = l.version;
