-- Version 8: a question's attachments, as ingest read them: a JSON list of
-- {"name", "type", "size"}; "" for none. The files stay in the raw
-- message (mailbag show ID --save DIR writes them out).
ALTER TABLE questions ADD COLUMN attachments TEXT NOT NULL DEFAULT '';
