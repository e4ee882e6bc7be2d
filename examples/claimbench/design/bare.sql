-- The bare loop of claimbench: 10 rows of a narrow table.
\set tok random(1, 1000000000)
UPDATE bare SET lease_token = CAST(:tok AS TEXT), lease_expires = 1
WHERE id IN (SELECT id FROM bare WHERE lease_token = '' ORDER BY ord, id LIMIT 10 FOR UPDATE SKIP LOCKED) RETURNING id;
