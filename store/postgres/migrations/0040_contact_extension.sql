-- contacts.extension holds Contact.Extension: the digits dialled after the
-- call is answered (issue 15). Existing contacts have none.
ALTER TABLE contacts ADD COLUMN extension TEXT NOT NULL DEFAULT '';
