-- 0070_drop_import_names: importer.Store no longer keeps a name table.
-- Its names were not scoped to a workspace (docs/design.md, invariant 4)
-- and served one example, which now finds its campaign by name within a
-- fixed workspace instead.

DROP TABLE IF EXISTS import_names;
