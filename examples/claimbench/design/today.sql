-- Today's claim statement (internal/sqlstore Claim), 10 from hop_today:
-- pick, drop the entries, lease the 30-column contacts rows.
\set tok random(1, 1000000000)
WITH picked AS MATERIALIZED (SELECT h.contact_id, h.version AS hv, h.phone FROM hop_today h
  WHERE h.workspace_id = :ws AND h.campaign_id = :cmp AND h.next_attempt_at <= :now AND h.callable_from <= :now AND h.callable_until > :now
    AND CASE WHEN h.phone = '' THEN true WHEN (SELECT 1 FROM contacts o WHERE o.workspace_id = h.workspace_id AND o.phone = h.phone
      AND o.lease_token <> '' AND o.phone <> '' LIMIT 1) IS NULL THEN pg_try_advisory_xact_lock(1, hashtext(h.workspace_id || ' ' || h.phone)) ELSE false END
  ORDER BY h.q_rank, h.list_priority DESC, h.priority DESC, h.created_at, h.contact_id LIMIT 10 FOR UPDATE SKIP LOCKED),
gone AS (DELETE FROM hop_today WHERE workspace_id = :ws AND contact_id IN (SELECT contact_id FROM picked))
UPDATE contacts SET status = 'dialing', q_prev_status = status, lease_token = CAST(:tok AS TEXT), lease_expires = 1 + CAST(3600000000000 AS BIGINT),
  q_rank = 9, version = version + 1, q_version = CASE WHEN q_version = version THEN version + 1 ELSE q_version END, updated_at = 1
FROM picked WHERE contacts.workspace_id = :ws AND contacts.id = picked.contact_id AND contacts.version = picked.hv AND contacts.q_rank < 9
  AND contacts.lease_token = '' AND contacts.status IN ('pending', 'retry', 'callback')
RETURNING contacts.*;
