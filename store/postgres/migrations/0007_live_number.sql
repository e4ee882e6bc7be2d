-- 0007_live_number: at most one live lease per phone number within a
-- workspace (DESIGN.md invariant 1), whichever campaign or contact holds
-- it. A claim skips a contact whose number another leased contact of the
-- workspace carries (NOT EXISTS on this index), and this unique partial
-- index makes the database refuse the rare concurrent claim that both
-- passed that check, so two dialers never ring one number at once. An
-- expired lease keeps its number until the queue's Maintain reaps it.
-- Applying this migration fails if two contacts with the same number
-- are leased at that moment: let their leases end (or expire and be
-- reaped) first.

CREATE UNIQUE INDEX contacts_live_phone ON contacts (workspace_id, phone)
    WHERE lease_token <> '' AND phone <> '';
